-- A file as it was at a revision is its latest change at or before that
-- revision: looked up by path, then revision (file_at, snapshot_at).
CREATE INDEX file_changes_by_path ON file_changes (study_id, path, revision);
