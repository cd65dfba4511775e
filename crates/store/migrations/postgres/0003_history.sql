-- Every change to a study's files, so that its history can be shown, any
-- earlier version read back or restored, and an audit trail exported.
-- Keep equivalent to ../sqlite/0003_history.sql.
--
-- A file's version from before it was first changed here (an import, or a
-- save made before this table existed) is recorded when it is first changed,
-- so imports cost no second copy of every file.
CREATE TABLE file_changes (
    study_id BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    path TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('imported', 'earlier', 'added', 'changed', 'deleted', 'restored')),
    content BYTEA,
    at BIGINT NOT NULL,
    user_id BIGINT,
    message TEXT,
    PRIMARY KEY (study_id, revision, path)
);
