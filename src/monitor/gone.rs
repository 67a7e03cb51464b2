//! A batch of ours that ElevenLabs answers 404 for: checked against the workspace list
//! before anything is concluded (a 404 can be a passing fault). Only a batch missing from
//! both is recorded as gone, so its group is not blocked for ever.

use futures::{StreamExt, pin_mut};

use super::state::Inner;
use crate::domain::{BatchRecord, StopReason};

/// Whether the batch is really gone; if so, the record says so and is final.
pub(super) async fn confirmed(hub: &Inner, rec: &mut BatchRecord) -> bool {
    let listed = {
        let stream = hub.client.list_batches().take(1000);
        pin_mut!(stream);
        let mut listed = Some(false);
        while let Some(item) = stream.next().await {
            match item {
                Ok(b) if b.id == rec.batch_id => {
                    listed = Some(true);
                    break;
                }
                Ok(_) => {}
                // Cannot tell: keep polling.
                Err(_) => {
                    listed = None;
                    break;
                }
            }
        }
        listed
    };
    if listed != Some(false) {
        return false;
    }
    tracing::warn!(batch_id = %rec.batch_id, "batch missing upstream (404 and not listed): recorded as gone");
    rec.stop_reason = Some(StopReason {
        code: crate::domain::StopCode::NotFoundUpstream,
        message:
            "ElevenLabs ya no tiene este lote (404 y ausente de la lista del espacio de trabajo)"
                .into(),
        at_unix: chrono::Utc::now().timestamp(),
        pending: false,
    });
    rec.done = true;
    rec.follow_up_done = true;
    if let Err(e) = hub.store.put_batch(rec).await {
        tracing::error!(batch_id = %rec.batch_id, error = %e, "cannot record a gone batch");
        return false;
    }
    true
}
