//! Durable storage for the web workspace, in SQLite or PostgreSQL.
//!
//! A study is stored as its files, byte for byte: the same `study.toml`,
//! `people.csv` and interview Markdown that a folder holds. Parsing and
//! analysis stay in their own crates; this one only keeps bytes safe, counts
//! versions, and knows who may see what.
//!
//! Every change is one transaction. Each save bumps the study's `revision`
//! and stamps the changed files with it, so a file's version never repeats
//! (even across delete and re-create) and a stale editor is always caught.
//!
//! The same SQL runs on both databases through sqlx's `Any` driver: numbered
//! `$1` parameters (which SQLite also accepts), integers for booleans, and two
//! migration folders that differ only in the spelling of auto-increment and
//! byte columns.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use collabmap_study::MemoryFiles;
use rand::RngCore as _;
use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row, Transaction};

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("cannot update the database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The `--db` address is not one this program can use.
    #[error("{0}")]
    Address(String),
    /// A password could not be hashed.
    #[error("cannot hash the password: {0}")]
    Hash(String),
    /// Something the caller asked for is not allowed (a duplicate user, say).
    #[error("{0}")]
    Refused(String),
}

/// Result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file, in WAL mode.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A member's role in one study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Reads everything.
    Viewer,
    /// Reads and edits interviews, people, projects and the codebook.
    Editor,
    /// Edits, manages members, and may delete the study.
    Owner,
}

impl Role {
    /// The role's name, as stored and as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Owner => "owner",
        }
    }

    /// Parses `owner`, `editor` or `viewer`.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "owner" => Some(Role::Owner),
            _ => None,
        }
    }

    /// Whether the role may change the study's files.
    pub fn can_edit(self) -> bool {
        self >= Role::Editor
    }

    /// Whether the role may manage members and delete the study.
    pub fn can_manage(self) -> bool {
        self == Role::Owner
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Its id.
    pub id: i64,
    /// Its e-mail address, lower-cased.
    pub email: String,
    /// Whether it may add accounts.
    pub admin: bool,
}

/// A signed-in session, as found from its cookie.
#[derive(Debug, Clone)]
pub struct Session {
    /// Whose session it is.
    pub user: User,
    /// The token every state-changing request must echo.
    pub csrf: String,
}

/// A session just created: the secret for the cookie, and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie value; only its hash is stored.
    pub token: String,
    /// The CSRF token.
    pub csrf: String,
}

/// A study as listed for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudySummary {
    /// Its id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The user's role in it.
    pub role: Role,
    /// Its revision, bumped by every save.
    pub revision: i64,
    /// What the stored folder is.
    pub kind: Kind,
}

/// What a stored folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A study (`study.toml`, interviews).
    Study,
    /// A collaboration being assessed (`collaboration.toml`, responses).
    Collaboration,
}

impl Kind {
    /// The kind's name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Study => "study",
            Kind::Collaboration => "collaboration",
        }
    }

    fn parse(text: &str) -> Kind {
        if text == "collaboration" { Kind::Collaboration } else { Kind::Study }
    }
}

/// A respondent's survey link, as found from its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyToken {
    /// The collaboration.
    pub study: i64,
    /// The round.
    pub round: String,
    /// The respondent's identifier.
    pub respondent: String,
    /// Their organisation.
    pub organisation: String,
    /// Their role.
    pub role: String,
}

/// Every file of a study at one revision.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The revision the files belong to.
    pub revision: i64,
    /// The study's title.
    pub title: String,
    /// The files.
    pub files: MemoryFiles,
    /// Each file's version.
    pub versions: HashMap<String, i64>,
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

/// A member of a study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The member's e-mail address.
    pub email: String,
    /// Their role.
    pub role: Role,
}

/// How long a session lasts without signing in again.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(14 * 24 * 3600);

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Normalises an e-mail address for lookups: trimmed and lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The most: hashing is slow on purpose, so an unbounded password is a way to burn the server's time.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Refuses a password that is too short, too long, or only white space.
pub fn check_password(password: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(StoreError::Refused(format!("the password is too short: use at least {MIN_PASSWORD_CHARS} characters")));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(StoreError::Refused(format!("the password is too long: use at most {MAX_PASSWORD_CHARS} characters")));
    }
    if password.trim().is_empty() {
        return Err(StoreError::Refused("the password is only spaces: choose one with letters, digits or signs".into()));
    }
    Ok(())
}

/// Hashes `password` with Argon2id and a random salt (slow on purpose:
/// call it off the async threads).
pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| StoreError::Hash(e.to_string()))
}

