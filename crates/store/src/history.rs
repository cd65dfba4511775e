//! A study's files: read whole at one revision, changed in one transaction,
//! and every change kept (`file_changes`) so that any revision can be read back.

use super::*;

/// Each file's version, by path.
pub type Versions = imbl::OrdMap<String, i64>;

/// Every file of a study at one revision.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The revision the files belong to.
    pub revision: i64,
    /// The study's title.
    pub title: String,
    /// The files.
    pub files: MemoryFiles,
    /// Each file's version: a persistent map like the files, so the next
    /// revision shares it with this one.
    pub versions: Versions,
}

/// One change to a study's files, applied with others in one transaction.
#[derive(Debug, Clone)]
pub struct Change {
    /// The file's path in the study.
    pub path: String,
    /// The version the editor started from; `None` when the file must not exist yet.
    pub expected: Option<i64>,
    /// The new bytes; `None` deletes the file.
    pub content: Option<Vec<u8>>,
}

/// What the history records beside a change.
#[derive(Debug, Clone, Default)]
pub struct Note {
    /// The editor's message, typed at save time.
    pub message: Option<String>,
    /// The change puts back an earlier version.
    pub restored: bool,
    /// Who made it, when no workspace user did (an interviewee through their
    /// check-back link): the history shows this instead of an address.
    pub author: Option<String>,
}

/// One file's change at one revision, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The study's revision the change made.
    pub revision: i64,
    /// The file.
    pub path: String,
    /// `imported`, `earlier` (a version from before the history), `added`, `changed`, `deleted` or `restored`.
    pub action: String,
    /// When, in seconds since 1970.
    pub at: i64,
    /// Who, by e-mail address (`None`: a survey respondent, or unknown).
    pub by: Option<String>,
    /// The message typed with the save.
    pub message: Option<String>,
}

impl FileChange {
    /// A change read from a row with its columns and the author's `email`.
    fn from_row(row: &sqlx::any::AnyRow) -> Result<FileChange> {
        Ok(FileChange {
            revision: row.try_get("revision")?,
            path: row.try_get("path")?,
            action: row.try_get("action")?,
            at: row.try_get("at")?,
            by: row.try_get("email")?,
            message: row.try_get("message")?,
        })
    }
}

/// One revision of a history page: the changes shown (at least one, all of
/// the same revision, in path order) and how many files it changed in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionChanges {
    /// The changes shown.
    pub changes: Vec<FileChange>,
    /// How many files the revision changed.
    pub files: i64,
}

/// Why a change was not applied (nothing was).
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// The file changed since the editor read it; `current` is its version now (`None`: deleted).
    #[error("{path} was changed by someone else (now version {})", current.unwrap_or(0))]
    Conflict {
        /// The file.
        path: String,
        /// Its current version.
        current: Option<i64>,
    },
    /// The study does not exist (any more).
    #[error("the study does not exist")]
    NoStudy,
    /// The study moved on from the revision the changes were checked
    /// against (someone saved another file meanwhile): check them again on
    /// top of revision `current` and retry.
    #[error("the study moved on to revision {current}")]
    Moved {
        /// The study's revision now.
        current: i64,
    },
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ChangeError {
    fn from(error: sqlx::Error) -> Self {
        ChangeError::Store(error.into())
    }
}

