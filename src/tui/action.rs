//! Everything that can change the dashboard's state: keys, ticks, data from the service
//! and the results of the tasks that effects started.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use std::path::PathBuf;

use crate::api::{
    BatchListItem, BatchStatusView, CancelData, GroupDetail, GroupSummary, OptOutView,
    PhoneNumberView, ResumeData, RetryData, StartCallData,
};
use crate::domain::GroupId;
use crate::domain::preflight::Preflight;
use crate::report::BatchKpis;

/// State of the link to the watched batch, as the header shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnState {
    /// No batch watched.
    Idle,
    Connecting,
    /// SSE stream open.
    Live,
    /// SSE dropped; trying again (attempt number).
    Reconnecting(u32),
    /// SSE unavailable; asking the status route every few seconds.
    Polling,
    /// Neither SSE nor the status route answer.
    Offline,
    /// The batch ended; nothing more will come.
    Ended,
}

/// A failed request and a route's answer: the service client's own types.
pub use crate::client::{Failure, Outcome};

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    /// Once a second: clocks and ages move.
    Tick(DateTime<Utc>),
    Resize,
    /// Reload groups and batches (periodic, or `R`).
    Refresh,
    GroupsLoaded(Outcome<Vec<GroupSummary>>),
    BatchesLoaded(Outcome<Vec<BatchListItem>>),
    PhoneNumbersLoaded(Outcome<Vec<PhoneNumberView>>),
    GroupDetailLoaded(Outcome<Box<GroupDetail>>),
    /// A status snapshot of `batch_id` (SSE `status-update`/`batch-completed`, or a poll).
    Snapshot {
        batch_id: String,
        view: Box<BatchStatusView>,
        at: DateTime<Utc>,
    },
    Conn {
        batch_id: String,
        state: ConnState,
    },
    /// The stream's own `error`/`timeout` events: shown, not fatal. `code` is the
    /// event's code when it had one (`circuit_breaker` means the batch was stopped).
    StreamNotice {
        batch_id: String,
        message: String,
        code: Option<String>,
    },
    /// The dry-run of the call dialog (`generation` tells a stale answer from the current one).
    PreflightLoaded {
        group_id: GroupId,
        generation: u64,
        result: Outcome<Box<Preflight>>,
    },
    CallStarted(Outcome<StartCallData>),
    OptOutsLoaded(Outcome<Vec<OptOutView>>),
    /// An opt-out was saved: the service's message and the entry.
    OptOutAdded(Outcome<(String, OptOutView)>),
    /// KPIs of a batch other than the watched one (the comparison's other side).
    ReportLoaded {
        batch_id: String,
        result: Outcome<Box<BatchKpis>>,
    },
    Retried(Outcome<RetryData>),
    Cancelled(Outcome<CancelData>),
    Resumed(Outcome<ResumeData>),
    Exported(Result<(usize, PathBuf), String>),
    /// A message from a task for the status line (`error` paints it red).
    Notice {
        text: String,
        error: bool,
    },
    Quit,
}