/// Whether `password` matches the stored `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash of no one's password, checked when an address is unknown so that
/// a failed login takes as long whether or not the account exists.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

/// The database behind the workspace.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// Whether opening a database may create it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Creation {
    /// A missing SQLite file is created (`serve`, `user add`).
    Allowed,
    /// A missing SQLite file is an error: a mistyped `--db` must not leave an empty database behind.
    Refused,
}

/// Turns a `--db` address into one sqlx accepts, with the SQLite file
/// created on first use when `creation` allows it.
fn connection_url(url: &str, creation: Creation) -> Result<(String, Backend)> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let mut full = format!("sqlite:{rest}");
        if !rest.contains("mode=") && !rest.contains(":memory:") {
            if creation == Creation::Refused {
                let file = rest.trim_start_matches("//").split('?').next().unwrap_or_default();
                if !std::path::Path::new(file).is_file() {
                    return Err(StoreError::Address(format!(
                        "there is no workspace database at {file}: check the --db address (`collabmap serve` and `collabmap user add` create one)"
                    )));
                }
            }
            let mode = if creation == Creation::Allowed { "mode=rwc" } else { "mode=rw" };
            full.push(if rest.contains('?') { '&' } else { '?' });
            full.push_str(mode);
        }
        Ok((full, Backend::Sqlite))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((url.to_string(), Backend::Postgres))
    } else {
        Err(StoreError::Address(format!(
            "cannot use the database address `{url}`: give sqlite://FILE (such as sqlite://collabmap.db) or postgres://USER:PASSWORD@HOST/DATABASE"
        )))
    }
}

