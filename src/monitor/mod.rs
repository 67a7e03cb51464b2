//! The live hub: one upstream poller per active batch, whatever the number of viewers.
//! Each poller fetches the batch, enriches newly completed recipients (once, cached),
//! and publishes a snapshot on a `watch` channel only when something changed; upstream
//! trouble goes out on a `broadcast` channel and the poller keeps going. Viewers get the
//! last snapshot at once. A poller stops when its batch is final and nobody watches (or
//! nothing more can change), and every poller stops on the hub's cancellation token.
//! No HTTP server and no screen here: the service and the TUI's direct mode both use it.

pub mod enrich;
mod error;
mod follow_up;
mod gone;
mod optout_guard;
mod poller;
mod stop;
mod sweeper;
pub mod view;

use bytes::Bytes;
use indexmap::IndexMap;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use thiserror::Error;
use tokio::sync::{Notify, broadcast, watch};
use tokio_util::sync::CancellationToken;

use crate::api::BatchStatusView;
use crate::elevenlabs::ElevenLabsClient;
use crate::store::Store;
use enrich::Enricher;
pub use error::PollError;
pub use optout_guard::OptOutEffect;

/// Final snapshots kept after their poller stopped, so repeated status requests for
/// finished batches cost nothing upstream.
const FINAL_CACHE: usize = 256;

#[derive(Debug, Clone)]
pub struct HubConfig {
    pub poll_interval: Duration,
    pub enrich_concurrency: usize,
    /// How long a status request waits for the first poll of a batch.
    pub first_poll_timeout: Duration,
    /// Stops a batch whose calls are going wrong; None = off.
    pub breaker: Option<crate::domain::policy::CircuitBreaker>,
    /// Calling windows: a batch running at the close is stopped and its undialled
    /// recipients resubmitted for the next opening. None = off.
    pub rules: Option<crate::domain::rules::RulePack>,
    /// Zone of the call names of continuations.
    pub timezone: chrono_tz::Tz,
    pub clock: Clock,
    /// How long after its intent a batch may still appear upstream (see `journal`).
    pub submit_grace: Duration,
    /// How often orphaned batches are re-adopted and planned rounds submitted.
    pub sweep_interval: Duration,
}