impl Store {
    /// The study's current revision.
    pub async fn revision(&self, study: i64) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT revision FROM studies WHERE id = $1").bind(study).fetch_optional(&self.pool).await?;
        Ok(row.map(|row| row.try_get("revision")).transpose()?)
    }

    /// Every file of the study, all from one revision: read in one
    /// transaction that sees a single snapshot (SQLite's WAL read snapshot;
    /// PostgreSQL at REPEATABLE READ), so saves landing meanwhile never mix in.
    pub async fn snapshot(&self, study: i64) -> Result<Option<Snapshot>> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
        }
        let Some(head) = sqlx::query("SELECT revision, title FROM studies WHERE id = $1").bind(study).fetch_optional(&mut *tx).await? else {
            return Ok(None);
        };
        let rows = sqlx::query("SELECT path, content, version FROM files WHERE study_id = $1").bind(study).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        let mut files = MemoryFiles::new();
        let mut versions = Versions::new();
        for row in rows {
            let path: String = row.try_get("path")?;
            versions.insert(path.clone(), row.try_get("version")?);
            files.insert(path, row.try_get("content")?);
        }
        Ok(Some(Snapshot { revision: head.try_get("revision")?, title: head.try_get("title")?, files, versions }))
    }

    /// The study's files now, from its files and their versions at revision
    /// `since` and the changes recorded after it: only the files changed after
    /// `since` are read, so a server holding a large study reads what a save
    /// changed, not the study again. Equal to [`Store::snapshot`]; `None` when
    /// there is no such study.
    pub async fn snapshot_after(&self, study: i64, since: i64, files: &MemoryFiles, versions: &Versions) -> Result<Option<Snapshot>> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
        }
        let Some(head) = sqlx::query("SELECT revision, title FROM studies WHERE id = $1").bind(study).fetch_optional(&mut *tx).await? else {
            return Ok(None);
        };
        // In revision order, so a file changed twice ends as its last change. Rows
        // marked 'earlier' record a version from before the history began, never a change.
        let rows = sqlx::query(
            "SELECT path, action, content, revision FROM file_changes \
             WHERE study_id = $1 AND revision > $2 AND action <> 'earlier' ORDER BY revision",
        )
        .bind(study)
        .bind(since)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut files = files.clone();
        let mut versions = versions.clone();
        for row in rows {
            let path: String = row.try_get("path")?;
            let action: String = row.try_get("action")?;
            let content: Option<Vec<u8>> = row.try_get("content")?;
            match content {
                Some(bytes) if action != "deleted" => {
                    versions.insert(path.clone(), row.try_get("revision")?);
                    files.insert(path, bytes);
                }
                _ => {
                    versions.remove(&path);
                    files.remove(&path);
                }
            }
        }
        Ok(Some(Snapshot { revision: head.try_get("revision")?, title: head.try_get("title")?, files, versions }))
    }

    /// Every file of the study as it was at `revision` (history is never
    /// rewritten, so this never changes): `None` when there is no such study
    /// or no such revision. Each file is its latest change at or before the
    /// revision, or the file as it is now when it has not changed since.
    pub async fn snapshot_at(&self, study: i64, revision: i64) -> Result<Option<Snapshot>> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
        }
        let Some(head) = sqlx::query("SELECT revision, title FROM studies WHERE id = $1").bind(study).fetch_optional(&mut *tx).await? else {
            return Ok(None);
        };
        let current: i64 = head.try_get("revision")?;
        if revision < 1 || revision > current {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT changes.path, changes.content, changes.revision AS version FROM file_changes changes \
             WHERE changes.study_id = $1 AND changes.revision = \
               (SELECT MAX(latest.revision) FROM file_changes latest WHERE latest.study_id = $1 AND latest.path = changes.path AND latest.revision <= $2) \
             UNION ALL \
             SELECT files.path, files.content, files.version FROM files WHERE files.study_id = $1 AND files.version <= $2 \
               AND NOT EXISTS (SELECT 1 FROM file_changes earlier WHERE earlier.study_id = $1 AND earlier.path = files.path AND earlier.revision <= $2)",
        )
        .bind(study)
        .bind(revision)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut files = MemoryFiles::new();
        let mut versions = Versions::new();
        for row in rows {
            // A change without content is the file's removal.
            let Some(content) = row.try_get::<Option<Vec<u8>>, _>("content")? else { continue };
            let path: String = row.try_get("path")?;
            versions.insert(path.clone(), row.try_get("version")?);
            files.insert(path, content);
        }
        Ok(Some(Snapshot { revision, title: head.try_get("title")?, files, versions }))
    }

    /// One file of the study, with its version.
    pub async fn file(&self, study: i64, path: &str) -> Result<Option<(Vec<u8>, i64)>> {
        let row = sqlx::query("SELECT content, version FROM files WHERE study_id = $1 AND path = $2").bind(study).bind(path).fetch_optional(&self.pool).await?;
        row.map(|row| Ok((row.try_get("content")?, row.try_get("version")?))).transpose()
    }

    /// Applies `changes` together, or none of them: a change whose file
    /// moved on since `expected` refuses the lot. With `checked_at`, the
    /// changes were validated against the whole study at that revision, and
    /// are applied only if the study is still there: validation and commit
    /// are then one atomic step, so two saves that are each sound alone can
    /// never together store a study with problems. Returns the new revision.
    pub async fn change_files(&self, study: i64, user: i64, changes: &[Change], title: Option<&str>, checked_at: Option<i64>) -> Result<i64, ChangeError> {
        self.change_files_noted(study, user, changes, title, checked_at, &Note::default()).await
    }

    /// [`Store::change_files`], with what the history records beside the
    /// change: the editor's message, and whether it restores an earlier version.
    pub async fn change_files_noted(
        &self,
        study: i64,
        user: i64,
        changes: &[Change],
        title: Option<&str>,
        checked_at: Option<i64>,
        note: &Note,
    ) -> Result<i64, ChangeError> {
        let mut tx = self.write().await?;
        let revision = change_files_in(&mut tx, Edit { study, user, changes, title, checked_at, note }).await?;
        tx.commit().await?;
        Ok(revision)
    }

    /// Every recorded change of the study's files, newest revision first, files in path order.
    pub async fn history(&self, study: i64) -> Result<Vec<FileChange>> {
        self.changes(study, None).await
    }

    /// One page of the study's history: the `count` revisions after the
    /// newest `skip`, newest first, each with at most `files_each` of its
    /// changed files (in path order) and how many it changed in all; and how
    /// many revisions the history has. A restore of a whole study changes
    /// every file in one revision, so a revision's list is cut, not the page.
    pub async fn history_page(&self, study: i64, skip: i64, count: i64, files_each: i64) -> Result<(Vec<RevisionChanges>, i64)> {
        // Window functions keep the cut in the database: SQLite has had them since 3.25.
        let rows = sqlx::query(
            "WITH page AS (SELECT DISTINCT revision FROM file_changes WHERE study_id = $1 ORDER BY revision DESC LIMIT $2 OFFSET $3), \
             ranked AS (SELECT fc.revision, fc.path, fc.action, fc.at, fc.message, fc.user_id, fc.author, \
                               ROW_NUMBER() OVER (PARTITION BY fc.revision ORDER BY fc.path) AS n, \
                               COUNT(*) OVER (PARTITION BY fc.revision) AS files \
                        FROM file_changes fc WHERE fc.study_id = $1 AND fc.revision IN (SELECT revision FROM page)) \
             SELECT ranked.revision, ranked.path, ranked.action, ranked.at, ranked.message, ranked.files, COALESCE(users.email, ranked.author) AS email \
             FROM ranked LEFT JOIN users ON users.id = ranked.user_id WHERE ranked.n <= $4 ORDER BY ranked.revision DESC, ranked.path",
        )
        .bind(study)
        .bind(count)
        .bind(skip)
        .bind(files_each)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT revision) FROM file_changes WHERE study_id = $1").bind(study).fetch_one(&self.pool).await?;
        let mut revisions: Vec<RevisionChanges> = Vec::new();
        for row in &rows {
            let change = FileChange::from_row(row)?;
            match revisions.last_mut() {
                Some(last) if last.changes[0].revision == change.revision => last.changes.push(change),
                _ => revisions.push(RevisionChanges { files: row.try_get("files")?, changes: vec![change] }),
            }
        }
        Ok((revisions, total))
    }

    /// Every recorded change of one file of the study, newest first.
    pub async fn file_history(&self, study: i64, path: &str) -> Result<Vec<FileChange>> {
        self.changes(study, Some(path)).await
    }

    /// The recorded changes of the study's files, or of one of them, newest revision first, files in path order.
    async fn changes(&self, study: i64, path: Option<&str>) -> Result<Vec<FileChange>> {
        const ALL: &str = "SELECT file_changes.revision, file_changes.path, file_changes.action, file_changes.at, file_changes.message, COALESCE(users.email, file_changes.author) AS email \
             FROM file_changes LEFT JOIN users ON users.id = file_changes.user_id WHERE file_changes.study_id = $1 \
             ORDER BY file_changes.revision DESC, file_changes.path";
        const ONE: &str = "SELECT file_changes.revision, file_changes.path, file_changes.action, file_changes.at, file_changes.message, COALESCE(users.email, file_changes.author) AS email \
             FROM file_changes LEFT JOIN users ON users.id = file_changes.user_id WHERE file_changes.study_id = $1 AND file_changes.path = $2 \
             ORDER BY file_changes.revision DESC";
        let query = match path {
            None => sqlx::query(ALL).bind(study),
            Some(path) => sqlx::query(ONE).bind(study).bind(path),
        };
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(FileChange::from_row).collect()
    }

    /// The file `path` as it was at `revision`: its bytes, or `None` when it
    /// did not exist then (or its version then is not recorded).
    pub async fn file_at(&self, study: i64, path: &str, revision: i64) -> Result<Option<Vec<u8>>> {
        let recorded = sqlx::query("SELECT content FROM file_changes WHERE study_id = $1 AND path = $2 AND revision <= $3 ORDER BY revision DESC LIMIT 1")
            .bind(study)
            .bind(path)
            .bind(revision)
            .fetch_optional(&self.pool)
            .await?;
        if let Some(row) = recorded {
            return Ok(row.try_get("content")?);
        }
        // Never changed since the history began: the file as it is now, if it already was this version then.
        let current = sqlx::query("SELECT content FROM files WHERE study_id = $1 AND path = $2 AND version <= $3")
            .bind(study)
            .bind(path)
            .bind(revision)
            .fetch_optional(&self.pool)
            .await?;
        Ok(current.map(|row| row.try_get("content")).transpose()?)
    }

    /// Every path the study has or had.
    pub async fn paths_ever(&self, study: i64) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT path FROM files WHERE study_id = $1 UNION SELECT path FROM file_changes WHERE study_id = $1 ORDER BY path")
            .bind(study)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|row| Ok(row.try_get("path")?)).collect()
    }
}

