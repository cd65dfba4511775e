//! Studies and collaborations as rows: created with their files, listed per
//! member, deleted with everything that hangs on them.

use super::*;

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

impl Store {
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
}