/// What time it is, for the calling windows (tests set it; the service uses the system's).
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Clock(Arc::new(chrono::Utc::now))
    }

    /// A clock that reads `f`.
    pub fn from_fn(f: impl Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync + 'static) -> Self {
        Clock(Arc::new(f))
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

impl HubConfig {
    /// Polling every `poll_interval_ms` (100 at least), enriching `enrich_concurrency`
    /// conversations at once; the rest at its defaults.
    pub fn polling(poll_interval_ms: u64, enrich_concurrency: usize) -> Self {
        Self {
            poll_interval: Duration::from_millis(poll_interval_ms.max(100)),
            enrich_concurrency: enrich_concurrency.max(1),
            first_poll_timeout: Duration::from_secs(60),
            breaker: None,
            rules: None,
            timezone: chrono_tz::America::Bogota,
            clock: Clock::system(),
            submit_grace: Duration::from_secs(60),
            sweep_interval: Duration::from_millis(poll_interval_ms.max(100) * 10)
                .min(Duration::from_secs(30)),
        }
    }
}

/// One state of a batch as viewers see it.
#[derive(Debug)]
pub struct Snapshot {
    /// Grows by one with every change; SSE uses it as the event id.
    pub seq: u64,
    pub view: BatchStatusView,
    /// When the hub saw this state (the seed's timestamp format).
    pub timestamp: String,
    pub is_final: bool,
    /// The service's renderings, made once per snapshot and shared by every request.
    pub status_body: OnceLock<Bytes>,
    /// `status_body` gzipped, for the (many) clients that accept it.
    pub status_gzip: OnceLock<Bytes>,
    pub sse_frame: OnceLock<Bytes>,
    /// Validator of `status_body`, so pollers can ask "changed?" and get a bodiless 304.
    pub etag: OnceLock<String>,
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum HubError {
    #[error("{}", .0.message)]
    Upstream(PollError),
    #[error("ElevenLabs no respondió a tiempo")]
    Timeout,
    #[error("el servicio se está cerrando")]
    ShuttingDown,
}

/// Why a stopped batch's undialled recipients cannot be resubmitted.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ResumeError {
    #[error("el lote no es de este servicio")]
    NotOurs,
    #[error("el lote sigue en curso; cancélelo o espere a que termine")]
    Running,
    #[error("el lote ya continúa en {0}")]
    AlreadyContinued(String),
    #[error("{}", .0.message)]
    Upstream(PollError),
    #[error("almacén: {0}")]
    Store(String),
}

/// A viewer's handle: the latest snapshot and the error channel.
pub struct Subscription {
    pub snapshots: watch::Receiver<Option<Arc<Snapshot>>>,
    pub errors: broadcast::Receiver<PollError>,
}

struct Entry {
    tx: watch::Sender<Option<Arc<Snapshot>>>,
    errors: broadcast::Sender<PollError>,
    kick: Notify,
    /// Set (under the entries lock) by `kick`; a kicked poller does not retire.
    kicked: AtomicBool,
}

pub(crate) struct Inner {
    client: ElevenLabsClient,
    store: Store,
    cfg: HubConfig,
    cancel: CancellationToken,
    enricher: Enricher,
    entries: Mutex<HashMap<String, Arc<Entry>>>,
    finals: Mutex<IndexMap<String, Arc<Snapshot>>>,
    polls: AtomicU64,
    /// Serialises what re-dials a finished batch: a manual retry and the poller's
    /// continuation (automatic retry, resubmission) must never both happen.
    redial_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Every submission goes through it.
    journal: crate::journal::Journal,
}

#[derive(Clone)]
pub struct Hub(Arc<Inner>);

impl Hub {
    pub fn new(
        client: ElevenLabsClient,
        store: Store,
        cfg: HubConfig,
        cancel: CancellationToken,
    ) -> Self {
        let enricher = Enricher::new(client.clone(), store.clone(), cfg.enrich_concurrency);
        let journal = crate::journal::Journal::new(store.clone(), client.clone(), cfg.submit_grace);
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
            redial_locks: Mutex::new(HashMap::new()),
        }))
    }

    /// Watches a batch: starts its poller if none runs. The receiver already holds the
    /// last snapshot when there is one.
    pub fn subscribe(&self, batch_id: &str) -> Subscription {
        if let Some(done) = self.final_snapshot(batch_id) {
            // Finished and cached: nothing will change, so no poller; the closed channel
            // tells the viewer there is nothing more to wait for.
            let (_, errors) = broadcast::channel(1);
            let (_, snapshots) = watch::channel(Some(done));
            return Subscription { snapshots, errors };
        }
        self.entry(batch_id, false).1
    }

    /// The current state of a batch: the cached one when a poller keeps it fresh or the
    /// batch is finished, otherwise after one poll.
    pub async fn snapshot(&self, batch_id: &str) -> Result<Arc<Snapshot>, HubError> {
        if let Some(s) = self.final_snapshot(batch_id) {
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
                                Err(_) => match self.final_snapshot(batch_id) {
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
        self.0
            .finals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .shift_remove(batch_id);
        self.entry(batch_id, true).0.kick.notify_one();
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
        let hub = self.clone();
        tokio::spawn(async move { sweeper::run(hub).await });
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
        let link = follow_up::resume_now(&self.0, &mut rec, &view, actor)
            .await
            .map_err(ResumeError::Upstream)?;
        if link.is_some() {
            self.kick(batch_id);
        }
        Ok(link)
    }

    /// Whether a poller runs for the batch.
    pub fn watching(&self, batch_id: &str) -> bool {
        self.0
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(batch_id)
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

    fn final_snapshot(&self, batch_id: &str) -> Option<Arc<Snapshot>> {
        self.0
            .finals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(batch_id)
            .cloned()
    }

    /// The batch's entry (starting its poller when there is none) and a subscription
    /// taken under the same lock, so no event of a new poller can be missed.
    fn entry(&self, batch_id: &str, kick: bool) -> (Arc<Entry>, Subscription) {
        let mut entries = self.0.entries.lock().unwrap_or_else(|p| p.into_inner());
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
        });
        let subscription = sub(&entry);
        entries.insert(batch_id.to_string(), entry.clone());
        if !self.0.cancel.is_cancelled() {
            tokio::spawn(poller::run(
                self.0.clone(),
                batch_id.to_string(),
                entry.clone(),
            ));
        }
        (entry, subscription)
    }
}

impl Inner {
    fn redial_lock(&self, batch_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.redial_locks.lock().unwrap_or_else(|p| p.into_inner());
        // Keyed by batch ids from requests: locks nobody holds are dropped now and then.
        if locks.len() > 1024 {
            locks.retain(|_, l| Arc::strong_count(l) > 1);
        }
        locks.entry(batch_id.to_string()).or_default().clone()
    }

    /// Removes a poller that wants to stop, unless it was kicked meanwhile (then it must
    /// poll again). A final snapshot stays available to later requests.
    fn retire(
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
}
