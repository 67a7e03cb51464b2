//! One batch's poller: poll, enrich, diff, publish; back off on upstream trouble; stop when
//! the batch is final and nobody watches (or nothing can change any more), or on shutdown.

use crate::api::ErrorCode;
use crate::domain::AuditAction;
use crate::domain::StopCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::enrich::EnrichState;
use super::follow_up::{self, Applied};
use super::view::{build_view, differs, fully_enriched, wants_enrichment};
use super::{Entry, Inner, PollError, Snapshot};
use crate::api::timestamp_now;

/// How soon a policy step that failed (a cancel at the window's close, a continuation's
/// submit) is tried again.
const HELD_RETRY: Duration = Duration::from_secs(5);

/// Longest wait between two polls of a batch that keeps failing, or that is scheduled
/// far ahead.
const MAX_DELAY: Duration = Duration::from_secs(60);

pub(super) async fn run(hub: Arc<Inner>, batch_id: String, entry: Arc<Entry>) {
    let mut record = match hub.store.batch(&batch_id) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(%batch_id, error = %e, "registro del batch ilegible; se sigue sin él");
            None
        }
    };
    let mut enrich = EnrichState::default();
    let mut last: Option<Arc<Snapshot>> = entry.tx.borrow().clone();
    let mut seq = last.as_ref().map(|s| s.seq).unwrap_or(0);
    let mut failures = 0u32;
    let mut stop_retry = super::stop::CancelRetry::default();
    // A batch already stopped (before a restart) is not stopped twice.
    let mut tripped = record.as_ref().is_some_and(|r| r.stop_reason.is_some());
    loop {
        // The record is read afresh at every poll, not only after a kick: a stop or an
        // opt-out saved by a request meanwhile must not be overwritten by an old copy.
        let kicked = entry.kicked.swap(false, Ordering::SeqCst);
        if (kicked || record.is_some())
            && let Ok(Some(fresh)) = hub.store.batch(&batch_id)
        {
            record = Some(fresh);
        }
        let mut delay = hub.cfg.poll_interval;
        hub.polls.fetch_add(1, Ordering::Relaxed);
        let polled = tokio::select! {
            // With our record we know every recipient's variables: skip parsing the echo.
            r = async {
                if record.is_some() {
                    hub.client.get_batch_status(&batch_id).await
                } else {
                    hub.client.get_batch(&batch_id).await
                }
            } => r,
            _ = hub.cancel.cancelled() => return,
        };
        match polled {
            Ok(detail) => {
                failures = 0;
                let wanted: Vec<String> = detail
                    .recipients
                    .iter()
                    .filter(|r| wants_enrichment(&r.status, r.conversation_id.as_deref()))
                    .filter_map(|r| r.conversation_id.clone())
                    .collect();
                tokio::select! {
                    _ = hub.enricher.fill(wanted, &mut enrich) => {}
                    _ = hub.cancel.cancelled() => return,
                }
                let build = |record: Option<&crate::domain::BatchRecord>| {
                    build_view(&detail, record, &enrich.conversations, &enrich.failures)
                };
                let mut view = build(record.as_ref());
                mark_optouts(&hub.store, &mut view);
                if let Some(rec) = record.as_mut() {
                    // Whatever the poller saves of the record carries the status seen now.
                    rec.last_status = Some(view.status.clone());
                }
                // Final only once every call ended: after a cancel, live calls go on.
                let status_final =
                    view.status.is_final() && view.recipients.iter().all(|r| r.status.is_final());
                let mut changed = false;
                tripped |= record.as_ref().is_some_and(|r| r.stop_reason.is_some());
                if !status_final && !tripped {
                    tripped = trip_breaker(&hub, &batch_id, &entry, &view, record.as_mut()).await;
                    changed = tripped;
                }
                if let Some(rec) = record.as_mut() {
                    changed |= super::stop::pursue(
                        &hub,
                        &entry,
                        rec,
                        &detail.batch.status,
                        &mut stop_retry,
                    )
                    .await;
                    if let Some(wait) = stop_retry.wait() {
                        delay = delay.min(wait);
                    }
                }
                // Calling window and continuations (automatic retry, resubmission).
                let mut held = false;
                if let Some(rec) = record.as_mut() {
                    match follow_up::apply(&hub, &entry, rec, &view).await {
                        Applied::Nothing => {}
                        Applied::Changed => changed = true,
                        Applied::Blocked => {
                            held = true;
                            // Upstream refused for now: try again, not at every poll.
                            delay = delay.max(HELD_RETRY);
                        }
                    }
                }
                if changed {
                    view = build(record.as_ref());
                    mark_optouts(&hub.store, &mut view);
                }
                // Viewers hear "final" only once every completed call is enriched (or has
                // given up), so `batch-completed` carries the transcripts.
                let stopping = record
                    .as_ref()
                    .and_then(|r| r.stop_reason.as_ref())
                    .is_some_and(|s| s.pending);
                let is_final = status_final && !stopping && fully_enriched(&view, &enrich.gave_up);
                let wait_for_start = scheduled_wait(&hub, record.as_ref(), &view);
                if is_final
                    && let Some(rec) = record.as_mut()
                    && !rec.done
                {
                    // Past batches feed the next pre-flight estimate.
                    rec.outcome = Some(outcome(&view));
                    rec.done = true;
                    if let Err(e) = hub.store.put_batch(rec) {
                        tracing::warn!(%batch_id, error = %e, "no se pudo guardar el resultado del batch");
                    }
                }
                if last
                    .as_ref()
                    .is_none_or(|s| differs(&s.view, &view) || s.is_final != is_final)
                {
                    if last.as_ref().is_none_or(|s| s.view.status != view.status)
                        && let Err(e) = hub.store.set_batch_status(&batch_id, &view.status)
                    {
                        tracing::warn!(%batch_id, error = %e, "no se pudo guardar el estado del batch");
                    }
                    seq += 1;
                    let snap = Arc::new(Snapshot {
                        seq,
                        view,
                        timestamp: timestamp_now(),
                        is_final,
                        status_body: Default::default(),
                        status_gzip: Default::default(),
                        sse_frame: Default::default(),
                        etag: Default::default(),
                    });
                    entry.tx.send_replace(Some(snap.clone()));
                    last = Some(snap);
                }
                // A batch without our record (started elsewhere) is watched while viewed.
                let unwatched = record.is_none() && entry.tx.receiver_count() == 0;
                if (is_final || (unwatched && status_final))
                    && !held
                    && hub.retire(&batch_id, &entry, last.clone(), false)
                {
                    tracing::debug!(%batch_id, "batch final: el poller termina");
                    return;
                }
                // Something of ours just changed (a stop confirmed): look again soon.
                if !changed {
                    delay = delay.max(wait_for_start);
                }
            }
            Err(e) => {
                failures += 1;
                let pe = PollError::from_upstream(&e);
                tracing::warn!(%batch_id, code = %pe.code, "consulta del batch fallida");
                let not_found = pe.fatal;
                let _ = entry.errors.send(pe);
                if not_found {
                    match record.as_mut() {
                        // Not ours: nothing to keep watching.
                        None => {
                            hub.retire(&batch_id, &entry, None, true);
                            return;
                        }
                        Some(rec) => {
                            if super::gone::confirmed(&hub, rec).await {
                                hub.retire(&batch_id, &entry, None, true);
                                return;
                            }
                        }
                    }
                }
                // Back off, never give up: what the server asks, else doubling up to a
                // minute.
                let backoff = hub.cfg.poll_interval * 2u32.pow(failures.min(6));
                delay = e.retry_after().unwrap_or(backoff).min(MAX_DELAY).max(delay);
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = entry.kick.notified() => {}
            _ = hub.cancel.cancelled() => return,
        }
    }
}

