//! `/v1/convai/batch-calling/*` but submit: list with cursor, get, cancel, retry, delete.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::elevenlabs::WorkspaceBatchCallsResponse;
use crate::sim::reply;
use crate::sim::state::{St, lock};

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    limit: Option<i64>,
    last_doc: Option<String>,
    agent_id: Option<String>,
}

pub(crate) async fn list(State(st): St, Query(q): Query<ListQuery>) -> Response {
    let limit = q.limit.unwrap_or(100);
    if limit < 1 {
        return reply::unprocessable(vec![reply::invalid_item(
            "greater_than_equal",
            &[json!("query"), json!("limit")],
            "Input should be greater than or equal to 1",
            json!(limit),
        )]);
    }
    let limit = limit.min(1000) as usize;
    let now = st.now();
    let mut ws = lock(&st.ws);
    // Newest first.
    let ids: Vec<String> = ws
        .batches
        .values()
        .rev()
        .filter(|b| !b.deleted && q.agent_id.as_ref().is_none_or(|a| *a == b.agent_id))
        .map(|b| b.id.clone())
        .collect();
    let start = match &q.last_doc {
        None => 0,
        Some(doc) => match ids.iter().position(|id| id == doc) {
            Some(p) => p + 1,
            None => {
                return reply::error(
                    400,
                    "invalid_request",
                    "invalid_cursor",
                    "The cursor is not valid.",
                );
            }
        },
    };
    let page: Vec<String> = ids.iter().skip(start).take(limit).cloned().collect();
    let has_more = start + page.len() < ids.len();
    let batch_calls = page
        .iter()
        .filter_map(|id| ws.batches.get_mut(id).map(|b| b.view(now)))
        .collect();
    reply::json_ok(&WorkspaceBatchCallsResponse {
        batch_calls,
        next_doc: if has_more { page.last().cloned() } else { None },
        has_more,
    })
}

fn batch_not_found(id: &str) -> Response {
    reply::not_found(
        "batch_call_not_found",
        &format!("Batch call {id} not found"),
    )
}

pub(crate) async fn get_one(
    State(st): St,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let gzip = crate::gzip::accepted(&headers);
    let now = st.now();
    let mut ws = lock(&st.ws);
    match ws.batches.get_mut(&id).filter(|b| !b.deleted) {
        Some(b) if gzip => crate::gzip::json_response(b.detail_gzip(now)),
        Some(b) => reply::raw_json(b.detail_json(now)),
        None => batch_not_found(&id),
    }
}

pub(crate) async fn cancel(State(st): St, Path(id): Path<String>) -> Response {
    let now = st.now();
    let mut ws = lock(&st.ws);
    let Some(b) = ws.batches.get_mut(&id).filter(|b| !b.deleted) else {
        return batch_not_found(&id);
    };
    match b.cancel(now) {
        Ok(()) => reply::json_ok(&b.view(now)),
        Err(code) => reply::conflict(
            code,
            "The batch call has already finished and cannot be cancelled.",
        ),
    }
}

pub(crate) async fn retry(State(st): St, Path(id): Path<String>) -> Response {
    let now = st.now();
    let mut ws = lock(&st.ws);
    let mix = st.mix(ws.batches.get(&id));
    let Some(b) = ws.batches.get_mut(&id).filter(|b| !b.deleted) else {
        return batch_not_found(&id);
    };
    match b.retry(now, &mix) {
        Ok(new_convs) => {
            let view = b.view(now);
            for (conv, ri) in new_convs {
                let ai = ws
                    .batches
                    .get(&id)
                    .map_or(0, |b| b.recipients[ri].attempts.len() - 1);
                ws.conversations.insert(conv, (id.clone(), ri, ai));
            }
            reply::json_ok(&view)
        }
        Err(code) => reply::conflict(
            code,
            "Only a finished, not cancelled batch call can be retried.",
        ),
    }
}

pub(crate) async fn delete(State(st): St, Path(id): Path<String>) -> Response {
    let mut ws = lock(&st.ws);
    match ws.batches.get_mut(&id).filter(|b| !b.deleted) {
        Some(b) => {
            // Conversations remain in history, so the batch stays in memory, hidden.
            b.deleted = true;
            StatusCode::NO_CONTENT.into_response()
        }
        None => batch_not_found(&id),
    }
}
