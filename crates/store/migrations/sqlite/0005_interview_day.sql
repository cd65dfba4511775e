-- The interview day: drafts kept while an interview is typed (never part of
-- the study until saved without problems), check-back links for interviewees
-- with the consent they gave, the changes they suggested for the editors to
-- review, and who made a change that no workspace user made.
-- Keep equivalent to ../postgres/0005_interview_day.sql.
ALTER TABLE file_changes ADD COLUMN author TEXT;

CREATE TABLE drafts (
    study_id BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    interview TEXT NOT NULL,
    text TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    saved_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (study_id, interview)
);

CREATE TABLE checkbacks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    study_id BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    interview TEXT NOT NULL,
    person TEXT NOT NULL,
    created BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    expires BIGINT NOT NULL,
    revoked BIGINT,
    confirmed BIGINT,
    consent TEXT
);
CREATE INDEX checkbacks_by_interview ON checkbacks (study_id, interview);

CREATE TABLE checkback_suggestions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    checkback_id BIGINT NOT NULL REFERENCES checkbacks(id) ON DELETE CASCADE,
    study_id BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    interview TEXT NOT NULL,
    line BIGINT NOT NULL,
    kind TEXT NOT NULL,
    original TEXT NOT NULL,
    suggestion TEXT NOT NULL,
    created BIGINT NOT NULL,
    decision TEXT,
    decided_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    decided_at BIGINT
);
CREATE INDEX checkback_suggestions_by_interview ON checkback_suggestions (study_id, interview);
