//! Survey rounds of a collaboration and the one-use links of its respondents.

use super::*;

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

impl Store {
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
}