/// A change of a study's files, as [`Store::change_files_noted`] takes it.
pub(crate) struct Edit<'a> {
    pub(crate) study: i64,
    pub(crate) user: i64,
    pub(crate) changes: &'a [Change],
    pub(crate) title: Option<&'a str>,
    pub(crate) checked_at: Option<i64>,
    pub(crate) note: &'a Note,
}

/// [`Store::change_files_noted`]'s work inside a transaction the caller
/// commits, so that other writes (a check-back's confirmation) can be one
/// atomic step with the change.
pub(crate) async fn change_files_in(tx: &mut Transaction<'static, sqlx::Any>, edit: Edit<'_>) -> Result<i64, ChangeError> {
    let Edit { study, user, changes, title, checked_at, note } = edit;
    let revision = bump_revision(tx, study, checked_at).await?;
    for change in changes {
        let current =
            sqlx::query("SELECT version FROM files WHERE study_id = $1 AND path = $2").bind(study).bind(&change.path).fetch_optional(&mut **tx).await?;
        let current: Option<i64> = current.map(|row| row.try_get("version")).transpose()?;
        if current != change.expected {
            // Dropping the transaction rolls back the revision bump too.
            return Err(ChangeError::Conflict { path: change.path.clone(), current });
        }
        record_change(tx, Stamp { study, revision, user }, change, current, note).await?;
        apply_change(tx, Stamp { study, revision, user }, change, current).await?;
    }
    if let Some(title) = title {
        sqlx::query("UPDATE studies SET title = $1 WHERE id = $2").bind(title).bind(study).execute(&mut **tx).await?;
    }
    Ok(revision)
}

