//! Resuming a stopped batch: its undialled recipients (minus opt-outs) as a new batch, at
//! once or at the next opening when the calling window is closed. The monitor does the
//! submit through the journal; this says what happened.

use super::{Actor, Campaign, Outcome};
use crate::api::{ApiError, ErrorCode, ResumeData};
use crate::monitor::ResumeError;

impl Campaign {
    /// Sends the undialled recipients of the stopped batch `id` as a new batch.
    pub async fn resume(&self, actor: &Actor, id: &str) -> Result<Outcome<ResumeData>, ApiError> {
        self.visible_batch(actor, id).await?;
        let link = match self.hub()?.resume_undialled(id, actor.name()).await {
            Ok(Some(link)) => link,
            Ok(None) => {
                return Err(ApiError::conflict(
                    ErrorCode::NothingToResume,
                    "No queda nadie que reanudar: a todos los destinatarios de este lote ya se los llamó o están en la lista de no llamar",
                ));
            }
            Err(e) => return Err(refusal(id, e)),
        };
        let message = match link.scheduled_time_unix {
            Some(t) => format!(
                "{} destinatarios nunca llamados reenviados en el lote {}, programado para el {}",
                link.recipients,
                link.batch_id,
                self.local(t)
            ),
            None => format!(
                "{} destinatarios nunca llamados reenviados en el lote {}",
                link.recipients, link.batch_id
            ),
        };
        Ok(Outcome::new(
            message,
            ResumeData {
                batch_id: id.to_string(),
                new_batch_id: link.batch_id,
                recipients_count: link.recipients,
                scheduled_time_unix: link.scheduled_time_unix,
            },
        ))
    }
}

fn refusal(id: &str, e: ResumeError) -> ApiError {
    match e {
        ResumeError::NotOurs => ApiError::batch_not_found(id),
        ResumeError::Running => ApiError::conflict(
            ErrorCode::BatchInProgress,
            "El lote sigue en curso; cancélelo o espere a que termine antes de reanudar",
        ),
        ResumeError::AlreadyContinued(next) => ApiError::conflict(
            ErrorCode::BatchContinued,
            format!("Los destinatarios de este lote ya continúan en el lote {next}"),
        )
        .with_details(serde_json::json!({ "batchId": next })),
        ResumeError::Upstream(e) => ApiError::from_poll(e),
        ResumeError::Store(e) => ApiError::internal(e),
    }
}
