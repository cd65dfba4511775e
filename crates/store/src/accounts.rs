//! Accounts and sessions: passwords hashed with Argon2id, session tokens stored as
//! their SHA-256 (a cookie's secret never rests in the database).

use super::*;

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

impl Store {
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
}