/// Who changes which study, and the revision the change makes.
#[derive(Clone, Copy)]
struct Stamp {
    study: i64,
    revision: i64,
    user: i64,
}

/// Takes the study's next revision, only if it is still at `checked_at` when
/// one is given. The row lock taken by this UPDATE (the write lock on SQLite)
/// orders concurrent saves.
async fn bump_revision(tx: &mut Transaction<'static, sqlx::Any>, study: i64, checked_at: Option<i64>) -> Result<i64, ChangeError> {
    let bumped = match checked_at {
        Some(revision) => {
            sqlx::query("UPDATE studies SET revision = revision + 1 WHERE id = $1 AND revision = $2 RETURNING revision")
                .bind(study)
                .bind(revision)
                .fetch_optional(&mut **tx)
                .await?
        }
        None => sqlx::query("UPDATE studies SET revision = revision + 1 WHERE id = $1 RETURNING revision").bind(study).fetch_optional(&mut **tx).await?,
    };
    let Some(row) = bumped else {
        let current = sqlx::query("SELECT revision FROM studies WHERE id = $1").bind(study).fetch_optional(&mut **tx).await?;
        return Err(match current {
            Some(row) => ChangeError::Moved { current: row.try_get("revision")? },
            None => ChangeError::NoStudy,
        });
    };
    Ok(row.try_get("revision")?)
}

