//! `POST /api/groups/:id/call` (and its dry run): parses the request and its
//! `Idempotency-Key`, then `campaign::Campaign::start` does the rest.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiPath};
use super::respond::Ok200;
use super::state::AppState;
use crate::api::StartCallRequest;
use crate::campaign::{Key, StartAnswer};
use crate::domain::GroupId;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/groups/{id}/call", post(start_call))
        .route("/api/groups/{id}/call/preflight", post(preflight_only))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallQuery {
    /// Only run the pre-flight check: nothing is dialled.
    #[serde(default)]
    dry_run: bool,
}

/// `POST /api/groups/:id/call/preflight`: the same as `?dryRun=true`, on a path of its
/// own, so a client talking to an older service gets a 404 instead of a real start.
async fn preflight_only(
    caller: Caller,
    st: State<AppState>,
    group_id: ApiPath<GroupId>,
    headers: HeaderMap,
    req: ApiJson<StartCallRequest>,
) -> Result<Response, ApiError> {
    let dry = Query(CallQuery { dry_run: true });
    start_call(caller, st, group_id, dry, headers, req).await
}

async fn start_call(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(group_id): ApiPath<GroupId>,
    Query(query): Query<CallQuery>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<StartCallRequest>,
) -> Result<Response, ApiError> {
    let user_id = caller.acting_user(req.user_id)?;
    let key = match headers.get("idempotency-key") {
        Some(v) if !query.dry_run => {
            let v = v.to_str().unwrap_or_default().trim();
            Some(Key::for_start(v, user_id, group_id, &req)?)
        }
        _ => None,
    };
    let actor = caller.actor();
    let answer = st
        .campaign()
        .start(&actor, user_id, group_id, &req, key, query.dry_run)
        .await?;
    Ok(match answer {
        StartAnswer::DryRun { message, plan } => Ok200::new(message, *plan).into_response(),
        StartAnswer::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut resp = (status, axum::Json(body)).into_response();
            resp.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            resp
        }
        StartAnswer::Started(body) => (StatusCode::OK, axum::Json(body)).into_response(),
    })
}
