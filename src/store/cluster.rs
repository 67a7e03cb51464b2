//! What several `serve` instances on one shared store (PostgreSQL) coordinate through it:
//! a lease per watched batch (exactly one instance polls it upstream), each batch's last
//! snapshot (every instance shows the same one, with the same event ids) and
//! notifications between instances (a new snapshot, a kick). A sled store belongs to one
//! process: it holds every lease and shares nothing.

use std::time::Duration;

use super::{Engine, Result, Store};

/// What another instance said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterEvent {
    /// The batch has a new shared snapshot.
    Snapshot(String),
    /// Something changed for the batch: its poller should poll now.
    Kick(String),
    /// The connection was lost and made again: notifications in between are gone, so
    /// every shared snapshot should be read again.
    Reconnected,
}

/// This instance's subscription to the other instances' notifications.
pub struct ClusterEvents(super::pg::PgEvents);

impl ClusterEvents {
    /// The next notification; after a lost connection, `Reconnected` (it reconnects by
    /// itself).
    pub async fn next(&mut self) -> Result<ClusterEvent> {
        self.0.next().await
    }
}

impl Store {
    /// Whether other processes may use this store at the same time (a database).
    pub fn is_shared(&self) -> bool {
        match &self.engine {
            Engine::Sled(_) => false,
            Engine::Postgres(_) => true,
        }
    }

    /// Takes the batch's lease for `owner`, or renews it: true when `owner` holds it now
    /// (it was free, expired, or already its own). A sled store: always.
    pub async fn lease_batch(&self, batch_id: &str, owner: &str, ttl: Duration) -> Result<bool> {
        match &self.engine {
            Engine::Sled(_) => Ok(true),
            Engine::Postgres(e) => e.lease_batch(batch_id, owner, ttl).await,
        }
    }

    /// Extends the leases `owner` holds on `batch_ids`.
    pub async fn renew_leases(
        &self,
        owner: &str,
        batch_ids: &[String],
        ttl: Duration,
    ) -> Result<()> {
        match &self.engine {
            Engine::Sled(_) => Ok(()),
            Engine::Postgres(e) => e.renew_leases(owner, batch_ids, ttl).await,
        }
    }

    /// Gives a lease up.
    pub async fn release_lease(&self, batch_id: &str, owner: &str) -> Result<()> {
        match &self.engine {
            Engine::Sled(_) => Ok(()),
            Engine::Postgres(e) => e.release_lease(batch_id, owner).await,
        }
    }

    /// Stores a batch's new snapshot (`body`, opaque here) for the other instances and
    /// tells them, only while `owner` holds the batch's lease; true when stored.
    pub async fn share_snapshot(&self, batch_id: &str, owner: &str, body: &str) -> Result<bool> {
        match &self.engine {
            Engine::Sled(_) => Ok(false),
            Engine::Postgres(e) => e.share_snapshot(batch_id, owner, body).await,
        }
    }

    /// The batch's last shared snapshot.
    pub async fn shared_snapshot(&self, batch_id: &str) -> Result<Option<String>> {
        match &self.engine {
            Engine::Sled(_) => Ok(None),
            Engine::Postgres(e) => e.shared_snapshot(batch_id).await,
        }
    }

    /// Asks whichever instance polls the batch to poll it now.
    pub async fn notify_kick(&self, batch_id: &str) -> Result<()> {
        match &self.engine {
            Engine::Sled(_) => Ok(()),
            Engine::Postgres(e) => e.notify_kick(batch_id).await,
        }
    }

    /// Listens to the other instances; None for a store nobody else uses.
    pub async fn cluster_events(&self) -> Result<Option<ClusterEvents>> {
        match &self.engine {
            Engine::Sled(_) => Ok(None),
            Engine::Postgres(e) => Ok(Some(ClusterEvents(e.cluster_events().await?))),
        }
    }
}