/// Writes one change into the history: first the version it replaces, if
/// the history does not hold that yet (see 0003_history.sql), then the change.
async fn record_change(tx: &mut Transaction<'static, sqlx::Any>, stamp: Stamp, change: &Change, current: Option<i64>, note: &Note) -> Result<(), ChangeError> {
    sqlx::query(
        "INSERT INTO file_changes (study_id, revision, path, action, content, at, user_id, message) \
         SELECT study_id, version, path, CASE WHEN version = 1 THEN 'imported' ELSE 'earlier' END, content, updated, updated_by, NULL FROM files \
         WHERE study_id = $1 AND path = $2 AND NOT EXISTS (SELECT 1 FROM file_changes WHERE study_id = $1 AND path = $2)",
    )
    .bind(stamp.study)
    .bind(&change.path)
    .execute(&mut **tx)
    .await?;
    let action = match (&change.content, current) {
        _ if note.restored => "restored",
        (None, _) => "deleted",
        (Some(_), None) => "added",
        (Some(_), Some(_)) => "changed",
    };
    sqlx::query(
        "INSERT INTO file_changes (study_id, revision, path, action, content, at, user_id, message, author) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(stamp.study)
    .bind(stamp.revision)
    .bind(&change.path)
    .bind(action)
    .bind(change.content.clone())
    .bind(now())
    .bind((stamp.user != 0).then_some(stamp.user))
    .bind(note.message.as_deref().filter(|m| !m.trim().is_empty()))
    .bind(note.author.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Puts one change into the study's current files.
async fn apply_change(tx: &mut Transaction<'static, sqlx::Any>, stamp: Stamp, change: &Change, current: Option<i64>) -> Result<(), ChangeError> {
    let Stamp { study, revision, user } = stamp;
    match (&change.content, current) {
        (Some(bytes), Some(_)) => {
            sqlx::query("UPDATE files SET content = $1, version = $2, updated = $3, updated_by = $4 WHERE study_id = $5 AND path = $6")
                .bind(bytes.clone())
                .bind(revision)
                .bind(now())
                .bind(user)
                .bind(study)
                .bind(&change.path)
                .execute(&mut **tx)
                .await?;
        }
        (Some(bytes), None) => {
            sqlx::query("INSERT INTO files (study_id, path, content, version, updated, updated_by) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(study)
                .bind(&change.path)
                .bind(bytes.clone())
                .bind(revision)
                .bind(now())
                .bind(user)
                .execute(&mut **tx)
                .await?;
        }
        (None, _) => {
            sqlx::query("DELETE FROM files WHERE study_id = $1 AND path = $2").bind(study).bind(&change.path).execute(&mut **tx).await?;
        }
    }
    Ok(())
}
