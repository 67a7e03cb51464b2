//! Stop means stop. A stop (the circuit breaker, a calling window's close, an operator's
//! cancel, an opt-out that needs the batch replaced) is first recorded as pending —
//! viewers see "stopping" — and the cancel is sent, then sent again with a short backoff
//! (capped at 10 s) until ElevenLabs confirms it or the batch ends by itself. Only then is
//! the stop shown as done.

use crate::api::ErrorCode;
use std::time::{Duration, Instant};

use super::error::PollError;
use super::state::{Entry, Hub, Inner};
use crate::domain::StopCode;
use crate::domain::{BatchRecord, BatchStatus, StopReason};

/// Longest wait between two cancels of a batch that must stop.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// The cancel's retry schedule, kept by the batch's poller.
#[derive(Debug, Default)]
pub(super) struct CancelRetry {
    failures: u32,
    next_at: Option<Instant>,
}

impl CancelRetry {
    fn backoff(&self) -> Duration {
        (Duration::from_millis(500) * 2u32.pow(self.failures.min(6))).min(MAX_BACKOFF)
    }

    /// How long until the next cancel is due (None: now).
    pub fn wait(&self) -> Option<Duration> {
        self.next_at
            .map(|t| t.saturating_duration_since(Instant::now()))
            .filter(|d| !d.is_zero())
    }
}

/// A pending stop for `code` with the supervisor's `message`.
pub(super) fn pending(code: StopCode, message: String, at_unix: i64) -> StopReason {
    StopReason {
        code,
        message,
        at_unix,
        pending: true,
    }
}

/// Pursues the record's pending stop: confirms it when upstream already stopped (or
/// ended), otherwise sends the cancel when due. Returns whether the record changed.
pub(super) async fn pursue(
    hub: &Inner,
    entry: &Entry,
    rec: &mut BatchRecord,
    upstream: &BatchStatus,
    retry: &mut CancelRetry,
) -> bool {
    if !rec.stop_reason.as_ref().is_some_and(|s| s.pending) {
        return false;
    }
    if matches!(
        upstream,
        BatchStatus::Cancelled | BatchStatus::Completed | BatchStatus::Failed
    ) {
        return confirm(hub, rec).await;
    }
    if retry.wait().is_some() {
        return false;
    }
    let batch_id = rec.batch_id.clone();
    match hub.client.cancel_batch(&batch_id).await {
        Ok(_) => confirm(hub, rec).await,
        Err(e) if e.is_not_found() => {
            // Nothing left upstream to stop.
            confirm(hub, rec).await
        }
        Err(e) => {
            retry.failures += 1;
            let wait = retry.backoff();
            retry.next_at = Some(Instant::now() + wait);
            tracing::warn!(%batch_id, error = %e, attempt = retry.failures, "cancel not confirmed; retrying");
            let mut pe = PollError::from_upstream(&e);
            pe.message = format!(
                "Deteniendo el lote: ElevenLabs aún no confirmó la cancelación ({}); se reintenta en {} s",
                pe.message,
                wait.as_secs().max(1)
            );
            pe.code = ErrorCode::StopPending;
            pe.fatal = false;
            let _ = entry.errors.send(pe);
            false
        }
    }
}

async fn confirm(hub: &Inner, rec: &mut BatchRecord) -> bool {
    let Some(s) = rec.stop_reason.as_mut() else {
        return false;
    };
    s.pending = false;
    tracing::info!(batch_id = %rec.batch_id, code = %s.code, "stop confirmed upstream");
    if let Err(e) = hub.store.put_batch(rec).await {
        tracing::error!(batch_id = %rec.batch_id, error = %e, "cannot save a confirmed stop");
    }
    true
}

/// The stop as viewers see it: while it is pending, the message says so.
pub fn shown(s: &StopReason) -> StopReason {
    let mut s = s.clone();
    if s.pending {
        s.message = format!(
            "Deteniendo: {} (esperando la confirmación de ElevenLabs)",
            s.message
        );
    }
    s
}

impl Hub {
    /// An operator's cancel: recorded as "stopping", sent now, and pursued by the poller
    /// until ElevenLabs confirms it. Ok(true) when confirmed at once, Ok(false) while it
    /// is pursued; an error only for a batch that is not ours (nothing to pursue).
    pub async fn stop_batch(
        &self,
        batch_id: &str,
        actor: &str,
    ) -> Result<bool, crate::elevenlabs::ElevenLabsError> {
        let lock = self.0.redial_lock(batch_id);
        let _guard = lock.lock().await;
        let Ok(Some(mut rec)) = self.0.store.batch(batch_id).await else {
            self.0.client.cancel_batch(batch_id).await?;
            self.0.kick(batch_id);
            return Ok(true);
        };
        if rec.stop_reason.is_none() {
            rec.stop_reason = Some(pending(
                StopCode::Cancelled,
                format!("Cancelado por {actor}"),
                chrono::Utc::now().timestamp(),
            ));
            if let Err(e) = self.0.store.put_batch(&rec).await {
                tracing::error!(%batch_id, error = %e, "cannot record a cancel");
            }
        }
        let confirmed = match self.0.client.cancel_batch(batch_id).await {
            Ok(_) => confirm(&self.0, &mut rec).await,
            Err(e) => {
                tracing::warn!(%batch_id, error = %e, "cancel not confirmed; the poller retries it");
                false
            }
        };
        self.0.kick(batch_id);
        Ok(confirmed || !rec.stop_reason.as_ref().is_some_and(|s| s.pending))
    }
}
