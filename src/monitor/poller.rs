//! One batch's poller: poll, enrich, diff, publish; back off on upstream trouble; stop when
//! the batch is final and nobody watches (or nothing can change any more), or on shutdown.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::breaker::trip_breaker;
use super::enrich::EnrichState;
use super::error::PollError;
use super::follow_up::{self, Applied};
use super::gone;
use super::outcome::{batch_outcome, reached};
use super::pace::{MAX_DELAY, poll_interval, scheduled_wait};
use super::push::Overrides;
use super::snapshot::Snapshot;
use super::state::{Entry, Inner};
use super::stop::{self, CancelRetry};
use super::view::{build_view, differs, fully_enriched, wants_enrichment};
use crate::api::BatchStatusView;
use crate::domain::BatchRecord;
use crate::elevenlabs::{BatchCallDetailedResponse, ElevenLabsError};

/// How soon a policy step that failed (a cancel at the window's close, a continuation's
/// submit) is tried again.
const HELD_RETRY: Duration = Duration::from_secs(5);

/// How long a webhook's refresh waits for the webhooks that come with it.
const REFRESH_COALESCE: Duration = Duration::from_millis(100);

/// Starts a batch's poller (the hub's `spawn_poller`).
pub(super) fn spawn(hub: Arc<Inner>, batch_id: String, entry: Arc<Entry>) {
    tokio::spawn(run(hub, batch_id, entry));
}

async fn run(hub: Arc<Inner>, batch_id: String, entry: Arc<Entry>) {
    let mut p = Poller::new(hub.clone(), batch_id, entry.clone()).await;
    loop {
        let delay = match p.poll_once().await {
            Next::Wait(delay) => delay,
            Next::Stop => return,
        };
        let deadline = tokio::time::Instant::now() + delay;
        // Webhooks' news refresh the snapshot between polls without moving the next one.
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                _ = entry.kick.notified() => break,
                _ = entry.refresh.notified() => {
                    // Webhooks of calls ending together make one refresh.
                    tokio::time::sleep(REFRESH_COALESCE).await;
                    if p.refresh().await {
                        break;
                    }
                }
                _ = hub.cancel.cancelled() => return,
            }
        }
    }
}

/// What a poll leaves the poller to do.
enum Next {
    /// Poll again after this long (or when kicked).
    Wait(Duration),
    /// Retired or shutting down.
    Stop,
}

/// A poller's memory between two polls.
struct Poller {
    hub: Arc<Inner>,
    batch_id: String,
    entry: Arc<Entry>,
    record: Option<BatchRecord>,
    enrich: EnrichState,
    last: Option<Arc<Snapshot>>,
    seq: u64,
    failures: u32,
    stop_retry: CancelRetry,
    /// A batch already stopped (before a restart) is not stopped twice.
    tripped: bool,
    /// The last poll's answer, with the webhooks' news written in.
    detail: Option<BatchCallDetailedResponse>,
    overrides: Overrides,
}

