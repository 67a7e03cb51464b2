//! Users and their bearer tokens (stored as SHA-256 hashes only).

use chrono::{DateTime, Utc};

use super::{SledStore, encode, get, values};
use crate::domain::{User, UserId};
use crate::secret::Secret;
use crate::store::error::{Result, StoreError};
use crate::store::users::{hash_token, new_token};

impl SledStore {
    /// Creates a user; returns it with its token, which is not stored and cannot be shown
    /// again.
    pub(crate) fn add_user(
        &self,
        name: &str,
        agent_id: Option<&str>,
        id: Option<UserId>,
    ) -> Result<(User, Secret)> {
        self.add_user_expiring(name, agent_id, id, None)
    }

    /// `add_user` with a token that stops working at `expires_at`.
    pub(crate) fn add_user_expiring(
        &self,
        name: &str,
        agent_id: Option<&str>,
        id: Option<UserId>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(User, Secret)> {
        let _w = self.write_lock();
        let id = match id {
            Some(id) => {
                crate::store::ids::check_explicit_id(id, "usuarios")?;
                if self.users.contains_key(id.to_be_bytes())? {
                    return Err(StoreError::Conflict(format!("user {id} already exists")));
                }
                self.bump_id("users", id)?;
                id
            }
            None => self.next_id("users", &self.users)?,
        };
        let token = new_token();
        let user = User {
            id,
            name: name.trim().to_string(),
            agent_id: agent_id
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty()),
            token_hash: hash_token(token.expose()),
            created_at: Utc::now(),
            token_expires_at: expires_at,
        };
        self.users.insert(id.to_be_bytes(), encode(&user)?)?;
        self.tokens
            .insert(user.token_hash.as_bytes(), &id.to_be_bytes())?;
        self.flush()?;
        Ok((user, token))
    }

    pub(crate) fn user(&self, id: UserId) -> Result<Option<User>> {
        get(&self.users, &id.to_be_bytes())
    }

    pub(crate) fn users(&self) -> Result<Vec<User>> {
        values(self.users.iter())
    }

    /// The user a bearer token belongs to (surrounding blanks ignored, as everywhere a
    /// token is compared). Whether it has expired is the caller's to judge.
    pub(crate) fn user_by_token(&self, token: &str) -> Result<Option<User>> {
        match self.tokens.get(hash_token(token.trim()).as_bytes())? {
            Some(id) => Ok(self
                .user(super::be_u64(&id))?
                .filter(|u| u.token_hash == hash_token(token.trim()))),
            None => Ok(None),
        }
    }

    /// Gives the user a new token (the old one stops working at once); returns it once.
    pub(crate) fn rotate_token(
        &self,
        id: UserId,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<Option<(User, Secret)>> {
        let _w = self.write_lock();
        let Some(mut user) = self.user(id)? else {
            return Ok(None);
        };
        let token = new_token();
        self.tokens.remove(user.token_hash.as_bytes())?;
        user.token_hash = hash_token(token.expose());
        user.token_expires_at = expires_at;
        self.users.insert(id.to_be_bytes(), encode(&user)?)?;
        self.tokens
            .insert(user.token_hash.as_bytes(), &id.to_be_bytes())?;
        self.flush()?;
        Ok(Some((user, token)))
    }

    /// Takes the user's token away: no token works for it until one is rotated in.
    pub(crate) fn revoke_token(&self, id: UserId) -> Result<Option<User>> {
        let _w = self.write_lock();
        let Some(mut user) = self.user(id)? else {
            return Ok(None);
        };
        self.tokens.remove(user.token_hash.as_bytes())?;
        user.token_hash = String::new();
        user.token_expires_at = None;
        self.users.insert(id.to_be_bytes(), encode(&user)?)?;
        self.flush()?;
        Ok(Some(user))
    }
}
