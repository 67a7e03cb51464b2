//! Users and their bearer tokens (stored as SHA-256 hashes only).

use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::Store;
use super::error::Result;
use crate::domain::{User, UserId};
use crate::secret::Secret;

/// SHA-256 of a token, hex.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token: `cb_` and 32 random bytes in hex.
pub fn new_token() -> Secret {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    Secret::new(format!("cb_{}", hex::encode(bytes)))
}

impl Store {
    /// Creates a user; returns it with its token, which is not stored and cannot be shown
    /// again.
    pub async fn add_user(
        &self,
        name: &str,
        agent_id: Option<&str>,
        id: Option<UserId>,
    ) -> Result<(User, Secret)> {
        on_engine!(self.add_user(name, agent_id, id))
    }

    /// `add_user` with a token that stops working at `expires_at`.
    pub async fn add_user_expiring(
        &self,
        name: &str,
        agent_id: Option<&str>,
        id: Option<UserId>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(User, Secret)> {
        on_engine!(self.add_user_expiring(name, agent_id, id, expires_at))
    }

    pub async fn user(&self, id: UserId) -> Result<Option<User>> {
        on_engine!(self.user(id))
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        on_engine!(self.users())
    }

    /// The user a bearer token belongs to (surrounding blanks ignored, as everywhere a
    /// token is compared). Whether it has expired is the caller's to judge.
    pub async fn user_by_token(&self, token: &str) -> Result<Option<User>> {
        on_engine!(self.user_by_token(token))
    }

    /// Gives the user a new token (the old one stops working at once); returns it once.
    pub async fn rotate_token(
        &self,
        id: UserId,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<Option<(User, Secret)>> {
        on_engine!(self.rotate_token(id, expires_at))
    }

    /// Takes the user's token away: no token works for it until one is rotated in.
    pub async fn revoke_token(&self, id: UserId) -> Result<Option<User>> {
        on_engine!(self.revoke_token(id))
    }
}
