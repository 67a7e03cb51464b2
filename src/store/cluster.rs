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
pub struct ClusterEvents(Events);

enum Events {}

impl ClusterEvents {
    /// The next notification.
    pub async fn next(&mut self) -> Result<ClusterEvent> {
        match self.0 {}
    }
}

impl Store {
    /// Whether other processes may use this store at the same time (a database).
    pub fn is_shared(&self) -> bool {
        match &self.engine {
            Engine::Sled(_) => false,
        }
    }

    /// Takes the batch's lease for `owner`, or renews it: true when `owner` holds it now
    /// (it was free, expired, or already its own). A sled store: always.
    pub async fn lease_batch(&self, batch_id: &str, owner: &str, ttl: Duration) -> Result<bool> {
        let _ = (batch_id, owner, ttl);
        match &self.engine {
            Engine::Sled(_) => Ok(true),
        }
    }

    /// Extends the leases `owner` holds on `batch_ids`.
    pub async fn renew_leases(
        &self,
        owner: &str,
        batch_ids: &[String],
        ttl: Duration,
    ) -> Result<()> {
        let _ = (owner, batch_ids, ttl);
        match &self.engine {
            Engine::Sled(_) => Ok(()),
        }
    }

    /// Gives a lease up.
    pub async fn release_lease(&self, batch_id: &str, owner: &str) -> Result<()> {
        let _ = (batch_id, owner);
        match &self.engine {
            Engine::Sled(_) => Ok(()),
        }
    }

    /// Stores a batch's new snapshot (`body`, opaque here) for the other instances and
    /// tells them, only while `owner` holds the batch's lease; true when stored.
    pub async fn share_snapshot(&self, batch_id: &str, owner: &str, body: &str) -> Result<bool> {
        let _ = (batch_id, owner, body);
        match &self.engine {
            Engine::Sled(_) => Ok(false),
        }
    }

    /// The batch's last shared snapshot.
    pub async fn shared_snapshot(&self, batch_id: &str) -> Result<Option<String>> {
        let _ = batch_id;
        match &self.engine {
            Engine::Sled(_) => Ok(None),
        }
    }

    /// Asks whichever instance polls the batch to poll it now.
    pub async fn notify_kick(&self, batch_id: &str) -> Result<()> {
        let _ = batch_id;
        match &self.engine {
            Engine::Sled(_) => Ok(()),
        }
    }

    /// Listens to the other instances; None for a store nobody else uses.
    pub async fn cluster_events(&self) -> Result<Option<ClusterEvents>> {
        match &self.engine {
            Engine::Sled(_) => Ok(None),
        }
    }
}
