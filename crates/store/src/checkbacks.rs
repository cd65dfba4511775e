//! Check-back links: an interviewee reads their map through a token link (no
//! account), gives consent and suggests changes; the confirmation and the
//! change it makes to the study are one transaction.

use super::*;
use crate::history::{Edit, change_files_in};

/// A check-back link, as found from its token or listed for a study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckBack {
    /// The link's number (not its token, which only its holder knows).
    pub id: i64,
    /// The study.
    pub study: i64,
    /// The interview's name.
    pub interview: String,
    /// The attendee it was made for (a person id).
    pub person: String,
    /// When it was made (seconds since 1970).
    pub created: i64,
    /// Who made it, by e-mail address.
    pub created_by: Option<String>,
    /// When it stops working.
    pub expires: i64,
    /// When an editor revoked it.
    pub revoked: Option<i64>,
    /// When the interviewee confirmed.
    pub confirmed: Option<i64>,
    /// What they chose (JSON written by the server), once confirmed.
    pub consent: Option<String>,
}

/// Where a check-back link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckBackState {
    /// It can be opened and confirmed.
    Open,
    /// The interviewee confirmed; it changes nothing again.
    Confirmed,
    /// An editor revoked it (or made a new one for the same attendee).
    Revoked,
    /// Its time ran out before it was confirmed.
    Expired,
}

impl CheckBack {
    /// Where the link stands at time `now`.
    pub fn state(&self, now: i64) -> CheckBackState {
        match (self.confirmed, self.revoked) {
            (Some(_), _) => CheckBackState::Confirmed,
            (None, Some(_)) => CheckBackState::Revoked,
            (None, None) if now >= self.expires => CheckBackState::Expired,
            (None, None) => CheckBackState::Open,
        }
    }
}

/// A change an interviewee suggested, for the editors to accept or decline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSuggestion {
    /// The line of the concept or quote in the interview file.
    pub line: i64,
    /// `concept` or `quote`.
    pub kind: String,
    /// The words as they were shown.
    pub original: String,
    /// The words the interviewee suggests.
    pub suggestion: String,
}

/// A suggested change as the editors review it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// Its number.
    pub id: i64,
    /// The interview's name.
    pub interview: String,
    /// Who suggested it (a person id).
    pub person: String,
    /// What was suggested.
    pub change: NewSuggestion,
    /// When.
    pub created: i64,
    /// `accepted` or `declined`, once an editor decided.
    pub decision: Option<String>,
    /// Who decided, by e-mail address.
    pub decided_by: Option<String>,
}

/// Why a confirmation was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    /// The link was confirmed, revoked or expired before this confirmation.
    #[error("the check-back link is no longer open")]
    Closed,
    /// The change to the study could not be made.
    #[error(transparent)]
    Change(#[from] ChangeError),
}

impl From<sqlx::Error> for ConfirmError {
    fn from(error: sqlx::Error) -> Self {
        ConfirmError::Change(ChangeError::Store(error.into()))
    }
}

impl From<StoreError> for ConfirmError {
    fn from(error: StoreError) -> Self {
        ConfirmError::Change(ChangeError::Store(error))
    }
}

const CHECKBACK_COLUMNS: &str = "checkbacks.id, checkbacks.study_id, checkbacks.interview, checkbacks.person, checkbacks.created, users.email, \
                                 checkbacks.expires, checkbacks.revoked, checkbacks.confirmed, checkbacks.consent \
                                 FROM checkbacks LEFT JOIN users ON users.id = checkbacks.created_by";

impl Store {
    /// Makes a check-back link for `person` on `interview`, open for `days`
    /// days; an earlier open link of theirs for that interview is revoked, so
    /// each attendee has one. Returns the token (only its hash is stored).
    pub async fn issue_checkback(&self, study: i64, interview: &str, person: &str, user: i64, days: i64) -> Result<String> {
        let token = random_token();
        let at = now();
        let mut tx = self.write().await?;
        sqlx::query("UPDATE checkbacks SET revoked = $1 WHERE study_id = $2 AND interview = $3 AND person = $4 AND confirmed IS NULL AND revoked IS NULL")
            .bind(at)
            .bind(study)
            .bind(interview)
            .bind(person)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO checkbacks (token_hash, study_id, interview, person, created, created_by, expires) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(token_hash(&token))
            .bind(study)
            .bind(interview)
            .bind(person)
            .bind(at)
            .bind(user)
            .bind(at.saturating_add(days.saturating_mul(86_400)))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The check-back link with this token.
    pub async fn checkback(&self, token: &str) -> Result<Option<CheckBack>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {CHECKBACK_COLUMNS} WHERE checkbacks.token_hash = $1")))
            .bind(token_hash(token))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(checkback_from).transpose()
    }

