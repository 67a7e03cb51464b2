//! The circuit breaker's check at every poll of a running batch: when too many recent
//! calls went wrong, the batch is stopped (pending until ElevenLabs confirms the cancel),
//! viewers are told and the audit log says why.

use super::error::PollError;
use super::state::{Entry, Inner};
use super::stop;
use super::view::outcomes;
use crate::api::ErrorCode;
use crate::domain::{AuditAction, StopCode};

/// Checks the batch's recent calls against the circuit breaker; when it trips, cancels the
/// batch (calls not yet started stay resubmittable), tells viewers with an `error` event
/// coded `circuit_breaker`, and writes the audit log. Returns whether it tripped.
pub(super) async fn trip_breaker(
    hub: &Inner,
    batch_id: &str,
    entry: &Entry,
    view: &crate::api::BatchStatusView,
    record: Option<&mut crate::domain::BatchRecord>,
) -> bool {
    let Some(breaker) = &hub.cfg.breaker else {
        return false;
    };
    let outcomes = outcomes(view);
    let Some(trip) = breaker.check(&outcomes) else {
        return false;
    };
    tracing::warn!(%batch_id, bad = trip.bad, of = trip.of, "circuit breaker: stopping the batch");
    let message = trip.message.clone();
    match record {
        // Recorded as "stopping" first; the poller then cancels until it is confirmed.
        Some(rec) => {
            rec.stop_reason = Some(stop::pending(
                StopCode::CircuitBreaker,
                message.clone(),
                chrono::Utc::now().timestamp(),
            ));
            if let Err(e) = hub.store.put_batch(rec).await {
                tracing::error!(%batch_id, error = %e, "cannot save the stop reason");
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
    hub.store
        .record_action(
            "system",
            AuditAction::BatchCircuitBreaker,
            batch_id,
            serde_json::to_value(&trip).unwrap_or_default(),
        )
        .await;
    true
}