impl Store {
    /// Opens the database at `url` (`sqlite://FILE` or `postgres://…`),
    /// creating a SQLite file if needed and bringing the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        Store::connect(url, Creation::Allowed).await
    }

    /// Opens a database that must already exist: a missing SQLite file is
    /// refused rather than created (for commands that only read or add to a
    /// workspace, where a typo in `--db` would otherwise leave an empty one).
    pub async fn open_existing(url: &str) -> Result<Store> {
        Store::connect(url, Creation::Refused).await
    }

    async fn connect(url: &str, creation: Creation) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, backend) = connection_url(url, creation)?;
        let options = AnyPoolOptions::new().max_connections(if backend == Backend::Sqlite { 8 } else { 16 }).acquire_timeout(Duration::from_secs(30));
        let options = if backend == Backend::Sqlite {
            options.after_connect(|connection, _| {
                Box::pin(async move {
                    // A writer waits for another instead of failing at once.
                    sqlx::query("PRAGMA busy_timeout = 10000").execute(&mut *connection).await?;
                    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *connection).await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(&url).await?;
        if backend == Backend::Sqlite {
            // Readers never wait for writers, and a killed process leaves the last commit intact.
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
        }
        let store = Store { pool, backend };
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&store.pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&store.pool).await?,
        }
        Ok(store)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Starts a write transaction. SQLite takes its write lock up front, so
    /// two savers queue instead of one failing when it upgrades a read lock.
    async fn write(&self) -> Result<Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    // ---- accounts -------------------------------------------------------

    /// Adds an account. Refused when the address is taken.
    pub async fn add_user(&self, email: &str, password: &str, admin: bool) -> Result<User> {
        let email = normalise_email(email);
        if !email.contains('@') || email.len() > 254 {
            return Err(StoreError::Refused(format!("`{email}` is not an e-mail address")));
        }
        check_password(password)?;
        let owned = password.to_string();
        let hash = tokio::task::spawn_blocking(move || hash_password(&owned)).await.map_err(|e| StoreError::Hash(e.to_string()))??;
        let mut tx = self.write().await?;
        let taken = sqlx::query("SELECT id FROM users WHERE email = $1").bind(&email).fetch_optional(&mut *tx).await?;
        if taken.is_some() {
            return Err(StoreError::Refused(format!("an account for {email} already exists")));
        }
        let row = sqlx::query("INSERT INTO users (email, password_hash, admin, created) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(&email)
            .bind(&hash)
            .bind(i64::from(admin))
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(User { id: row.try_get("id")?, email, admin })
    }

    /// The account with this address, with its password hash.
    pub async fn user_with_hash(&self, email: &str) -> Result<Option<(User, String)>> {
        let row =
            sqlx::query("SELECT id, email, admin, password_hash FROM users WHERE email = $1").bind(normalise_email(email)).fetch_optional(&self.pool).await?;
        row.map(|row| Ok((user_of(&row)?, row.try_get("password_hash")?))).transpose()
    }

    /// The account with this address.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        Ok(self.user_with_hash(email).await?.map(|(user, _)| user))
    }

    /// How many accounts there are.
    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&self.pool).await?.try_get("n")?)
    }

    // ---- sessions -------------------------------------------------------

    /// Starts a session for `user`.
    pub async fn create_session(&self, user: i64) -> Result<NewSession> {
        let session = NewSession { token: random_token(), csrf: random_token() };
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM sessions WHERE expires < $1").bind(now()).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, expires) VALUES ($1, $2, $3, $4)")
            .bind(token_hash(&session.token))
            .bind(user)
            .bind(&session.csrf)
            .bind(now() + SESSION_LIFETIME.as_secs() as i64)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(session)
    }

    /// The live session with this cookie value.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT users.id, users.email, users.admin, sessions.csrf FROM sessions JOIN users ON users.id = sessions.user_id \
             WHERE sessions.token_hash = $1 AND sessions.expires > $2",
        )
        .bind(token_hash(token))
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok(Session { user: user_of(&row)?, csrf: row.try_get("csrf")? })).transpose()
    }

    /// Ends the session with this cookie value.
    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(token)).execute(&self.pool).await?;
        Ok(())
    }

    // ---- studies --------------------------------------------------------

    /// Stores a new study owned by `owner`, all in one transaction, and returns its id.
    pub async fn create_study(&self, owner: i64, title: &str, files: &MemoryFiles) -> Result<i64> {
        self.create_folder(owner, title, files, Kind::Study).await
    }

    /// Stores a new folder of `kind` owned by `owner`, all in one transaction, and returns its id.
    pub async fn create_folder(&self, owner: i64, title: &str, files: &MemoryFiles, kind: Kind) -> Result<i64> {
        let mut tx = self.write().await?;
        let stamp = now();
        let row = sqlx::query("INSERT INTO studies (title, revision, created, kind) VALUES ($1, 1, $2, $3) RETURNING id")
            .bind(title)
            .bind(stamp)
            .bind(kind.as_str())
            .fetch_one(&mut *tx)
            .await?;
        let id: i64 = row.try_get("id")?;
        sqlx::query("INSERT INTO members (study_id, user_id, role) VALUES ($1, $2, 'owner')").bind(id).bind(owner).execute(&mut *tx).await?;
        for (path, bytes) in files.iter() {
            sqlx::query("INSERT INTO files (study_id, path, content, version, updated, updated_by) VALUES ($1, $2, $3, 1, $4, $5)")
                .bind(id)
                .bind(path)
                .bind(bytes.to_vec())
                .bind(stamp)
                .bind(owner)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// The studies `user` belongs to, newest first.
    pub async fn studies_of(&self, user: i64) -> Result<Vec<StudySummary>> {
        let rows = sqlx::query(
            "SELECT studies.id, studies.title, studies.revision, studies.kind, members.role FROM studies JOIN members ON members.study_id = studies.id \
             WHERE members.user_id = $1 ORDER BY studies.id DESC",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StudySummary {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    revision: row.try_get("revision")?,
                    role: role_of(row)?,
                    kind: Kind::parse(&row.try_get::<String, _>("kind")?),
                })
            })
            .collect()
    }

    /// `user`'s role in `study`, or `None` when they are not a member (or there is no such study).
    pub async fn role(&self, study: i64, user: i64) -> Result<Option<Role>> {
        let row = sqlx::query("SELECT role FROM members WHERE study_id = $1 AND user_id = $2").bind(study).bind(user).fetch_optional(&self.pool).await?;
        row.map(|row| role_of(&row)).transpose()
    }

    /// What the stored folder is.
    pub async fn kind(&self, study: i64) -> Result<Option<Kind>> {
        let row = sqlx::query("SELECT kind FROM studies WHERE id = $1").bind(study).fetch_optional(&self.pool).await?;
        row.map(|row| Ok(Kind::parse(&row.try_get::<String, _>("kind")?))).transpose()
    }

    // ---- survey rounds and links -------------------------------------------

    /// Opens or closes a survey round.
    pub async fn set_round_open(&self, study: i64, round: &str, open: bool) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM survey_rounds WHERE study_id = $1 AND round = $2").bind(study).bind(round).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO survey_rounds (study_id, round, open) VALUES ($1, $2, $3)")
            .bind(study)
            .bind(round)
            .bind(i64::from(open))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The rounds that were ever opened: `true` while open, `false` once closed.
    pub async fn round_states(&self, study: i64) -> Result<HashMap<String, bool>> {
        let rows = sqlx::query("SELECT round, open FROM survey_rounds WHERE study_id = $1").bind(study).fetch_all(&self.pool).await?;
        rows.iter().map(|row| Ok((row.try_get("round")?, row.try_get::<i64, _>("open")? != 0))).collect()
    }

    /// Issues a survey link for a respondent in a round, replacing any earlier
    /// link of theirs; returns the token (only its hash is stored).
    pub async fn issue_token(&self, study: i64, round: &str, respondent: &str, organisation: &str, role: &str) -> Result<String> {
        let token = random_token();
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM survey_tokens WHERE study_id = $1 AND round = $2 AND respondent = $3")
            .bind(study)
            .bind(round)
            .bind(respondent)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO survey_tokens (token_hash, study_id, round, respondent, organisation, role, created) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(token_hash(&token))
            .bind(study)
            .bind(round)
            .bind(respondent)
            .bind(organisation)
            .bind(role)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The survey link with this token.
    pub async fn survey_token(&self, token: &str) -> Result<Option<SurveyToken>> {
        let row = sqlx::query("SELECT study_id, round, respondent, organisation, role FROM survey_tokens WHERE token_hash = $1")
            .bind(token_hash(token))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(SurveyToken {
                study: row.try_get("study_id")?,
                round: row.try_get("round")?,
                respondent: row.try_get("respondent")?,
                organisation: row.try_get("organisation")?,
                role: row.try_get("role")?,
            })
        })
        .transpose()
    }

    /// Links issued per round.
    pub async fn token_counts(&self, study: i64) -> Result<HashMap<String, i64>> {
        let rows = sqlx::query("SELECT round, COUNT(*) AS n FROM survey_tokens WHERE study_id = $1 GROUP BY round").bind(study).fetch_all(&self.pool).await?;
        rows.iter().map(|row| Ok((row.try_get("round")?, row.try_get("n")?))).collect()
    }

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
        let mut versions = HashMap::with_capacity(rows.len());
        for row in rows {
            let path: String = row.try_get("path")?;
            versions.insert(path.clone(), row.try_get("version")?);
            files.insert(path, row.try_get("content")?);
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
        let mut versions = HashMap::with_capacity(rows.len());
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
        // The row lock taken by this UPDATE (the write lock on SQLite) orders concurrent saves.
        let bumped = match checked_at {
            Some(revision) => {
                sqlx::query("UPDATE studies SET revision = revision + 1 WHERE id = $1 AND revision = $2 RETURNING revision")
                    .bind(study)
                    .bind(revision)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => sqlx::query("UPDATE studies SET revision = revision + 1 WHERE id = $1 RETURNING revision").bind(study).fetch_optional(&mut *tx).await?,
        };
        let Some(row) = bumped else {
            let current = sqlx::query("SELECT revision FROM studies WHERE id = $1").bind(study).fetch_optional(&mut *tx).await?;
            return Err(match current {
                Some(row) => ChangeError::Moved { current: row.try_get("revision")? },
                None => ChangeError::NoStudy,
            });
        };
        let revision: i64 = row.try_get("revision")?;
        for change in changes {
            let current =
                sqlx::query("SELECT version FROM files WHERE study_id = $1 AND path = $2").bind(study).bind(&change.path).fetch_optional(&mut *tx).await?;
            let current: Option<i64> = current.map(|row| row.try_get("version")).transpose()?;
            if current != change.expected {
                // Dropping the transaction rolls back the revision bump too.
                return Err(ChangeError::Conflict { path: change.path.clone(), current });
            }
            // The version being replaced, if the history does not hold it yet (see 0003_history.sql).
            sqlx::query(
                "INSERT INTO file_changes (study_id, revision, path, action, content, at, user_id, message) \
                 SELECT study_id, version, path, CASE WHEN version = 1 THEN 'imported' ELSE 'earlier' END, content, updated, updated_by, NULL FROM files \
                 WHERE study_id = $1 AND path = $2 AND NOT EXISTS (SELECT 1 FROM file_changes WHERE study_id = $1 AND path = $2)",
            )
            .bind(study)
            .bind(&change.path)
            .execute(&mut *tx)
            .await?;
            let action = match (&change.content, current) {
                _ if note.restored => "restored",
                (None, _) => "deleted",
                (Some(_), None) => "added",
                (Some(_), Some(_)) => "changed",
            };
            sqlx::query("INSERT INTO file_changes (study_id, revision, path, action, content, at, user_id, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(study)
                .bind(revision)
                .bind(&change.path)
                .bind(action)
                .bind(change.content.clone())
                .bind(now())
                .bind((user != 0).then_some(user))
                .bind(note.message.as_deref().filter(|m| !m.trim().is_empty()))
                .execute(&mut *tx)
                .await?;
            match (&change.content, current) {
                (Some(bytes), Some(_)) => {
                    sqlx::query("UPDATE files SET content = $1, version = $2, updated = $3, updated_by = $4 WHERE study_id = $5 AND path = $6")
                        .bind(bytes.clone())
                        .bind(revision)
                        .bind(now())
                        .bind(user)
                        .bind(study)
                        .bind(&change.path)
                        .execute(&mut *tx)
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
                        .execute(&mut *tx)
                        .await?;
                }
                (None, _) => {
                    sqlx::query("DELETE FROM files WHERE study_id = $1 AND path = $2").bind(study).bind(&change.path).execute(&mut *tx).await?;
                }
            }
        }
        if let Some(title) = title {
            sqlx::query("UPDATE studies SET title = $1 WHERE id = $2").bind(title).bind(study).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(revision)
    }

    /// Every recorded change of the study's files, newest revision first, files in path order.
    pub async fn history(&self, study: i64) -> Result<Vec<FileChange>> {
        let rows = sqlx::query(
            "SELECT file_changes.revision, file_changes.path, file_changes.action, file_changes.at, file_changes.message, users.email \
             FROM file_changes LEFT JOIN users ON users.id = file_changes.user_id WHERE file_changes.study_id = $1 \
             ORDER BY file_changes.revision DESC, file_changes.path",
        )
        .bind(study)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(FileChange {
                    revision: row.try_get("revision")?,
                    path: row.try_get("path")?,
                    action: row.try_get("action")?,
                    at: row.try_get("at")?,
                    by: row.try_get("email")?,
                    message: row.try_get("message")?,
                })
            })
            .collect()
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

    /// Deletes a study with its files and memberships.
    pub async fn delete_study(&self, study: i64) -> Result<()> {
        let mut tx = self.write().await?;
        for statement in [
            "DELETE FROM files WHERE study_id = $1",
            "DELETE FROM members WHERE study_id = $1",
            "DELETE FROM survey_tokens WHERE study_id = $1",
            "DELETE FROM survey_rounds WHERE study_id = $1",
        ] {
            sqlx::query(statement).bind(study).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM studies WHERE id = $1").bind(study).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- members --------------------------------------------------------

    /// The members of a study, owners first.
    pub async fn members(&self, study: i64) -> Result<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT users.email, members.role FROM members JOIN users ON users.id = members.user_id WHERE members.study_id = $1 ORDER BY users.email",
        )
        .bind(study)
        .fetch_all(&self.pool)
        .await?;
        let mut members: Vec<Member> = rows.iter().map(|row| Ok(Member { email: row.try_get("email")?, role: role_of(row)? })).collect::<Result<_>>()?;
        members.sort_by(|a, b| b.role.cmp(&a.role).then(a.email.cmp(&b.email)));
        Ok(members)
    }

    /// Gives `email` the role `role` in `study` (adding them if needed).
    /// Refused when there is no such account, or when it would leave the study without an owner.
    pub async fn set_member(&self, study: i64, email: &str, role: Role) -> Result<()> {
        let Some(user) = self.user_by_email(email).await? else {
            return Err(StoreError::Refused(format!("no account for {}: an administrator adds it with `collabmap user add`", normalise_email(email))));
        };
        let mut tx = self.write().await?;
        let current = sqlx::query("SELECT role FROM members WHERE study_id = $1 AND user_id = $2").bind(study).bind(user.id).fetch_optional(&mut *tx).await?;
        let current = current.map(|row| role_of(&row)).transpose()?;
        if current == Some(Role::Owner) && role != Role::Owner && owner_count(&mut tx, study).await? <= 1 {
            return Err(StoreError::Refused("a study needs at least one owner: make someone else owner first".into()));
        }
        if current.is_some() {
            sqlx::query("UPDATE members SET role = $1 WHERE study_id = $2 AND user_id = $3")
                .bind(role.as_str())
                .bind(study)
                .bind(user.id)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("INSERT INTO members (study_id, user_id, role) VALUES ($1, $2, $3)")
                .bind(study)
                .bind(user.id)
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes `email` from `study`; refused for the last owner.
    pub async fn remove_member(&self, study: i64, email: &str) -> Result<bool> {
        let Some(user) = self.user_by_email(email).await? else { return Ok(false) };
        let mut tx = self.write().await?;
        let current = sqlx::query("SELECT role FROM members WHERE study_id = $1 AND user_id = $2").bind(study).bind(user.id).fetch_optional(&mut *tx).await?;
        let Some(current) = current.map(|row| role_of(&row)).transpose()? else { return Ok(false) };
        if current == Role::Owner && owner_count(&mut tx, study).await? <= 1 {
            return Err(StoreError::Refused("a study needs at least one owner: make someone else owner first".into()));
        }
        sqlx::query("DELETE FROM members WHERE study_id = $1 AND user_id = $2").bind(study).bind(user.id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }
}

async fn owner_count(tx: &mut Transaction<'static, sqlx::Any>, study: i64) -> Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM members WHERE study_id = $1 AND role = 'owner'").bind(study).fetch_one(&mut **tx).await?.try_get("n")?)
}

fn user_of(row: &AnyRow) -> Result<User> {
    Ok(User { id: row.try_get("id")?, email: row.try_get("email")?, admin: row.try_get::<i64, _>("admin")? != 0 })
}

fn role_of(row: &AnyRow) -> Result<Role> {
    let text: String = row.try_get("role")?;
    Role::parse(&text).ok_or_else(|| StoreError::Refused(format!("unknown role `{text}` in the database")))
}

#[cfg(any(test, feature = "testing"))]
pub mod testing {
    //! Throw-away databases for tests: a SQLite file, and a fresh database
    //! on the PostgreSQL server named by `COLLABMAP_TEST_POSTGRES`.
    //!
    //! The PostgreSQL one is not optional: `./scripts/test` installs and
    //! starts a server and sets the variable, and a test run without it
    //! fails rather than quietly testing one database only.

    use sqlx::Connection as _;

    use super::Backend;

    /// The variable naming a PostgreSQL server for tests, such as
    /// `postgres://collabmap:collabmap@127.0.0.1:5432/postgres`.
    pub const POSTGRES_ENV: &str = "COLLABMAP_TEST_POSTGRES";

    /// A database that exists for one test.
    #[derive(Debug)]
    pub struct TestDatabase {
        /// Its address, for `Store::open`.
        pub url: String,
        /// Which database it is.
        pub backend: Backend,
        server: Option<(String, String)>,
        folder: Option<std::path::PathBuf>,
    }

    fn unique_name() -> String {
        use rand::RngCore as _;
        format!("collabmap_test_{}_{:08x}", std::process::id(), rand::rng().next_u32())
    }

    /// A fresh SQLite database in its own temporary folder.
    pub fn sqlite() -> TestDatabase {
        let folder = std::env::temp_dir().join(unique_name());
        let _ = std::fs::create_dir_all(&folder);
        TestDatabase { url: format!("sqlite://{}", folder.join("test.db").display()), backend: Backend::Sqlite, server: None, folder: Some(folder) }
    }

    /// A fresh database on the test PostgreSQL server.
    ///
    /// # Panics
    /// When `COLLABMAP_TEST_POSTGRES` is not set or the server refuses: the
    /// message says how to provide one.
    pub async fn postgres() -> TestDatabase {
        let Ok(server) = std::env::var(POSTGRES_ENV) else {
            panic!(
                "{POSTGRES_ENV} is not set: run ./scripts/test, which installs and starts PostgreSQL, or point it at a server, e.g. postgres://collabmap:collabmap@127.0.0.1:5432/postgres"
            );
        };
        sqlx::any::install_default_drivers();
        let name = unique_name();
        let mut admin = sqlx::AnyConnection::connect(&server).await.unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server at {server}: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
        let _ = admin.close().await;
        let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base);
        TestDatabase { url: format!("{base}/{name}"), backend: Backend::Postgres, server: Some((server.clone(), name)), folder: None }
    }

    /// One of each database.
    pub async fn every_backend() -> Vec<TestDatabase> {
        vec![sqlite(), postgres().await]
    }

    impl TestDatabase {
        /// Removes the database (call after closing every store on it).
        pub async fn remove(self) {
            if let Some(folder) = &self.folder {
                let _ = std::fs::remove_dir_all(folder);
            }
            if let Some((server, name)) = &self.server
                && let Ok(mut admin) = sqlx::AnyConnection::connect(server).await
            {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(&mut admin).await;
            }
        }
    }
}
