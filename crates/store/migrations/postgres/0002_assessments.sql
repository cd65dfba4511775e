-- Collaborations being assessed are stored like studies (their folder's files),
-- told apart by kind; survey rounds can be opened and closed, and each
-- respondent answers through a token link. Keep equivalent to ../sqlite/0002_assessments.sql.
ALTER TABLE studies ADD COLUMN kind TEXT NOT NULL DEFAULT 'study';

CREATE TABLE survey_rounds (
    study_id BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    round TEXT NOT NULL,
    open BIGINT NOT NULL,
    PRIMARY KEY (study_id, round)
);

CREATE TABLE survey_tokens (
    token_hash TEXT PRIMARY KEY,
    study_id BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    round TEXT NOT NULL,
    respondent TEXT NOT NULL,
    organisation TEXT NOT NULL,
    role TEXT NOT NULL,
    created BIGINT NOT NULL,
    UNIQUE (study_id, round, respondent)
);