    /// Every check-back link of the study, or of one of its interviews, newest first.
    pub async fn checkbacks(&self, study: i64, interview: Option<&str>) -> Result<Vec<CheckBack>> {
        let rows = match interview {
            Some(interview) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {CHECKBACK_COLUMNS} WHERE checkbacks.study_id = $1 AND checkbacks.interview = $2 ORDER BY checkbacks.id DESC"
                )))
                .bind(study)
                .bind(interview)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {CHECKBACK_COLUMNS} WHERE checkbacks.study_id = $1 ORDER BY checkbacks.id DESC")))
                    .bind(study)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(checkback_from).collect()
    }

    /// The study's `limit` newest check-back links, newest first: what a
    /// page shows of a list that grows with the study.
    pub async fn latest_checkbacks(&self, study: i64, limit: i64) -> Result<Vec<CheckBack>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {CHECKBACK_COLUMNS} WHERE checkbacks.study_id = $1 ORDER BY checkbacks.id DESC LIMIT $2")))
            .bind(study)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(checkback_from).collect()
    }

    /// How many attendees (interview and person) of the study have been sent a check-back link.
    pub async fn checkback_attendees(&self, study: i64) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS attendees FROM (SELECT DISTINCT interview, person FROM checkbacks WHERE study_id = $1) sent")
            .bind(study)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("attendees")?)
    }

    /// Suggestions no editor has decided yet, counted per interview and person.
    pub async fn waiting_suggestions(&self, study: i64) -> Result<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT s.interview, checkbacks.person, COUNT(*) AS waiting FROM checkback_suggestions s JOIN checkbacks ON checkbacks.id = s.checkback_id \
             WHERE s.study_id = $1 AND s.decision IS NULL GROUP BY s.interview, checkbacks.person",
        )
        .bind(study)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| Ok((row.try_get("interview")?, row.try_get("person")?, row.try_get("waiting")?))).collect()
    }

    /// Revokes an open link of the study; `false` when there is no such open link.
    pub async fn revoke_checkback(&self, study: i64, id: i64) -> Result<bool> {
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE checkbacks SET revoked = $1 WHERE id = $2 AND study_id = $3 AND confirmed IS NULL AND revoked IS NULL")
            .bind(now())
            .bind(id)
            .bind(study)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the interviewee's confirmation: the link is closed with their
    /// `consent`, their suggestions are kept for review, and `changes` (their
    /// consent written into the study, checked at revision `checked_at`) are
    /// applied, all in one transaction. A link closed meanwhile (confirmed in
    /// another tab, revoked, expired) changes nothing.
    pub async fn confirm_checkback(
        &self,
        checkback: &CheckBack,
        consent: &str,
        suggestions: &[NewSuggestion],
        changes: &[Change],
        checked_at: i64,
        note: &Note,
    ) -> std::result::Result<i64, ConfirmError> {
        let at = now();
        let mut tx = self.write().await?;
        // Taking the link first orders two confirmations of it: the second finds it closed.
        let claimed =
            sqlx::query("UPDATE checkbacks SET confirmed = $1, consent = $2 WHERE id = $3 AND confirmed IS NULL AND revoked IS NULL AND expires > $1")
                .bind(at)
                .bind(consent)
                .bind(checkback.id)
                .execute(&mut *tx)
                .await?;
        if claimed.rows_affected() != 1 {
            return Err(ConfirmError::Closed);
        }
        for suggestion in suggestions {
            sqlx::query(
                "INSERT INTO checkback_suggestions (checkback_id, study_id, interview, line, kind, original, suggestion, created) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(checkback.id)
            .bind(checkback.study)
            .bind(&checkback.interview)
            .bind(suggestion.line)
            .bind(&suggestion.kind)
            .bind(&suggestion.original)
            .bind(&suggestion.suggestion)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        let revision = change_files_in(&mut tx, Edit { study: checkback.study, user: 0, changes, title: None, checked_at: Some(checked_at), note }).await?;
        tx.commit().await?;
        Ok(revision)
    }

    /// The suggestions made on the study's interviews (or on one), oldest first.
    pub async fn suggestions(&self, study: i64, interview: Option<&str>) -> Result<Vec<Suggestion>> {
        const SELECT: &str = "SELECT s.id, s.interview, checkbacks.person, s.line, s.kind, s.original, s.suggestion, s.created, s.decision, users.email \
                              FROM checkback_suggestions s JOIN checkbacks ON checkbacks.id = s.checkback_id LEFT JOIN users ON users.id = s.decided_by \
                              WHERE s.study_id = $1";
        let rows = match interview {
            Some(interview) => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} AND s.interview = $2 ORDER BY s.id")))
                    .bind(study)
                    .bind(interview)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY s.id"))).bind(study).fetch_all(&self.pool).await?,
        };
        rows.iter()
            .map(|row| {
                Ok(Suggestion {
                    id: row.try_get("id")?,
                    interview: row.try_get("interview")?,
                    person: row.try_get("person")?,
                    change: NewSuggestion {
                        line: row.try_get("line")?,
                        kind: row.try_get("kind")?,
                        original: row.try_get("original")?,
                        suggestion: row.try_get("suggestion")?,
                    },
                    created: row.try_get("created")?,
                    decision: row.try_get("decision")?,
                    decided_by: row.try_get("email")?,
                })
            })
            .collect()
    }

    /// Records an editor's decision on an undecided suggestion; `false` when
    /// there is no such suggestion or it was already decided.
    pub async fn decide_suggestion(&self, study: i64, id: i64, accepted: bool, user: i64) -> Result<bool> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE checkback_suggestions SET decision = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND study_id = $5 AND decision IS NULL",
        )
        .bind(if accepted { "accepted" } else { "declined" })
        .bind(user)
        .bind(now())
        .bind(id)
        .bind(study)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}

fn checkback_from(row: &sqlx::any::AnyRow) -> Result<CheckBack> {
    Ok(CheckBack {
        id: row.try_get("id")?,
        study: row.try_get("study_id")?,
        interview: row.try_get("interview")?,
        person: row.try_get("person")?,
        created: row.try_get("created")?,
        created_by: row.try_get("email")?,
        expires: row.try_get("expires")?,
        revoked: row.try_get("revoked")?,
        confirmed: row.try_get("confirmed")?,
        consent: row.try_get("consent")?,
    })
}
