//! Who acts, and what they may see. A group, its clients and its batches belong to the
//! group's owner; anyone else gets the same 404 as for something that does not exist, so
//! ids of others' groups and batches are not even confirmed. The admin (and `--no-auth`
//! on loopback) sees everything; a group without an owner is the admin's only.

use super::{BATCH_GROUP_CACHE, Campaign};
use crate::api::{ApiError, check_batch_id};
use crate::domain::{Group, GroupId, UserId};

/// The one acting: a user (who sees only their own groups) or the admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// None: sees everything (the admin, `--no-auth`).
    user: Option<UserId>,
    /// As the audit log writes it: `user:19`, `admin`, `local`.
    name: String,
}

impl Actor {
    pub fn user(id: UserId) -> Self {
        Self {
            user: Some(id),
            name: format!("user:{id}"),
        }
    }

    /// Sees everything; `name` is how the audit log calls it.
    pub fn admin(name: &str) -> Self {
        Self {
            user: None,
            name: name.to_string(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_admin(&self) -> bool {
        self.user.is_none()
    }

    /// May this actor see what `owner` owns (None: the admin's only)?
    pub fn may_see_owner(&self, owner: Option<UserId>) -> bool {
        match self.user {
            Some(me) => owner == Some(me),
            None => true,
        }
    }
}

impl Campaign {
    /// The group, if it exists and the actor may see it; a 404 otherwise.
    pub async fn owned_group(&self, actor: &Actor, id: GroupId) -> Result<Group, ApiError> {
        self.store()
            .group(id)
            .await?
            .filter(|g| actor.may_see_owner(g.owner))
            .ok_or_else(|| ApiError::group_not_found(id))
    }

    /// Checks that the actor may see the batch `id`. A batch we submitted belongs to its
    /// group's owner; a batch started outside callboard (no record) is the admin's only.
    pub async fn visible_batch(&self, actor: &Actor, id: &str) -> Result<(), ApiError> {
        check_batch_id(id)?;
        if actor.is_admin() {
            return Ok(());
        }
        let owner = self.batch_owner(id).await?;
        if owner.is_some() && actor.may_see_owner(owner) {
            Ok(())
        } else {
            Err(ApiError::batch_not_found(id))
        }
    }

    /// The owner of a batch we submitted: its group's owner. None for a batch started
    /// outside callboard or a group without owner (both the admin's only).
    pub async fn batch_owner(&self, batch_id: &str) -> Result<Option<UserId>, ApiError> {
        let cached = self.batch_groups().get(batch_id).copied();
        let group = match cached {
            Some(g) => g,
            None => {
                let Some(record) = self.store().batch(batch_id).await? else {
                    return Ok(None);
                };
                let mut map = self.batch_groups();
                if map.len() >= BATCH_GROUP_CACHE {
                    map.clear();
                }
                map.insert(batch_id.to_string(), record.group_id);
                record.group_id
            }
        };
        Ok(self.store().group(group).await?.and_then(|g| g.owner))
    }

    /// How many batches' groups are cached (tests check the bound).
    pub fn batch_group_cache_len(&self) -> usize {
        self.batch_groups().len()
    }

    fn batch_groups(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, GroupId>> {
        self.0
            .batch_groups
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}
