//! Reading one batch for a caller: whether they may see it, and the batch as upstream has
//! it right now (retry and cancel never act on a stale snapshot).

use super::auth::Caller;
use super::error::ApiError;
use super::state::AppState;
use crate::domain::{BatchStatus, RecipientStatus};

/// Checks that the caller may see the batch (see `ownership`): a 404 otherwise, as for a
/// batch that does not exist.
pub fn visible_record(st: &AppState, caller: &Caller, id: &str) -> Result<(), ApiError> {
    super::ownership::visible_batch(st, caller, id)
}

/// The batch as upstream has it now (not the hub's cached view): what retry and cancel act on.
pub(super) async fn current<'a>(
    st: &'a AppState,
    caller: &Caller,
    id: &str,
) -> Result<
    (
        &'a crate::monitor::Hub,
        Vec<crate::elevenlabs::BatchRecipientResponse>,
        BatchStatus,
        u32,
    ),
    ApiError,
> {
    visible_record(st, caller, id)?;
    let hub = st.hub()?;
    let detail = hub
        .client()
        .get_batch(id)
        .await
        .map_err(|e| not_found_or(id, &e))?;
    let statuses: Vec<RecipientStatus> =
        detail.recipients.iter().map(|r| r.status.clone()).collect();
    let status = detail.batch.status.clone().refine(&statuses);
    Ok((hub, detail.recipients, status, detail.batch.retry_count))
}

pub(super) fn not_found_or(id: &str, e: &crate::elevenlabs::ElevenLabsError) -> ApiError {
    if e.is_not_found() {
        ApiError::batch_not_found(id)
    } else {
        ApiError::from_upstream(e)
    }
}