impl Poller {
    async fn new(hub: Arc<Inner>, batch_id: String, entry: Arc<Entry>) -> Self {
        let record = match hub.store.batch(&batch_id).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(%batch_id, error = %e, "batch record unreadable; going on without it");
                None
            }
        };
        let last: Option<Arc<Snapshot>> = entry.tx.borrow().clone();
        let seq = last.as_ref().map(|s| s.seq).unwrap_or(0);
        let tripped = record.as_ref().is_some_and(|r| r.stop_reason.is_some());
        Poller {
            hub,
            batch_id,
            entry,
            record,
            enrich: EnrichState::default(),
            last,
            seq,
            failures: 0,
            stop_retry: CancelRetry::default(),
            tripped,
            detail: None,
            overrides: Overrides::default(),
        }
    }

    /// One poll and what follows from it.
    async fn poll_once(&mut self) -> Next {
        // The record is read afresh at every poll, not only after a kick: a stop or an
        // opt-out saved by a request meanwhile must not be overwritten by an old copy.
        let kicked = self.entry.kicked.swap(false, Ordering::SeqCst);
        if (kicked || self.record.is_some())
            && let Ok(Some(fresh)) = self.hub.store.batch(&self.batch_id).await
        {
            self.record = Some(fresh);
        }
        let delay = poll_interval(&self.hub);
        self.hub.polls.fetch_add(1, Ordering::Relaxed);
        let (hub, batch_id) = (&self.hub, &self.batch_id);
        let has_record = self.record.is_some();
        let polled = tokio::select! {
            // With our record we know every recipient's variables: skip parsing the echo.
            r = async {
                if has_record {
                    hub.client.get_batch_status(batch_id).await
                } else {
                    hub.client.get_batch(batch_id).await
                }
            } => r,
            _ = hub.cancel.cancelled() => return Next::Stop,
        };
        match polled {
            Ok(detail) => self.on_detail(detail, delay).await,
            Err(e) => self.on_error(e, delay).await,
        }
    }

    /// A poll that answered, with the webhooks' news not yet confirmed written in.
    async fn on_detail(&mut self, mut detail: BatchCallDetailedResponse, delay: Duration) -> Next {
        self.failures = 0;
        self.overrides.add(self.entry.take_notes());
        self.overrides.apply(&mut detail);
        let next = self.after_poll(&detail, delay).await;
        self.detail = Some(detail);
        next
    }

    /// The webhooks' news since the last poll, shown at once (no upstream request). True
    /// when the batch now looks finished, so a poll should confirm it.
    async fn refresh(&mut self) -> bool {
        let notes = self.entry.take_notes();
        let Some(mut detail) = self.detail.take() else {
            // No poll answered yet: keep them for the first one.
            self.overrides.add(notes);
            return false;
        };
        self.overrides.add(notes);
        let changed = self.overrides.apply(&mut detail);
        let alive = !changed || self.enrich(&detail).await;
        let view = self.view_of(&detail).await;
        self.detail = Some(detail);
        if !(changed && alive) {
            return false;
        }
        let ended = view.recipients.iter().all(|r| r.status.is_final());
        self.publish(view, false).await;
        ended
    }

    /// A poll that answered: enrich, apply the policies, publish, maybe retire.
    async fn after_poll(
        &mut self,
        detail: &BatchCallDetailedResponse,
        mut delay: Duration,
    ) -> Next {
        if !self.enrich(detail).await {
            return Next::Stop;
        }
        let mut view = self.view_of(detail).await;
        if let Some(rec) = self.record.as_mut() {
            // Whatever the poller saves of the record carries the status seen now.
            rec.last_status = Some(view.status.clone());
        }
        // Final only once every call ended: after a cancel, live calls go on.
        let status_final =
            view.status.is_final() && view.recipients.iter().all(|r| r.status.is_final());
        let (changed, held) = self
            .apply_policies(detail, &view, status_final, &mut delay)
            .await;
        if changed {
            view = self.view_of(detail).await;
        }
        // Viewers hear "final" only once every completed call is enriched (or has
        // given up), so `batch-completed` carries the transcripts.
        let stopping = self
            .record
            .as_ref()
            .and_then(|r| r.stop_reason.as_ref())
            .is_some_and(|s| s.pending);
        let is_final = status_final && !stopping && fully_enriched(&view, &self.enrich.gave_up);
        let wait_for_start = scheduled_wait(&self.hub, self.record.as_ref(), &view);
        if is_final {
            self.save_outcome(&view).await;
        }
        self.publish(view, is_final).await;
        // A batch without our record (started elsewhere) is watched while viewed.
        let unwatched = self.record.is_none() && self.entry.tx.receiver_count() == 0;
        if (is_final || (unwatched && status_final))
            && !held
            && self
                .hub
                .retire(&self.batch_id, &self.entry, self.last.clone(), false)
        {
            tracing::debug!(batch_id = %self.batch_id, "batch final: the poller stops");
            return Next::Stop;
        }
        // Something of ours just changed (a stop confirmed): look again soon.
        if !changed {
            delay = delay.max(wait_for_start);
        }
        Next::Wait(delay)
    }

    /// Enriches the newly completed calls; false when the hub shuts down meanwhile.
    async fn enrich(&mut self, detail: &BatchCallDetailedResponse) -> bool {
        let wanted: Vec<String> = detail
            .recipients
            .iter()
            .filter(|r| wants_enrichment(&r.status, r.conversation_id.as_deref()))
            .filter_map(|r| r.conversation_id.clone())
            .collect();
        if self.hub.cfg.webhooks.is_some() {
            let failed = detail
                .recipients
                .iter()
                .filter(|r| r.status == crate::domain::RecipientStatus::Failed);
            // Collected first: an iterator of closures held across the wait would make
            // the poller's future not `Send`.
            let ids: Vec<String> = failed.filter_map(|r| r.conversation_id.clone()).collect();
            self.hub.enricher.load_cached(ids, &mut self.enrich).await;
        }
        tokio::select! {
            _ = self.hub.enricher.fill(wanted, &mut self.enrich) => true,
            _ = self.hub.cancel.cancelled() => false,
        }
    }

    /// The view of this poll, with the do-not-call marks.
    async fn view_of(&self, detail: &BatchCallDetailedResponse) -> BatchStatusView {
        let mut view = build_view(
            detail,
            self.record.as_ref(),
            &self.enrich.conversations,
            &self.enrich.failures,
        );
        mark_optouts(&self.hub.store, &mut view).await;
        view
    }

    /// The circuit breaker, the pursuit of a pending stop, the calling window and the
    /// continuations (automatic retry, resubmission). Returns (the record changed,
    /// a continuation is held back).
    async fn apply_policies(
        &mut self,
        detail: &BatchCallDetailedResponse,
        view: &BatchStatusView,
        status_final: bool,
        delay: &mut Duration,
    ) -> (bool, bool) {
        let mut changed = false;
        self.tripped |= self
            .record
            .as_ref()
            .is_some_and(|r| r.stop_reason.is_some());
        if !status_final && !self.tripped {
            self.tripped = trip_breaker(
                &self.hub,
                &self.batch_id,
                &self.entry,
                view,
                self.record.as_mut(),
            )
            .await;
            changed = self.tripped;
        }
        let Some(rec) = self.record.as_mut() else {
            return (changed, false);
        };
        let status = &detail.batch.status;
        changed |= stop::pursue(&self.hub, &self.entry, rec, status, &mut self.stop_retry).await;
        if let Some(wait) = self.stop_retry.wait() {
            *delay = (*delay).min(wait);
        }
        // Calling window and continuations (automatic retry, resubmission).
        match follow_up::apply(&self.hub, &self.entry, rec, view).await {
            Applied::Nothing => (changed, false),
            Applied::Changed => (true, false),
            Applied::Blocked => {
                // Upstream refused for now: try again, not at every poll.
                *delay = (*delay).max(HELD_RETRY);
                (changed, true)
            }
        }
    }

    /// Past batches feed the next pre-flight estimate: a final batch's outcome is saved
    /// once.
    async fn save_outcome(&mut self, view: &BatchStatusView) {
        if let Some(rec) = self.record.as_mut()
            && !rec.done
        {
            rec.outcome = Some(batch_outcome(view));
            rec.reached = reached(view, rec.created_at, self.hub.cfg.clock.now());
            rec.done = true;
            if let Err(e) = self.hub.store.put_batch(rec).await {
                tracing::warn!(batch_id = %self.batch_id, error = %e, "cannot save the batch's outcome");
            }
        }
    }

    /// Sends viewers a new snapshot when something they can see changed.
    async fn publish(&mut self, view: BatchStatusView, is_final: bool) {
        if !self
            .last
            .as_ref()
            .is_none_or(|s| differs(&s.view, &view) || s.is_final != is_final)
        {
            return;
        }
        if self
            .last
            .as_ref()
            .is_none_or(|s| s.view.status != view.status)
            && let Err(e) = self
                .hub
                .store
                .set_batch_status(&self.batch_id, &view.status)
                .await
        {
            tracing::warn!(batch_id = %self.batch_id, error = %e, "cannot save the batch's status");
        }
        self.seq += 1;
        let event_id = self.hub.event_ids.fetch_add(1, Ordering::Relaxed);
        let snap = Arc::new(Snapshot::after(
            self.last.as_deref(),
            self.seq,
            event_id,
            view,
            is_final,
        ));
        self.entry.tx.send_replace(Some(snap.clone()));
        self.last = Some(snap);
    }

    /// A poll that failed: tell viewers, retire when the batch is gone, else back off.
    async fn on_error(&mut self, e: ElevenLabsError, delay: Duration) -> Next {
        self.failures += 1;
        let pe = PollError::from_upstream(&e);
        tracing::warn!(batch_id = %self.batch_id, code = %pe.code, "batch poll failed");
        let not_found = pe.fatal;
        let _ = self.entry.errors.send(pe);
        if not_found {
            let gone = match self.record.as_mut() {
                // Not ours: nothing to keep watching.
                None => true,
                Some(rec) => gone::confirmed(&self.hub, rec).await,
            };
            if gone {
                self.hub.retire(&self.batch_id, &self.entry, None, true);
                return Next::Stop;
            }
        }
        // Back off, never give up: what the server asks, else doubling up to a minute.
        let backoff = self.hub.cfg.poll_interval * 2u32.pow(self.failures.min(6));
        Next::Wait(e.retry_after().unwrap_or(backoff).min(MAX_DELAY).max(delay))
    }
}

/// Marks the recipients on the do-not-call list, so clients need not read the list.
async fn mark_optouts(store: &crate::store::Store, view: &mut crate::api::BatchStatusView) {
    for r in &mut view.recipients {
        r.opted_out = matches!(store.optout(&r.phone_number).await, Ok(Some(_)));
    }
}
