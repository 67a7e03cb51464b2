//! Groups from before groups had owners: once, at the first open, a group whose batches
//! were all started by one user becomes that user's; any other stays the admin's only
//! (the admin gives it to someone with `PUT /api/groups/:id/owner`).

use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};

use super::{SledStore, decode, encode};
use crate::domain::{Group, GroupId, UserId};
use crate::store::error::Result;

const DONE: &str = "migrated/group_owners";

#[derive(Deserialize)]
struct Starter {
    group_id: GroupId,
    user_id: UserId,
}

impl SledStore {
    pub(super) fn give_old_groups_owners(&self) -> Result<()> {
        if self.meta.contains_key(DONE)? {
            return Ok(());
        }
        let mut starters: HashMap<GroupId, BTreeSet<UserId>> = HashMap::new();
        for kv in self.batches.iter() {
            let (k, v) = kv?;
            let s: Starter = decode(&String::from_utf8_lossy(&k), &v)?;
            starters.entry(s.group_id).or_default().insert(s.user_id);
        }
        for kv in self.groups.iter() {
            let (k, v) = kv?;
            let mut g: Group = decode("groups", &v)?;
            let only = starters.get(&g.id).filter(|u| u.len() == 1);
            if g.owner.is_none()
                && let Some(user) = only.and_then(|u| u.first())
            {
                g.owner = Some(*user);
                self.groups.insert(k, encode(&g)?)?;
                tracing::info!(
                    group = g.id,
                    owner = user,
                    "old group given to the user of its batches"
                );
            }
        }
        self.meta.insert(DONE, vec![1u8])?;
        self.flush()
    }
}
