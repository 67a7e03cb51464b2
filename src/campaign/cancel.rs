//! Cancelling a batch: the recipients not yet dialled are never dialled. The stop is
//! pursued by the batch's poller until ElevenLabs confirms it; the answer says whether it
//! is confirmed yet.

use super::{Actor, Campaign, Outcome, not_found_or};
use crate::api::{ApiError, CancelData, ErrorCode};
use crate::domain::{AuditAction, BatchStatus};

impl Campaign {
    /// Stops the batch `id`.
    pub async fn cancel(&self, actor: &Actor, id: &str) -> Result<Outcome<CancelData>, ApiError> {
        let now = self.current(actor, id).await?;
        if now.status.is_final() {
            return Err(ApiError::conflict(
                ErrorCode::BatchAlreadyFinal,
                format!(
                    "El lote ya terminó ({}); no hay llamadas que cancelar",
                    now.status.label_es()
                ),
            ));
        }
        let cancelled = now
            .recipients
            .iter()
            .filter(|r| r.status.is_not_started())
            .count();
        let confirmed = now
            .hub
            .stop_batch(id, actor.name())
            .await
            .map_err(|e| not_found_or(id, &e))?;
        if confirmed {
            let _ = self
                .store()
                .set_batch_status(id, &BatchStatus::Cancelled)
                .await;
        }
        self.audit(
            actor,
            AuditAction::BatchCancel,
            id,
            serde_json::json!({ "cancelled": cancelled, "confirmed": confirmed }),
        )
        .await;
        let (message, status) = if confirmed {
            ("Batch call cancelado exitosamente", "cancelled")
        } else {
            (
                "Deteniendo el lote: ElevenLabs aún no confirmó la cancelación; callboard la reintenta hasta que se confirme",
                "stopping",
            )
        };
        Ok(Outcome::new(
            message,
            CancelData {
                batch_id: id.to_string(),
                status: status.into(),
                cancelled_count: cancelled,
            },
        ))
    }
}
