-- The workspace schema for PostgreSQL. Keep it equivalent to ../sqlite/0001_workspace.sql.
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    admin BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL
);

CREATE TABLE studies (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created BIGINT NOT NULL
);

CREATE TABLE members (
    study_id BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    PRIMARY KEY (study_id, user_id)
);
CREATE INDEX members_by_user ON members (user_id);

CREATE TABLE files (
    study_id BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    content BYTEA NOT NULL,
    version BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    updated_by BIGINT,
    PRIMARY KEY (study_id, path)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    expires BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires);
