//! The hub's public face: `Hub::new` wires the shared state (and how pollers start),
//! then status requests, subscriptions, kicks, resume at start-up, manual resubmission
//! of a stopped batch and the counters the service reports.

use indexmap::IndexMap;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

use super::config::HubConfig;
use super::enrich::Enricher;
use super::error::PollError;
use super::hub_error::{HubError, ResumeError};
use super::snapshot::{Snapshot, Subscription};
use super::state::{Hub, Inner};
use super::{cluster, poller_task, submit, sweeper, view};
use crate::elevenlabs::ElevenLabsClient;
use crate::store::Store;

/// Microseconds since the epoch: above any id a previous run of the service handed out.
fn first_event_id() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(1)
}

impl Hub {
    pub fn new(
        client: ElevenLabsClient,
        store: Store,
        cfg: HubConfig,
        cancel: CancellationToken,
    ) -> Self {
        let enricher = Enricher::new(client.clone(), store.clone(), cfg.enrich_concurrency)
            .holding(cfg.webhooks.as_ref().map(|w| w.reconcile_after));
        let journal = crate::journal::Journal::new(store.clone(), client.clone(), cfg.submit_grace);
        let cluster = store.is_shared().then(super::instance::Cluster::new);
        Hub(Arc::new(Inner {
            journal,
            client,
            store,
            cfg,
            cancel,
            enricher,
            entries: Mutex::new(HashMap::new()),
            finals: Mutex::new(IndexMap::new()),
            polls: AtomicU64::new(0),
            event_ids: AtomicU64::new(first_event_id()),
            redial_locks: Mutex::new(HashMap::new()),
            spawn_poller: poller_task::spawn,
            push: Default::default(),
            cluster,
        }))
    }

    /// Watches a batch: starts its poller if none runs. The receiver already holds the
    /// last snapshot when there is one.
    pub fn subscribe(&self, batch_id: &str) -> Subscription {
        self.0.subscribe(batch_id)
    }

    /// The current state of a batch: the cached one when a poller keeps it fresh or the
    /// batch is finished, otherwise after one poll.
    pub async fn snapshot(&self, batch_id: &str) -> Result<Arc<Snapshot>, HubError> {
        if let Some(s) = self.0.final_snapshot(batch_id) {
            return Ok(s);
        }
        let mut sub = self.subscribe(batch_id);
        let wait = async {
            loop {
                if let Some(s) = sub.snapshots.borrow_and_update().clone() {
                    return Ok(s);
                }
                tokio::select! {
                    changed = sub.snapshots.changed() => {
                        if changed.is_err() {
                            // The poller stopped without a snapshot: it reported why.
                            return match sub.errors.try_recv() {
                                Ok(e) => Err(HubError::Upstream(e)),
                                Err(_) => match self.0.final_snapshot(batch_id) {
                                    Some(s) => Ok(s),
                                    None => Err(HubError::Timeout),
                                },
                            };
                        }
                    }
                    err = sub.errors.recv() => {
                        if let Ok(e) = err {
                            return Err(HubError::Upstream(e));
                        }
                    }
                    _ = self.0.cancel.cancelled() => return Err(HubError::ShuttingDown),
                }
            }
        };
        tokio::time::timeout(self.0.cfg.first_poll_timeout, wait)
            .await
            .unwrap_or(Err(HubError::Timeout))
    }

    /// Something changed upstream because of us (retry, cancel, new batch): poll now.
    pub fn kick(&self, batch_id: &str) {
        self.0.kick(batch_id)
    }

    /// Held while anything re-dials `batch_id`'s recipients (see `redial_locks`).
    pub fn redial_lock(&self, batch_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.0.redial_lock(batch_id)
    }

    /// Behind the caller's back: settles the journal's open intents, resumes watching
    /// every batch that is not final or has policy work left, and from then on sweeps
    /// now and then for orphans and planned rounds that are due. Returns at once, so a
    /// store with thousands of batches does not delay the service's start.
    pub fn resume(&self) {
        let hub = self.0.clone();
        tokio::spawn(async move { sweeper::run(hub).await });
        if self.0.cluster.is_some() {
            tokio::spawn(cluster::run(self.0.clone()));
        }
    }

    /// The submission journal.
    pub fn journal(&self) -> &crate::journal::Journal {
        &self.0.journal
    }

    /// Resubmits, as a new batch, the recipients a stopped batch never dialled (after the
    /// circuit breaker, a cancel, or a window's close), once: None when there are none.
    /// Scheduled for the next opening when the calling window is closed.
    pub async fn resume_undialled(
        &self,
        batch_id: &str,
        actor: &str,
    ) -> Result<Option<crate::domain::FollowUpLink>, ResumeError> {
        let lock = self.redial_lock(batch_id);
        let _guard = lock.lock().await;
        let mut rec = self
            .0
            .store
            .batch(batch_id)
            .await
            .map_err(|e| ResumeError::Store(e.to_string()))?
            .ok_or(ResumeError::NotOurs)?;
        if let Some(link) = &rec.continued_by {
            return Err(ResumeError::AlreadyContinued(link.batch_id.clone()));
        }
        let detail = self
            .0
            .client
            .get_batch(batch_id)
            .await
            .map_err(|e| ResumeError::Upstream(PollError::from_upstream(&e)))?;
        let view = view::build_view(&detail, Some(&rec), &HashMap::new(), &HashMap::new());
        if !view.status.is_final() {
            return Err(ResumeError::Running);
        }
        let link = submit::resume_now(&self.0, &mut rec, &view, actor)
            .await
            .map_err(ResumeError::Upstream)?;
        if link.is_some() {
            self.kick(batch_id);
        }
        Ok(link)
    }

    /// Whether a poller runs for the batch.
    pub fn watching(&self, batch_id: &str) -> bool {
        self.0.watching(batch_id)
    }

    /// Upstream batch polls made so far.
    pub fn poll_count(&self) -> u64 {
        self.0.polls.load(Ordering::Relaxed)
    }

    /// Upstream conversation fetches made so far.
    pub fn conversation_fetches(&self) -> u64 {
        self.0.enricher.fetch_count()
    }

    /// Batches with a running poller.
    pub fn active_pollers(&self) -> usize {
        self.0
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    pub fn client(&self) -> &ElevenLabsClient {
        &self.0.client
    }
}
