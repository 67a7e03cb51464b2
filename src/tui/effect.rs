//! What `update` asks the outside world to do. The runner turns each into a tokio task
//! that reports back with an [`Action`](crate::tui::action::Action); `update` itself never
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
    /// The call start's dry-run: who would be dialled, when, for how long. Dials nobody.
    Preflight {
        group_id: GroupId,
        request: StartCallRequest,
        generation: u64,
    },
    StartCall {
        group_id: GroupId,
        request: StartCallRequest,
    },
    LoadOptOuts,
    AddOptOut {
        phone: String,
        reason: String,
    },
    /// The service's KPIs of a batch (the other side of a comparison).
    LoadReport(String),
    Retry(String),
    Cancel(String),
    /// Resubmit what this stopped batch never dialled.
    Resume(String),
    /// An export (CSV or JSON) of `rows` recipients.
    WriteFile {
        path: PathBuf,
        contents: String,
        rows: usize,
    },
    PlayAudio {
        conversation_id: String,
        /// Where the recording is saved when no player is found (the export folder).
        save_dir: PathBuf,
    },
}
