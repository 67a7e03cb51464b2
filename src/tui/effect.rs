//! What `update` asks the outside world to do. The runner turns each into a tokio task
//! that reports back with an [`Action`](super::action::Action); `update` itself never
//! does I/O, so it can be tested with plain function calls.

use std::path::PathBuf;

use crate::api::StartCallRequest;
use crate::domain::GroupId;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadGroups,
    LoadBatches,
    LoadPhoneNumbers,
    LoadGroupDetail(GroupId),
    /// Follow this batch (SSE, with polling as fallback); stops following the previous one.
    Watch(String),
    StartCall {
        group_id: GroupId,
        request: StartCallRequest,
    },
    Retry(String),
    Cancel(String),
    WriteCsv {
        path: PathBuf,
        contents: String,
        rows: usize,
    },
    PlayAudio {
        conversation_id: String,
    },
}
