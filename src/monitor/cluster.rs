//! Several `serve` instances on one shared store (PostgreSQL). Each watched batch has one
//! lease in the store: the instance holding it polls ElevenLabs, applies the policies and
//! stores every snapshot it publishes; the others follow, showing the stored snapshots
//! to their own viewers (same event ids, so a viewer resumes on any instance), and take
//! the lease over when its holder stops renewing it (a crash, `kill -9`). On a store of
//! one process (sled) every poller holds its batch, as before.

use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

use super::snapshot::{SharedParts, Snapshot};
use super::state::Inner;
use crate::api::BatchStatusView;
use crate::store::ClusterEvent;

/// How long a lease lasts without renewal: a dead holder's batches are taken over after
/// at most this long plus one `TICK`.
pub(super) const LEASE_TTL: Duration = Duration::from_secs(5);
/// How often leases are renewed, and how often a follower reads the stored snapshot and
/// tries the lease without being told.
pub(super) const TICK: Duration = Duration::from_secs(1);

/// A snapshot as stored for the other instances.
#[derive(Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    parts: SharedParts,
    view: BatchStatusView,
}

/// Whether this instance polls the batch now: it takes the lease when it is free or
/// expired and renews it when it holds it. A store error counts as "not now": two
/// pollers would break the one-poll promise, a late one only delays it.
pub(super) async fn holds(hub: &Inner, batch_id: &str) -> bool {
    let Some(c) = &hub.cluster else {
        return true;
    };
    match hub
        .store
        .lease_batch(batch_id, &c.instance, LEASE_TTL)
        .await
    {
        Ok(true) => {
            c.owned().insert(batch_id.to_string());
            true
        }
        Ok(false) => {
            c.owned().remove(batch_id);
            false
        }
        Err(e) => {
            tracing::warn!(%batch_id, error = %e, "cannot read the batch's lease; not polling it now");
            c.owned().remove(batch_id);
            false
        }
    }
}

/// The poller of a batch this instance holds stopped: the lease goes, so another
/// instance's viewers get a poller at once.
pub(super) async fn release(hub: &Inner, batch_id: &str) {
    let Some(c) = &hub.cluster else { return };
    if c.owned().remove(batch_id)
        && let Err(e) = hub.store.release_lease(batch_id, &c.instance).await
    {
        tracing::warn!(%batch_id, error = %e, "cannot release the batch's lease; it expires");
    }
}

/// Stores a snapshot this instance published, for the other instances.
pub(super) async fn share(hub: &Inner, batch_id: &str, s: &Snapshot) {
    let Some(c) = &hub.cluster else { return };
    let stored = Stored {
        parts: SharedParts {
            seq: s.seq,
            event_id: s.event_id,
            prev_event_id: s.prev_event_id,
            changed: s.changed.clone(),
            timestamp: s.timestamp.clone(),
            is_final: s.is_final,
        },
        view: s.view.clone(),
    };
    let body = match serde_json::to_string(&stored) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(%batch_id, error = %e, "cannot encode a snapshot to share");
            return;
        }
    };
    match hub.store.share_snapshot(batch_id, &c.instance, &body).await {
        Ok(true) => {}
        Ok(false) => tracing::info!(%batch_id, "lease lost: the snapshot stays local"),
        Err(e) => tracing::warn!(%batch_id, error = %e, "cannot share a snapshot"),
    }
}

/// The batch's last snapshot stored by whichever instance polls it.
pub(super) async fn stored(hub: &Inner, batch_id: &str) -> Option<Snapshot> {
    hub.cluster.as_ref()?;
    let body = match hub.store.shared_snapshot(batch_id).await {
        Ok(b) => b?,
        Err(e) => {
            tracing::warn!(%batch_id, error = %e, "cannot read the shared snapshot");
            return None;
        }
    };
    let s: Stored = serde_json::from_str(&body)
        .inspect_err(|e| tracing::warn!(%batch_id, error = %e, "unreadable shared snapshot"))
        .ok()?;
    Some(Snapshot::shared(s.parts, s.view))
}

/// For the hub's life on a shared store: renews this instance's leases and hands the
/// other instances' notifications to the local pollers.
pub(super) async fn run(hub: Arc<Inner>) {
    let Some(c) = &hub.cluster else { return };
    let renew = async {
        loop {
            tokio::time::sleep(TICK).await;
            let owned: Vec<String> = c.owned().iter().cloned().collect();
            if let Err(e) = hub.store.renew_leases(&c.instance, &owned, LEASE_TTL).await {
                tracing::warn!(error = %e, "cannot renew the batches' leases");
            }
        }
    };
    tokio::select! {
        _ = renew => {}
        _ = listen(&hub) => {}
        _ = hub.cancel.cancelled() => {}
    }
}

/// Hands each notification to the local poller of its batch, reconnecting as needed.
async fn listen(hub: &Inner) {
    loop {
        let mut events = match hub.store.cluster_events().await {
            Ok(Some(ev)) => ev,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen to the other instances; retrying");
                tokio::time::sleep(TICK).await;
                continue;
            }
        };
        loop {
            match events.next().await {
                Ok(ClusterEvent::Snapshot(id)) => hub.wake_follower(&id),
                Ok(ClusterEvent::Kick(id)) => hub.kick_local(&id),
                Ok(ClusterEvent::Reconnected) => hub.wake_all_followers(),
                Err(e) => {
                    tracing::warn!(error = %e, "lost the other instances' notifications; reconnecting");
                    break;
                }
            }
        }
        tokio::time::sleep(TICK).await;
    }
}
