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
    pub view: BatchStatusView,
    /// When the hub saw this state (the seed's timestamp format).
    pub timestamp: String,
    pub is_final: bool,
    /// The service's renderings, made once per snapshot and shared by every request.
    pub status_body: OnceLock<Bytes>,
    /// `status_body` gzipped, for the (many) clients that accept it.
    pub status_gzip: OnceLock<Bytes>,
    pub sse_frame: OnceLock<Bytes>,
    /// Validator of `status_body`, so pollers can ask "changed?" and get a bodiless 304.
    pub etag: OnceLock<String>,
    /// `status_body` with absolute audio links, per public base URL (a service is reached
    /// under one or two names; see `service::public_url`).
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
