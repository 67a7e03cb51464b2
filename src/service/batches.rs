//! The batch routes: `GET /api/batch-calls/:id/status`, `POST …/retry`, `…/cancel` and
//! `…/resume` here (their use cases in `campaign/`); the list in `batch_list.rs`. Status
//! comes from the hub (one upstream poll for every viewer, rendered once per change).

use super::error::hub_error;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::auth::Caller;
use super::error::{ApiError, ApiPath};
use super::ownership::visible_batch;
use super::respond::{Ok200, raw_json};
use super::state::AppState;
use crate::api::{CancelData, Envelope, ResumeData, RetryData};
use crate::monitor::Snapshot;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/batch-calls", get(super::batch_list::list))
        .route("/api/batch-calls/{batch_id}/status", get(status))
        .route("/api/batch-calls/{batch_id}/retry", post(retry))
        .route("/api/batch-calls/{batch_id}/cancel", post(cancel))
        .route("/api/batch-calls/{batch_id}/resume", post(resume))
}

/// The status envelope of a snapshot, serialised once and shared by every request.
pub fn status_body(s: &Snapshot) -> axum::body::Bytes {
    s.status_body
        .get_or_init(|| {
            let env = Envelope::ok("Estado del batch call obtenido exitosamente", &s.view);
            serde_json::to_vec(&env).unwrap_or_default().into()
        })
        .clone()
}

/// A weak validator of the rendered body (64-bit hash, made once per snapshot).
fn etag(s: &Snapshot) -> &str {
    s.etag.get_or_init(|| {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        status_body(s).hash(&mut h);
        format!("W/\"{:016x}\"", h.finish())
    })
}

async fn status(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    visible_batch(&st, &caller, &id).await?;
    let snap = st
        .hub()?
        .snapshot(&id)
        .await
        .map_err(|e| hub_error(&id, e))?;
    let tag = etag(&snap);
    // Pollers (browsers revalidate `no-cache` answers by themselves) get a bodiless 304
    // while nothing changed: a 1,000-recipient status is about a megabyte.
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    // Audio links are absolute: this service's public address, else the request's (none
    // known: the relative rendering).
    let base = super::public_url::base(&st, &headers).unwrap_or_default();
    let mut resp = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let r = super::public_url::rendering(&snap, &base, || status_body(&snap));
        if crate::gzip::accepted(&headers) {
            let gz = r
                .gzip
                .get_or_init(|| crate::gzip::compress(&r.body))
                .clone();
            crate::gzip::json_response(gz)
        } else {
            raw_json(r.body)
        }
    };
    if let Ok(v) = header::HeaderValue::from_str(tag) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    Ok(resp)
}

/// `POST /api/batch-calls/:id/resume`: a stopped batch's undialled recipients, as a new
/// batch (at once, or at the next opening when the calling window is closed).
async fn resume(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Ok200<ResumeData>, ApiError> {
    let done = st.campaign().resume(&caller.actor(), &id).await?;
    Ok(Ok200::new(done.message, done.data))
}

async fn cancel(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Ok200<CancelData>, ApiError> {
    let done = st.campaign().cancel(&caller.actor(), &id).await?;
    Ok(Ok200::new(done.message, done.data))
}

/// `POST /api/batch-calls/:id/retry`: the failed and voicemail calls of a finished batch,
/// dialled again.
async fn retry(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Ok200<RetryData>, ApiError> {
    let done = st.campaign().retry(&caller.actor(), &id).await?;
    Ok(Ok200::new(done.message, done.data))
}
