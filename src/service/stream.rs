//! `GET /api/batch-calls/:id/status/stream`: the seed's SSE events. Frames are written by
//! hand so that one snapshot is serialised once and the same bytes go to every viewer
//! (axum's `Event` would copy and re-encode per connection). Every stream ends on the
//! service's cancellation token, so shutdown never waits for open streams.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

use super::auth::Caller;
use super::error::{ApiError, ApiPath};
use super::ownership::visible_batch;
use super::state::AppState;
use crate::api::{
    BatchCompletedEvent, ConnectedEvent, EVENT_BATCH_COMPLETED, EVENT_CONNECTED, EVENT_ERROR,
    EVENT_STATUS_UPDATE, EVENT_TIMEOUT, ErrorEvent, StatusUpdateEvent, TimeoutEvent, timestamp_now,
};
use crate::monitor::Snapshot;

/// What the browser waits before reconnecting (the seed's own fallback also uses 5 s).
const RETRY_MS: u64 = 5000;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/batch-calls/{batch_id}/status/stream", get(stream))
}

/// One SSE frame. JSON from serde has no raw newlines, so one `data:` line is enough.
fn frame(event: &str, id: Option<u64>, data: &impl Serialize, retry: Option<u64>) -> Vec<u8> {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "{}".into());
    let mut out = String::with_capacity(json.len() + 64);
    if let Some(r) = retry {
        out.push_str(&format!("retry: {r}\n"));
    }
    out.push_str("event: ");
    out.push_str(event);
    out.push('\n');
    if let Some(id) = id {
        out.push_str(&format!("id: {id}\n"));
    }
    out.push_str("data: ");
    out.push_str(&json);
    out.push_str("\n\n");
    out.into_bytes()
}

/// `status-update` for a snapshot, followed by `batch-completed` when it is final (the
/// seed's page updates the bar only on `status-update`, so that one comes first).
pub fn snapshot_frames(s: &Snapshot) -> Bytes {
    s.sse_frame
        .get_or_init(|| {
            let mut out = frame(
                EVENT_STATUS_UPDATE,
                Some(s.seq),
                &StatusUpdateEvent {
                    success: true,
                    data: s.view.clone(),
                    timestamp: s.timestamp.clone(),
                },
                None,
            );
            if s.is_final {
                out.extend(frame(
                    EVENT_BATCH_COMPLETED,
                    Some(s.seq),
                    &BatchCompletedEvent {
                        message: "Batch call completed".into(),
                        final_status: s.view.status.as_str().to_string(),
                        data: s.view.clone(),
                        timestamp: s.timestamp.clone(),
                    },
                    None,
                ));
            }
            out.into()
        })
        .clone()
}

async fn stream(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    visible_batch(&st, &caller, &id)?;
    let hub = st.hub()?.clone();
    let slot = st.open_stream(caller.limit_key())?;
    let mut sub = hub.subscribe(&id);
    let cancel = st.cancel().clone();
    let svc = &st.cfg().service;
    let timeout = Duration::from_secs(svc.sse_timeout_secs.max(1));
    let keepalive = Duration::from_secs(svc.keepalive_secs.max(1));
    let minutes = svc.sse_timeout_secs.div_ceil(60);
    let body = async_stream::stream! {
        let _slot = slot;
        yield Ok::<Bytes, Infallible>(connected_frame(&id));
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + keepalive, keepalive);
        let mut sent_seq = None;
        let mut errors_open = true;
        loop {
            let current = sub.snapshots.borrow_and_update().clone();
            if let Some(s) = current && sent_seq != Some(s.seq) {
                sent_seq = Some(s.seq);
                if s.is_final {
                    // Why it stopped (circuit breaker, window close) goes out before the end.
                    while let Ok(e) = sub.errors.try_recv() {
                        yield Ok(error_frame(e));
                    }
                }
                yield Ok(snapshot_frames(&s));
                if s.is_final {
                    break;
                }
            }
            tokio::select! {
                changed = sub.snapshots.changed() => {
                    if changed.is_err() {
                        // The poller is gone. A final snapshot not yet sent goes out first;
                        // otherwise it stopped for a reason that the error channel carries.
                        let last = sub.snapshots.borrow().clone();
                        if let Some(s) = last && sent_seq != Some(s.seq) {
                            yield Ok(snapshot_frames(&s));
                            if s.is_final { break; }
                        }
                        while let Ok(e) = sub.errors.try_recv() {
                            yield Ok(error_frame(e));
                        }
                        break;
                    }
                }
                err = sub.errors.recv(), if errors_open => {
                    match err {
                        Ok(e) => {
                            let fatal = e.fatal;
                            yield Ok(error_frame(e));
                            if fatal { break; }
                        }
                        Err(RecvError::Lagged(_)) => {}
                        Err(RecvError::Closed) => errors_open = false,
                    }
                }
                _ = ping.tick() => {
                    yield Ok(Bytes::from_static(b": keep-alive\n\n"));
                }
                _ = &mut deadline => {
                    yield Ok(timeout_frame(minutes));
                    break;
                }
                _ = cancel.cancelled() => break,
            }
        }
    };
    sse_response(body)
}

/// The answer that carries an event stream (never cached, never buffered by a proxy).
fn sse_response<S>(body: S) -> Result<Response, ApiError>
where
    S: futures::Stream<Item = Result<Bytes, Infallible>> + Send + 'static,
{
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("x-accel-buffering", "no")
        .body(Body::from_stream(body))
        .map_err(ApiError::internal)
}

/// The first event: the stream is open (with the reconnection delay).
fn connected_frame(id: &str) -> Bytes {
    let connected = ConnectedEvent {
        message: "Conexión SSE establecida".into(),
        batch_id: id.to_string(),
        timestamp: timestamp_now(),
    };
    frame(EVENT_CONNECTED, Some(0), &connected, Some(RETRY_MS)).into()
}

/// An `error` event: upstream trouble, or why the batch stopped.
fn error_frame(e: crate::monitor::PollError) -> Bytes {
    let ev = ErrorEvent {
        message: e.message,
        code: e.code.to_string(),
        timestamp: timestamp_now(),
    };
    frame(EVENT_ERROR, None, &ev, None).into()
}

/// The last event of a stream open longer than `sse_timeout_secs`.
fn timeout_frame(minutes: u64) -> Bytes {
    let ev = TimeoutEvent {
        message: format!("Conexión cerrada por timeout ({minutes} minutos)"),
        timestamp: timestamp_now(),
    };
    frame(EVENT_TIMEOUT, None, &ev, None).into()
}
