//! One batch's poller: poll, enrich, diff, publish; back off on upstream trouble; stop when
//! the batch is final and nobody watches (or nothing can change any more), or on shutdown.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::enrich::EnrichState;
use super::view::{build_view, differs, fully_enriched, wants_enrichment};
use super::{Entry, Inner, PollError, Snapshot};
use crate::api::timestamp_now;

/// A poller nobody watches gives up after this many failed polls in a row.
const MAX_UNWATCHED_FAILURES: u32 = 10;

pub(super) async fn run(hub: Arc<Inner>, batch_id: String, entry: Arc<Entry>) {
    let record = match hub.store.batch(&batch_id) {
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
    let mut tripped = false;
    loop {
        entry.kicked.store(false, Ordering::SeqCst);
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
                let view = build_view(
                    &detail,
                    record.as_ref(),
                    &enrich.conversations,
                    &enrich.failures,
                );
                let status_final = view.status.is_final();
                if !status_final && !tripped {
                    tripped = trip_breaker(&hub, &batch_id, &entry, &view).await;
                }
                // Viewers hear "final" only once every completed call is enriched (or has
                // given up), so `batch-completed` carries the transcripts.
                let is_final = status_final && fully_enriched(&view, &enrich.gave_up);
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
                let unwatched = entry.tx.receiver_count() == 0;
                if status_final
                    && (is_final || unwatched)
                    && hub.retire(&batch_id, &entry, last.clone(), false)
                {
                    tracing::debug!(%batch_id, "batch final: el poller termina");
                    return;
                }
            }
            Err(e) => {
                failures += 1;
                let pe = PollError::from_upstream(&e);
                tracing::warn!(%batch_id, code = %pe.code, "consulta del batch fallida");
                let fatal = pe.fatal;
                let _ = entry.errors.send(pe);
                let unwatched = entry.tx.receiver_count() == 0;
                if fatal || (unwatched && failures >= MAX_UNWATCHED_FAILURES) {
                    hub.retire(&batch_id, &entry, None, true);
                    return;
                }
                // Back off: what the server asks, else doubling up to a minute.
                let backoff = hub.cfg.poll_interval * 2u32.pow(failures.min(5));
                delay = e
                    .retry_after()
                    .unwrap_or(backoff)
                    .min(Duration::from_secs(60))
                    .max(delay);
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
) -> bool {
    use crate::domain::policy::Outcome;
    let Some(breaker) = &hub.cfg.breaker else {
        return false;
    };
    let outcomes: Vec<Outcome> = view
        .recipients
        .iter()
        .map(|r| Outcome {
            status: r.status.clone(),
            attempts: r.attempts,
            duration_secs: r.duration_secs,
            finished_at_unix: r.updated_at_unix,
        })
        .collect();
    let Some(trip) = breaker.check(&outcomes) else {
        return false;
    };
    tracing::warn!(%batch_id, bad = trip.bad, of = trip.of, "disyuntor: se detiene el batch");
    let cancelled = hub.client.cancel_batch(batch_id).await;
    let message = match &cancelled {
        Ok(_) => trip.message.clone(),
        Err(e) => format!("{} (no se pudo cancelar: {e})", trip.message),
    };
    let _ = entry.errors.send(PollError {
        message,
        code: "circuit_breaker".into(),
        status: None,
        retry_after: None,
        fatal: false,
    });
    let audit = crate::store::audit::AuditEntry {
        at: chrono::Utc::now(),
        actor: "system".into(),
        action: "batch.circuit_breaker".into(),
        target: batch_id.to_string(),
        details: serde_json::to_value(&trip).unwrap_or_default(),
    };
    if let Err(e) = hub.store.audit(&audit) {
        tracing::error!(%batch_id, error = %e, "no se pudo auditar el disyuntor");
    }
    true
}
