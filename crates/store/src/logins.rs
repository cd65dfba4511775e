//! Failed sign-ins, kept in the database: every server over one database
//! counts the same attempts, so a second server behind a balancer gives an
//! attacker no second allowance.

use super::*;

impl Store {
    /// For each of `keys` with at least one failure at or after `since`
    /// (seconds since 1970): how many, and when the oldest of them was.
    pub async fn login_failures_since(&self, keys: &[String], since: i64) -> Result<Vec<(String, i64, i64)>> {
        let mut found = Vec::new();
        for key in keys {
            let row: (i64, Option<i64>) =
                sqlx::query_as("SELECT COUNT(*), MIN(at) FROM login_failures WHERE key = $1 AND at >= $2").bind(key).bind(since).fetch_one(&self.pool).await?;
            if let (count, Some(oldest)) = row
                && count > 0
            {
                found.push((key.clone(), count, oldest));
            }
        }
        Ok(found)
    }

    /// Records a failed sign-in at `at` against every key, and forgets the
    /// failures from before `forget_before`, so the table holds one window's worth.
    pub async fn record_login_failure(&self, keys: &[String], at: i64, forget_before: i64) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(forget_before).execute(&mut *tx).await?;
        for key in keys {
            sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)").bind(key).bind(at).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the failures of `key` (an address that has just signed in).
    pub async fn forget_login_failures(&self, key: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM login_failures WHERE key = $1").bind(key).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