/// Checks the batch's recent calls against the circuit breaker; when it trips, cancels the
/// batch (calls not yet started stay resubmittable), tells viewers with an `error` event
/// coded `circuit_breaker`, and writes the audit log. Returns whether it tripped.
async fn trip_breaker(
    hub: &Inner,
    batch_id: &str,
    entry: &Entry,
    view: &crate::api::BatchStatusView,
    record: Option<&mut crate::domain::BatchRecord>,
) -> bool {
    let Some(breaker) = &hub.cfg.breaker else {
        return false;
    };
    let outcomes = super::view::outcomes(view);
    let Some(trip) = breaker.check(&outcomes) else {
        return false;
    };
    tracing::warn!(%batch_id, bad = trip.bad, of = trip.of, "disyuntor: se detiene el batch");
    let message = trip.message.clone();
    match record {
        // Recorded as "stopping" first; the poller then cancels until it is confirmed.
        Some(rec) => {
            rec.stop_reason = Some(super::stop::pending(
                StopCode::CircuitBreaker,
                message.clone(),
                chrono::Utc::now().timestamp(),
            ));
            if let Err(e) = hub.store.put_batch(rec) {
                tracing::error!(%batch_id, error = %e, "no se pudo guardar el motivo de la parada");
            }
        }
        // Not ours: one cancel, as before.
        None => {
            if let Err(e) = hub.client.cancel_batch(batch_id).await {
                tracing::warn!(%batch_id, error = %e, "breaker cancel failed");
            }
        }
    }
    let _ = entry.errors.send(PollError {
        message,
        code: ErrorCode::CircuitBreaker,
        status: None,
        retry_after: None,
        fatal: false,
    });
    hub.store.record_action(
        "system",
        AuditAction::BatchCircuitBreaker,
        batch_id,
        serde_json::to_value(&trip).unwrap_or_default(),
    );
    true
}

/// Marks the recipients on the do-not-call list, so clients need not read the list.
fn mark_optouts(store: &crate::store::Store, view: &mut crate::api::BatchStatusView) {
    for r in &mut view.recipients {
        r.opted_out = matches!(store.optout(&r.phone_number), Ok(Some(_)));
    }
}

/// A batch scheduled far ahead is polled slowly until close to its start.
fn scheduled_wait(
    hub: &Inner,
    record: Option<&crate::domain::BatchRecord>,
    view: &crate::api::BatchStatusView,
) -> Duration {
    // Our own schedule only: a simulator's clock may run ahead of ours.
    let Some(starts) = record.and_then(|r| r.scheduled_time_unix) else {
        return Duration::ZERO;
    };
    let ahead = starts - hub.cfg.clock.now().timestamp();
    if view.status != crate::domain::BatchStatus::Pending || ahead <= 0 {
        return Duration::ZERO;
    }
    Duration::from_secs((ahead as u64) / 2).min(MAX_DELAY)
}

fn outcome(view: &crate::api::BatchStatusView) -> crate::domain::BatchOutcome {
    let k = crate::report::kpis(view);
    crate::domain::BatchOutcome {
        finished: k.finished,
        completed: k.completed,
        avg_duration_secs: k.average_duration_secs,
        cost_total: k.cost_total,
        cost_known_for: k.cost_known_for,
    }
}
