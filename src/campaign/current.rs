//! One batch as ElevenLabs has it right now (not the hub's cached view): what retry and
//! cancel act on, so they never act on a stale snapshot.

use super::{Actor, Campaign, not_found_or};
use crate::api::ApiError;
use crate::domain::{BatchStatus, RecipientStatus};
use crate::elevenlabs::BatchRecipientResponse;
use crate::monitor::Hub;

/// The batch now: its recipients, its status (refined by theirs) and ElevenLabs'
/// `retry_count`.
pub(super) struct Current<'a> {
    pub hub: &'a Hub,
    pub recipients: Vec<BatchRecipientResponse>,
    pub status: BatchStatus,
    pub retry_count: u32,
}

impl Campaign {
    /// The batch `id` as upstream has it now, if the actor may see it (a 404 otherwise,
    /// as for a batch that does not exist).
    pub(super) async fn current(&self, actor: &Actor, id: &str) -> Result<Current<'_>, ApiError> {
        self.visible_batch(actor, id).await?;
        let hub = self.hub()?;
        let detail = hub
            .client()
            .get_batch(id)
            .await
            .map_err(|e| not_found_or(id, &e))?;
        let statuses: Vec<RecipientStatus> =
            detail.recipients.iter().map(|r| r.status.clone()).collect();
        let status = detail.batch.status.clone().refine(&statuses);
        Ok(Current {
            hub,
            recipients: detail.recipients,
            status,
            retry_count: detail.batch.retry_count,
        })
    }
}
