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

mod accounts;
mod checkbacks;
mod drafts;
mod history;
mod logins;
mod members;
mod studies;
mod surveys;

pub use accounts::{
    MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, NewSession, Session, User, check_password, decoy_hash, hash_password, normalise_email, verify_password,
};
pub use checkbacks::{CheckBack, CheckBackState, ConfirmError, NewSuggestion, Suggestion};
pub use drafts::{Draft, DraftNote};
pub use history::{Change, ChangeError, FileChange, Note, RevisionChanges, Snapshot, Versions};
pub use members::Member;
pub use studies::{Kind, StudySummary};
pub use surveys::SurveyToken;

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
pub mod testing;
