//! A lock on one group across every process on the database: a transaction holding a
//! transaction-level advisory lock. Dropping the guard ends the transaction (rolled back,
//! nothing was written in it), which lets the lock go; so does the death of the process
//! (its connection closes).

use sqlx::{Postgres, Transaction};

use super::PgStore;
use crate::domain::GroupId;
use crate::store::error::Result;

/// The first key of callboard's group locks (the second is the group): advisory locks of
/// other kinds use other namespaces.
pub const GROUP_LOCK_NAMESPACE: i32 = 0x6362_0001;

/// Held while one process submits or settles for a group; see [`PgStore::group_guard`].
pub struct GroupGuard {
    _tx: Transaction<'static, Postgres>,
}

impl std::fmt::Debug for GroupGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GroupGuard")
    }
}

impl PgStore {
    /// Waits until no other holder (in any process) has `group`, then holds it until the
    /// guard drops. Each guard keeps one pooled connection.
    pub async fn group_guard(&self, group: GroupId) -> Result<GroupGuard> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind(GROUP_LOCK_NAMESPACE)
            .bind(lock_key(group))
            .execute(&mut *tx)
            .await?;
        Ok(GroupGuard { _tx: tx })
    }
}

/// The group as the lock's 32-bit second key: ids past 2^32 fold onto smaller ones, which
/// can only make two groups wait for each other, never let two holders of one group in.
fn lock_key(group: GroupId) -> i32 {
    ((group as u32) ^ ((group >> 32) as u32)) as i32
}
