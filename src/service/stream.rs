//! `GET /api/batch-calls/:id/status/stream`: the seed's SSE events, and for callboard's own
//! clients (`?view=delta`) only what changed, with event ids and a resync after a gap (see
//! `api::delta`). A batch the caller may not see, or that ElevenLabs does not know, is
//! answered with the 404 envelope before any stream opens, so a browser's `EventSource`
//! gives up instead of reconnecting for ever. Every stream ends on the service's
//! cancellation token, so shutdown never waits for open streams.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use std::time::Duration;

use super::auth::Caller;
use super::error::{ApiError, ApiPath, ApiQuery};
use super::ownership::visible_batch;
use super::state::AppState;
use super::stream_body::{Open, Viewer, body};
use crate::api::{ErrorCode, VIEW_DELTA, VIEW_FULL};
use crate::monitor::{PollError, Subscription};

/// How long a stream waits for a batch's first state before it opens anyway (a batch
/// ElevenLabs does not know is answered 404 within this time).
const FIRST_STATE_WAIT: Duration = Duration::from_secs(10);

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/batch-calls/{batch_id}/status/stream", get(stream))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StreamQuery {
    /// `full` (the default, the seed's events) or `delta`.
    view: Option<String>,
    /// For a page that opens a new `EventSource` (which cannot set `Last-Event-ID`).
    last_event_id: Option<String>,
}

async fn stream(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<StreamQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let viewer = viewer(&q, &headers)?;
    visible_batch(&st, &caller, &id).await?;
    let hub = st.hub()?.clone();
    let slot = st.open_stream(caller.limit_key())?;
    let mut sub = hub.subscribe(&id);
    let early = first_state(&mut sub, &id).await?;
    let svc = &st.cfg().service;
    let open = Open {
        batch_id: id,
        viewer,
        sub,
        early,
        slot,
        ticks: st.sse_ticks(),
        cancel: st.cancel().clone(),
        timeout: Duration::from_secs(svc.sse_timeout_secs.max(1)),
        base: super::public_url::base(&st, &headers),
    };
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("x-accel-buffering", "no")
        .body(Body::from_stream(body(open)))
        .map_err(ApiError::internal)
}

/// The kind of events asked for, and for delta the last event id the client applied.
fn viewer(q: &StreamQuery, headers: &HeaderMap) -> Result<Viewer, ApiError> {
    match q.view.as_deref().map(str::trim) {
        None | Some("") | Some(VIEW_FULL) => Ok(Viewer::Full { sent_seq: None }),
        Some(VIEW_DELTA) => {
            let header = headers.get("last-event-id").and_then(|v| v.to_str().ok());
            let applied = header
                .or(q.last_event_id.as_deref())
                .and_then(|v| v.trim().parse::<u64>().ok());
            Ok(Viewer::Delta {
                applied,
                ended: false,
            })
        }
        Some(other) => Err(ApiError::bad_request(
            ErrorCode::InvalidQuery,
            format!(
                "view={} no existe: use view=full (los eventos completos, por defecto) o view=delta",
                super::error::truncate(other, 40)
            ),
        )),
    }
}

/// Waits (briefly) for the batch's first state. A batch ElevenLabs does not know is a 404
/// before the stream opens; other upstream trouble opens the stream and is its first news.
async fn first_state(sub: &mut Subscription, id: &str) -> Result<Vec<PollError>, ApiError> {
    let mut early = Vec::new();
    let wait = async {
        loop {
            if sub.snapshots.borrow_and_update().is_some() {
                return Ok(());
            }
            tokio::select! {
                changed = sub.snapshots.changed() => {
                    if changed.is_err() {
                        // The poller stopped before any state: its reason is queued.
                        while let Ok(e) = sub.errors.try_recv() {
                            if e.fatal && sub.snapshots.borrow().is_none() {
                                return Err(ApiError::batch_not_found(id));
                            }
                            early.push(e);
                        }
                        return Ok(());
                    }
                }
                err = sub.errors.recv() => match err {
                    Ok(e) if e.fatal => return Err(ApiError::batch_not_found(id)),
                    Ok(e) => {
                        early.push(e);
                        return Ok(());
                    }
                    Err(_) => return Ok(()),
                },
            }
        }
    };
    match tokio::time::timeout(FIRST_STATE_WAIT, wait).await {
        Ok(Err(e)) => Err(e),
        _ => Ok(early),
    }
}
