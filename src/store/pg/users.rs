//! Users and their bearer tokens (SHA-256 hashes only, unique among live tokens).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::{PgStore, doc, ids_exhausted, sql_id, undoc, undoc_rows};
use crate::domain::{User, UserId};
use crate::secret::Secret;
use crate::store::error::{Result, StoreError};
use crate::store::users::{hash_token, new_token};

impl PgStore {
    /// Creates a user; returns it with its token, which is not stored and cannot be shown
    /// again.
    pub async fn add_user(
        &self,
        name: &str,
        agent_id: Option<&str>,
        id: Option<UserId>,
    ) -> Result<(User, Secret)> {
        self.add_user_expiring(name, agent_id, id, None).await
    }

    /// `add_user` with a token that stops working at `expires_at`.
    pub async fn add_user_expiring(
        &self,
        name: &str,
        agent_id: Option<&str>,
        id: Option<UserId>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(User, Secret)> {
        let token = new_token();
        let mut user = User {
            id: 0,
            name: name.trim().to_string(),
            agent_id: agent_id
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty()),
            token_hash: hash_token(token.expose()),
            created_at: Utc::now(),
            token_expires_at: expires_at,
        };
        let mut conn = self.pool.acquire().await?;
        match id {
            Some(id) => {
                crate::store::ids::check_explicit_id(id, "usuarios")?;
                user.id = id;
                if !insert_user(&mut conn, &user).await? {
                    return Err(StoreError::Conflict(format!("user {id} already exists")));
                }
                sqlx::query(
                    "SELECT setval('user_ids', $1) WHERE $1 > (SELECT last_value FROM user_ids)",
                )
                .bind(sql_id(id))
                .execute(&mut *conn)
                .await?;
            }
            // An id taken by an explicit one is skipped: the next is tried.
            None => loop {
                let next: i64 = sqlx::query_scalar("SELECT nextval('user_ids')")
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(|e| ids_exhausted(e, "users"))?;
                user.id = next as u64;
                if insert_user(&mut conn, &user).await? {
                    break;
                }
            },
        }
        Ok((user, token))
    }

    pub async fn user(&self, id: UserId) -> Result<Option<User>> {
        let row: Option<String> = sqlx::query_scalar("SELECT doc::text FROM users WHERE id = $1")
            .bind(sql_id(id))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|d| undoc(&format!("users/{id}"), &d)).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query("SELECT doc::text AS doc FROM users ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        undoc_rows("users", &rows)
    }

    /// The user a bearer token belongs to (surrounding blanks ignored, as everywhere a
    /// token is compared). Whether it has expired is the caller's to judge.
    pub async fn user_by_token(&self, token: &str) -> Result<Option<User>> {
        let hash = hash_token(token.trim());
        let row: Option<String> = sqlx::query_scalar(
            "SELECT doc::text FROM users WHERE token_hash = $1 AND token_hash <> ''",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|d| undoc::<User>("users", &d))
            .transpose()?
            .filter(|u| u.token_hash == hash))
    }

    /// Gives the user a new token (the old one stops working at once); returns it once.
    pub async fn rotate_token(
        &self,
        id: UserId,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<Option<(User, Secret)>> {
        let token = new_token();
        let hash = hash_token(token.expose());
        let user = self
            .change_user(id, |u| {
                u.token_hash = hash.clone();
                u.token_expires_at = expires_at;
            })
            .await?;
        Ok(user.map(|u| (u, token)))
    }

    /// Takes the user's token away: no token works for it until one is rotated in.
    pub async fn revoke_token(&self, id: UserId) -> Result<Option<User>> {
        self.change_user(id, |u| {
            u.token_hash = String::new();
            u.token_expires_at = None;
        })
        .await
    }

    /// Reads, changes and writes back a user in one transaction (row locked).
    async fn change_user(
        &self,
        id: UserId,
        change: impl FnOnce(&mut User),
    ) -> Result<Option<User>> {
        let mut tx = self.pool.begin().await?;
        let row: Option<String> =
            sqlx::query_scalar("SELECT doc::text FROM users WHERE id = $1 FOR UPDATE")
                .bind(sql_id(id))
                .fetch_optional(&mut *tx)
                .await?;
        let Some(d) = row else {
            return Ok(None);
        };
        let mut user: User = undoc(&format!("users/{id}"), &d)?;
        change(&mut user);
        sqlx::query("UPDATE users SET token_hash = $2, doc = $3::json WHERE id = $1")
            .bind(sql_id(id))
            .bind(&user.token_hash)
            .bind(doc(&user)?)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(user))
    }
}

/// Inserts a user unless its id is taken; whether it was inserted.
async fn insert_user(conn: &mut PgConnection, user: &User) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO users (id, token_hash, doc) VALUES ($1, $2, $3::json) ON CONFLICT (id) DO NOTHING",
    )
    .bind(sql_id(user.id))
    .bind(&user.token_hash)
    .bind(doc(user)?)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
