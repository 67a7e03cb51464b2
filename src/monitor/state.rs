//! The hub's shared state: `Inner` (client, store, settings, the pollers' entries, the
//! cache of final snapshots, redial locks, the journal), one `Entry` per watched batch,
//! and the `Hub` handle around it. Watching, kicking and retiring a batch's poller live
//! here, so every part of the monitor can do them without calling back into the hub;
//! the poller itself is started through `spawn_poller`, set by `Hub::new`.

use indexmap::IndexMap;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, broadcast, watch};
use tokio_util::sync::CancellationToken;

use super::config::HubConfig;
use super::enrich::Enricher;
use super::error::PollError;
use super::snapshot::{Snapshot, Subscription};
use crate::elevenlabs::ElevenLabsClient;
use crate::store::Store;

/// Final snapshots kept after their poller stopped, so repeated status requests for
/// finished batches cost nothing upstream.
const FINAL_CACHE: usize = 256;

/// Starts the poller of a batch (a task that runs until it retires).
pub(super) type SpawnPoller = fn(Arc<Inner>, String, Arc<Entry>);

pub(super) struct Entry {
    pub(super) tx: watch::Sender<Option<Arc<Snapshot>>>,
    pub(super) errors: broadcast::Sender<PollError>,
    pub(super) kick: Notify,
    /// Set (under the entries lock) by `kick`; a kicked poller does not retire.
    pub(super) kicked: AtomicBool,
    /// Webhooks' news for this batch not yet taken by its poller, and the nudge that
    /// makes it refresh the snapshot from them (no upstream request).
    pub(super) notes: Mutex<Vec<super::push::CallNote>>,
    pub(super) refresh: Notify,
    /// Another instance stored a new snapshot of the batch (see `cluster`).
    pub(super) remote: Notify,
}

pub(crate) struct Inner {
    pub(super) client: ElevenLabsClient,
    pub(super) store: Store,
    pub(super) cfg: HubConfig,
    pub(super) cancel: CancellationToken,
    pub(super) enricher: Enricher,
    pub(super) entries: Mutex<HashMap<String, Arc<Entry>>>,
    pub(super) finals: Mutex<IndexMap<String, Arc<Snapshot>>>,
    pub(super) polls: AtomicU64,
    /// The next snapshot's `event_id` (starts at the hub's start time in microseconds,
    /// so ids never repeat across restarts).
    pub(super) event_ids: AtomicU64,
    /// Serialises what re-dials a finished batch: a manual retry and the poller's
    /// continuation (automatic retry, resubmission) must never both happen.
    pub(super) redial_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Every submission goes through it.
    pub(super) journal: crate::journal::Journal,
    pub(super) spawn_poller: SpawnPoller,
    /// When post-call webhooks last came.
    pub(super) push: super::push::PushState,
    /// This instance among several on a shared store; None on a store of its own.
    pub(super) cluster: Option<super::instance::Cluster>,
}

#[derive(Clone)]
pub struct Hub(pub(super) Arc<Inner>);

impl Inner {
    pub(super) fn redial_lock(&self, batch_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.redial_locks.lock().unwrap_or_else(|p| p.into_inner());
        // Keyed by batch ids from requests: locks nobody holds are dropped now and then.
        if locks.len() > 1024 {
            locks.retain(|_, l| Arc::strong_count(l) > 1);
        }
        locks.entry(batch_id.to_string()).or_default().clone()
    }

    /// Removes a poller that wants to stop, unless it was kicked meanwhile (then it must
    /// poll again). A final snapshot stays available to later requests.
    pub(super) fn retire(
        &self,
        batch_id: &str,
        entry: &Entry,
        last: Option<Arc<Snapshot>>,
        force: bool,
    ) -> bool {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if !force && entry.kicked.load(Ordering::SeqCst) {
            return false;
        }
        if let Some(s) = last.filter(|s| s.is_final) {
            let mut finals = self.finals.lock().unwrap_or_else(|p| p.into_inner());
            finals.insert(batch_id.to_string(), s);
            while finals.len() > FINAL_CACHE {
                finals.shift_remove_index(0);
            }
        }
        entries.remove(batch_id);
        true
    }

    pub(super) fn final_snapshot(&self, batch_id: &str) -> Option<Arc<Snapshot>> {
        self.finals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(batch_id)
            .cloned()
    }

    /// Whether a poller runs for the batch.
    pub(super) fn watching(&self, batch_id: &str) -> bool {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(batch_id)
    }

    /// Watches a batch: starts its poller if none runs. The receiver already holds the
    /// last snapshot when there is one.
    pub(super) fn subscribe(self: &Arc<Self>, batch_id: &str) -> Subscription {
        if let Some(done) = self.final_snapshot(batch_id) {
            // Finished and cached: nothing will change, so no poller; the closed channel
            // tells the viewer there is nothing more to wait for.
            let (_, errors) = broadcast::channel(1);
            let (_, snapshots) = watch::channel(Some(done));
            return Subscription { snapshots, errors };
        }
        self.entry(batch_id, false).1
    }

    /// Something changed upstream because of us (retry, cancel, new batch): poll now,
    /// here or on the instance that polls the batch.
    pub(super) fn kick(self: &Arc<Self>, batch_id: &str) {
        self.finals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .shift_remove(batch_id);
        self.entry(batch_id, true).0.kick.notify_one();
        self.forward_kick(batch_id);
    }

    /// Tells the instance polling the batch (on a shared store) to poll it now.
    fn forward_kick(&self, batch_id: &str) {
        if self.cluster.is_none() {
            return;
        }
        let (store, id) = (self.store.clone(), batch_id.to_string());
        tokio::spawn(async move {
            if let Err(e) = store.notify_kick(&id).await {
                tracing::warn!(batch_id = %id, error = %e, "cannot tell the other instances to poll");
            }
        });
    }

    /// Another instance's kick: polls now if this instance watches the batch.
    pub(super) fn kick_local(&self, batch_id: &str) {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = entries.get(batch_id) {
            e.kicked.store(true, Ordering::SeqCst);
            e.kick.notify_one();
        }
    }

    /// Another instance stored a new snapshot of the batch: its follower here shows it.
    pub(super) fn wake_follower(&self, batch_id: &str) {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = entries.get(batch_id) {
            e.remote.notify_one();
        }
    }

    /// Notifications may have been lost: every follower reads the store again.
    pub(super) fn wake_all_followers(&self) {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        for e in entries.values() {
            e.remote.notify_one();
        }
    }

    /// The batch's entry (starting its poller when there is none) and a subscription
    /// taken under the same lock, so no event of a new poller can be missed.
    fn entry(self: &Arc<Self>, batch_id: &str, kick: bool) -> (Arc<Entry>, Subscription) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let sub = |e: &Entry| Subscription {
            snapshots: e.tx.subscribe(),
            errors: e.errors.subscribe(),
        };
        if let Some(e) = entries.get(batch_id) {
            if kick {
                e.kicked.store(true, Ordering::SeqCst);
            }
            return (e.clone(), sub(e));
        }
        let (tx, _) = watch::channel(None);
        let (errors, _) = broadcast::channel(16);
        let entry = Arc::new(Entry {
            tx,
            errors,
            kick: Notify::new(),
            kicked: AtomicBool::new(false),
            notes: Mutex::new(Vec::new()),
            refresh: Notify::new(),
            remote: Notify::new(),
        });
        let subscription = sub(&entry);
        entries.insert(batch_id.to_string(), entry.clone());
        if !self.cancel.is_cancelled() {
            (self.spawn_poller)(self.clone(), batch_id.to_string(), entry.clone());
        }
        (entry, subscription)
    }
}
