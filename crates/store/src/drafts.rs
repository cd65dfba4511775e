//! Drafts of interviews being typed: kept whatever their problems, never part
//! of the study, one per interview, gone once the interview is saved.

use super::*;

/// An interview's draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The interview's name (its file name without `.md`).
    pub interview: String,
    /// The text as last typed.
    pub text: String,
    /// When it was last kept (seconds since 1970).
    pub saved_at: i64,
    /// Who kept it, by e-mail address.
    pub saved_by: Option<String>,
}

/// A draft as a list shows it: whose, when, by whom, without its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftNote {
    /// The interview's name (its file name without `.md`).
    pub interview: String,
    /// When it was last kept (seconds since 1970).
    pub saved_at: i64,
    /// Who kept it, by e-mail address.
    pub saved_by: Option<String>,
}

impl Store {
    /// Keeps `text` as the draft of `interview`, replacing any earlier draft of
    /// it; returns when it was kept.
    pub async fn save_draft(&self, study: i64, interview: &str, user: i64, text: &str) -> Result<i64> {
        let at = now();
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM drafts WHERE study_id = $1 AND interview = $2").bind(study).bind(interview).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO drafts (study_id, interview, text, saved_at, saved_by) VALUES ($1, $2, $3, $4, $5)")
            .bind(study)
            .bind(interview)
            .bind(text)
            .bind(at)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(at)
    }

    /// The draft of `interview`, if there is one.
    pub async fn draft(&self, study: i64, interview: &str) -> Result<Option<Draft>> {
        Ok(self.drafts_where(study, Some(interview)).await?.pop())
    }

    /// Every draft of the study, by interview name.
    pub async fn drafts(&self, study: i64) -> Result<Vec<Draft>> {
        self.drafts_where(study, None).await
    }

    /// Removes the draft of `interview` (once the interview is saved, or when
    /// its editor discards it).
    pub async fn discard_draft(&self, study: i64, interview: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM drafts WHERE study_id = $1 AND interview = $2").bind(study).bind(interview).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The `limit` drafts of the study kept most recently, newest first
    /// (without their text), and how many it has in all: the dashboard lists
    /// these, whatever number were started and left.
    pub async fn latest_drafts(&self, study: i64, limit: i64) -> Result<(Vec<DraftNote>, i64)> {
        let rows = sqlx::query(
            "SELECT drafts.interview, drafts.saved_at, users.email FROM drafts LEFT JOIN users ON users.id = drafts.saved_by \
             WHERE drafts.study_id = $1 ORDER BY drafts.saved_at DESC, drafts.interview LIMIT $2",
        )
        .bind(study)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM drafts WHERE study_id = $1").bind(study).fetch_one(&self.pool).await?;
        let notes = rows
            .iter()
            .map(|row| Ok(DraftNote { interview: row.try_get("interview")?, saved_at: row.try_get("saved_at")?, saved_by: row.try_get("email")? }))
            .collect::<Result<_>>()?;
        Ok((notes, total))
    }

    async fn drafts_where(&self, study: i64, interview: Option<&str>) -> Result<Vec<Draft>> {
        const SELECT: &str = "SELECT drafts.interview, drafts.text, drafts.saved_at, users.email FROM drafts LEFT JOIN users ON users.id = drafts.saved_by \
                              WHERE drafts.study_id = $1";
        let rows = match interview {
            Some(interview) => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} AND drafts.interview = $2"))).bind(study).bind(interview).fetch_all(&self.pool).await?
            }
            None => sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY drafts.interview"))).bind(study).fetch_all(&self.pool).await?,
        };
        rows.iter()
            .map(|row| {
                Ok(Draft {
                    interview: row.try_get("interview")?,
                    text: row.try_get("text")?,
                    saved_at: row.try_get("saved_at")?,
                    saved_by: row.try_get("email")?,
                })
            })
            .collect()
    }
}
