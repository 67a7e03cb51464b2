//! `GET /api/batch-calls[?limit=N&cursor=C]`: our batches the caller may see, with
//! upstream's live status when ElevenLabs answers in time, plus (for the admin) the rest of
//! the workspace; newest first, one page at a time.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::time::Duration;

use super::auth::Caller;
use super::error::{ApiError, ApiQuery};
use super::limits::PageQuery;
use super::respond::Ok200;
use super::state::AppState;
use crate::api::BatchListItem;
use crate::domain::{BatchStatus, GroupId};
use crate::elevenlabs::BatchCallResponse;
use crate::store::BatchListHead;

/// Upstream's list is asked for at most this long; after that our records answer alone.
const LIST_TIMEOUT: Duration = Duration::from_secs(10);
/// Upstream batches read per list request (one page of ElevenLabs' list).
const UPSTREAM_PAGE: u32 = 100;

/// `GET /api/batch-calls[?limit=N&cursor=C]`: one page, newest first (100 by default,
/// 1,000 at most); the `x-next-cursor` header says where the next page starts.
pub(super) async fn list(
    caller: Caller,
    State(st): State<AppState>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let (size, cursor) = (page.size()?, page.cursor()?.map(str::to_string));
    let records = our_page(&st, &caller, cursor.as_deref(), size).await?;
    let (mut upstream, upstream_ok) = upstream_page(&st).await;
    let mut items: Vec<(String, BatchListItem)> = records
        .iter()
        .map(|r| our_item(r, upstream.remove(&r.batch_id)))
        .collect();
    // The rest of the workspace (started elsewhere) is the admin's to see.
    if caller.is_admin() {
        items.extend(upstream.into_values().map(upstream_item));
    }
    let (page_items, next) = page_of(items, cursor.as_deref(), size);
    let message = if upstream_ok || st.client().is_err() {
        "Lista de batch calls obtenida exitosamente"
    } else {
        "Lista de batch calls obtenida (estados guardados: ElevenLabs no respondió)"
    };
    let mut resp = Ok200::new(message, page_items).into_response();
    if let Some(n) = next.and_then(|n| header::HeaderValue::from_str(&n).ok()) {
        resp.headers_mut().insert("x-next-cursor", n);
    }
    Ok(resp)
}

/// One page of our records (plus one, to know whether more follow), visible ones only.
async fn our_page(
    st: &AppState,
    caller: &Caller,
    cursor: Option<&str>,
    size: usize,
) -> Result<Vec<BatchListHead>, ApiError> {
    let admin = caller.is_admin();
    let store = st.store().clone();
    // Whether the caller may see each group's batches, read before the page: `keep` cannot
    // wait for the store.
    let mut owners: HashMap<GroupId, bool> = HashMap::new();
    if !admin {
        for g in store.groups().await? {
            owners.insert(g.id, super::ownership::may_see_owner(caller, g.owner));
        }
    }
    let page = store
        .batch_list_page(cursor, size + 1, |h| {
            if admin {
                return Ok(true);
            }
            let visible = owners.get(&h.group_id).copied();
            Ok(visible.unwrap_or_else(|| super::ownership::may_see_owner(caller, None)))
        })
        .await?;
    Ok(page.into_iter().map(|(_, h)| h).collect())
}

/// The newest page of upstream's list, by id, and whether upstream answered in time.
async fn upstream_page(st: &AppState) -> (HashMap<String, BatchCallResponse>, bool) {
    let mut upstream = HashMap::new();
    let mut ok = false;
    if let Ok(client) = st.client() {
        let fetch = client.list_batches_page(None, UPSTREAM_PAGE);
        if let Ok(r) = tokio::time::timeout(LIST_TIMEOUT, fetch).await {
            ok = r.is_ok();
            for b in r.map(|p| p.batch_calls).unwrap_or_default() {
                upstream.insert(b.id.clone(), b);
            }
        }
    }
    (upstream, ok)
}

/// One of our batches, with upstream's status and counts when upstream listed it.
fn our_item(r: &BatchListHead, up: Option<BatchCallResponse>) -> (String, BatchListItem) {
    let status = match (&up, &r.last_status) {
        // Our refinement (partially_completed) needs the recipients: keep it.
        (Some(u), Some(mine)) if u.status == BatchStatus::Completed && mine.is_final() => {
            mine.clone()
        }
        (Some(u), _) => u.status.clone(),
        (None, Some(mine)) => mine.clone(),
        (None, None) => BatchStatus::Pending,
    };
    (
        list_key(r.created_at.timestamp_micros(), &r.batch_id),
        BatchListItem {
            batch_id: r.batch_id.clone(),
            call_name: r.call_name.clone(),
            status,
            created_at: r
                .created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            recipients_count: r.recipients,
            finished_count: up.map(|u| u.total_calls_finished as usize).unwrap_or(0),
            group_id: Some(r.group_id),
            group_name: Some(r.group_name.clone()),
            agent_id: r.agent_id.clone(),
            stop_reason: r.stop_reason.clone(),
            continued_by: r.continued_by.as_ref().map(|c| c.batch_id.clone()),
        },
    )
}

/// A batch of the workspace that callboard did not start.
fn upstream_item(u: BatchCallResponse) -> (String, BatchListItem) {
    let created = chrono::DateTime::from_timestamp(u.created_at_unix, 0).unwrap_or_default();
    (
        list_key(u.created_at_unix.saturating_mul(1_000_000), &u.id),
        BatchListItem {
            batch_id: u.id,
            call_name: u.name,
            status: u.status,
            created_at: created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            recipients_count: u.total_calls_scheduled as usize,
            finished_count: u.total_calls_finished as usize,
            group_id: None,
            group_name: None,
            agent_id: u.agent_id,
            stop_reason: None,
            continued_by: None,
        },
    )
}

/// The page, newest first: what sorts after the cursor (older), `size` of it, and the
/// cursor of the next page when more follow.
fn page_of(
    mut items: Vec<(String, BatchListItem)>,
    cursor: Option<&str>,
    size: usize,
) -> (Vec<BatchListItem>, Option<String>) {
    items.sort_by(|a, b| b.0.cmp(&a.0));
    let mut page: Vec<(String, BatchListItem)> = items
        .into_iter()
        .filter(|(k, _)| cursor.is_none_or(|c| k.as_str() < c))
        .take(size + 1)
        .collect();
    let next = (page.len() > size).then(|| {
        page.truncate(size);
        page.last().map(|(k, _)| k.clone()).unwrap_or_default()
    });
    (page.into_iter().map(|(_, i)| i).collect(), next)
}

/// Sort key and cursor of a list entry: time (zero-padded, so text order is time order),
/// then the id.
fn list_key(micros: i64, id: &str) -> String {
    format!("{:020}.{id}", micros.max(0))
}
