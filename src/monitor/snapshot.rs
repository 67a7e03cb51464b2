//! What viewers receive: one state of a batch (`Snapshot`, with the service's renderings
//! cached on it) and a viewer's handle on a batch (`Subscription`).

use bytes::Bytes;
use std::sync::{Arc, OnceLock};
use tokio::sync::{broadcast, watch};

use super::error::PollError;
use crate::api::BatchStatusView;

/// One state of a batch as viewers see it.
#[derive(Debug)]
pub struct Snapshot {
    /// Grows by one with every change; SSE uses it as the event id.
    pub seq: u64,
    /// Unique among the service's snapshots, across batches and restarts: the `id:` of
    /// the events delta viewers get, which they send back as `Last-Event-ID`.
    pub event_id: u64,
    /// `event_id` of the snapshot this one follows (same batch, same poller).
    pub prev_event_id: Option<u64>,
    /// Positions in `view.recipients` of the recipients that changed since
    /// `prev_event_id`; None when the list itself changed (then only the whole view).
    pub changed: Option<Vec<u32>>,
    pub view: BatchStatusView,
    /// When the hub saw this state (the seed's timestamp format).
    pub timestamp: String,
    pub is_final: bool,
    /// The service's renderings, made once per snapshot and shared by every request.
    pub status_body: OnceLock<Bytes>,
    pub sse_frame: OnceLock<Bytes>,
    /// Delta viewers' frames: the whole view (a viewer that missed something) and only
    /// what changed since `prev_event_id`.
    pub sse_resync: OnceLock<Bytes>,
    pub sse_delta: OnceLock<Bytes>,
    /// Validator of `status_body`, so pollers can ask "changed?" and get a bodiless 304.
    pub etag: OnceLock<String>,
    /// `status_body` (and SSE frames) with absolute audio links, per public base URL (a
    /// service is reached under one or two names; see `service::public_url`), with its
    /// gzip for the (many) clients that accept it.
    pub per_base: std::sync::Mutex<Vec<(String, BaseRendering)>>,
}

/// The status body for one public base URL, and its gzip.
#[derive(Debug, Clone, Default)]
pub struct BaseRendering {
    pub body: Bytes,
    pub gzip: Arc<OnceLock<Bytes>>,
}

/// A viewer's handle: the latest snapshot and the error channel.
pub struct Subscription {
    pub snapshots: watch::Receiver<Option<Arc<Snapshot>>>,
    pub errors: broadcast::Receiver<PollError>,
}

impl Snapshot {
    /// The state that follows `prev` (None: the poller's first), renderings not made yet.
    pub(super) fn after(
        prev: Option<&Snapshot>,
        seq: u64,
        event_id: u64,
        view: BatchStatusView,
        is_final: bool,
    ) -> Self {
        Snapshot {
            seq,
            event_id,
            prev_event_id: prev.map(|s| s.event_id),
            changed: prev.and_then(|s| changed_positions(&s.view.recipients, &view.recipients)),
            view,
            timestamp: crate::api::timestamp_now(),
            is_final,
            status_body: Default::default(),
            sse_frame: Default::default(),
            sse_resync: Default::default(),
            sse_delta: Default::default(),
            etag: Default::default(),
            per_base: Default::default(),
        }
    }
}

impl Snapshot {
    /// A snapshot another instance made (see `cluster`), ids and time as it made them.
    pub(super) fn shared(parts: SharedParts, view: BatchStatusView) -> Self {
        Snapshot {
            seq: parts.seq,
            event_id: parts.event_id,
            prev_event_id: parts.prev_event_id,
            changed: parts.changed,
            view,
            timestamp: parts.timestamp,
            is_final: parts.is_final,
            status_body: Default::default(),
            sse_frame: Default::default(),
            sse_resync: Default::default(),
            sse_delta: Default::default(),
            etag: Default::default(),
            per_base: Default::default(),
        }
    }
}

/// What of a snapshot another instance stores beside its view.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct SharedParts {
    pub(super) seq: u64,
    pub(super) event_id: u64,
    pub(super) prev_event_id: Option<u64>,
    pub(super) changed: Option<Vec<u32>>,
    pub(super) timestamp: String,
    pub(super) is_final: bool,
}

/// Positions of the recipients of `new` that differ from `old`, when both list the same
/// recipients in the same order (what a delta can express); None otherwise.
fn changed_positions(
    old: &[crate::api::RecipientView],
    new: &[crate::api::RecipientView],
) -> Option<Vec<u32>> {
    if old.len() != new.len() || old.iter().zip(new).any(|(a, b)| a.id != b.id) {
        return None;
    }
    Some(
        old.iter()
            .zip(new)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, _)| i as u32)
            .collect(),
    )
}
