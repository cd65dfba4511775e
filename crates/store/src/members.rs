//! Who belongs to a study, with which role.

use super::*;

/// A member of a study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The member's e-mail address.
    pub email: String,
    /// Their role.
    pub role: Role,
}

impl Store {
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
