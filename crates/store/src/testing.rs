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

/// Moves every open check-back link of `study` past its expiry, as time
/// would: the tests cannot wait days.
///
/// # Panics
/// When the database refuses.
pub async fn expire_checkbacks(store: &crate::Store, study: i64) {
    sqlx::query("UPDATE checkbacks SET expires = 0 WHERE study_id = $1 AND confirmed IS NULL AND revoked IS NULL")
        .bind(study)
        .execute(&store.pool)
        .await
        .unwrap_or_else(|e| panic!("cannot expire the links: {e}"));
}
