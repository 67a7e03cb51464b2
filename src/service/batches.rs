//! `GET /api/batch-calls`, `GET /api/batch-calls/:id/status`, `POST …/retry`,
//! `POST …/cancel`. Status comes from the hub (one upstream poll for every viewer,
//! rendered once per change); retry and cancel read the batch fresh before acting.

use super::error::{check_batch_id, hub_error};
use crate::api::ErrorCode;
use crate::domain::AuditAction;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use std::time::Duration;

use super::auth::Caller;
use super::error::{ApiError, ApiPath, ApiQuery};
use super::limits::PageQuery;
use super::respond::{Ok200, raw_json};
use super::state::AppState;
use crate::api::{BatchListItem, CancelData, Envelope, ResumeData, RetryData};
use crate::domain::{BatchStatus, GroupId, RecipientStatus};
use crate::elevenlabs::BatchCallResponse;
use crate::monitor::{ResumeError, Snapshot};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/batch-calls", get(list))
        .route("/api/batch-calls/{batch_id}/status", get(status))
        .route("/api/batch-calls/{batch_id}/retry", post(retry))
        .route("/api/batch-calls/{batch_id}/cancel", post(cancel))
        .route("/api/batch-calls/{batch_id}/resume", post(resume))
}

/// Checks that the caller may see the batch (see `ownership`): a 404 otherwise, as for a
/// batch that does not exist.
pub fn visible_record(st: &AppState, caller: &Caller, id: &str) -> Result<(), ApiError> {
    super::ownership::visible_batch(st, caller, id)
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
    visible_record(&st, &caller, &id)?;
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
    let mut resp = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else if crate::gzip::accepted(&headers) {
        let gz = snap
            .status_gzip
            .get_or_init(|| crate::gzip::compress(&status_body(&snap)))
            .clone();
        crate::gzip::json_response(gz)
    } else {
        raw_json(status_body(&snap))
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

/// Upstream's list is asked for at most this long; after that our records answer alone.
const LIST_TIMEOUT: Duration = Duration::from_secs(10);
/// Upstream batches read per list request (one page of ElevenLabs' list).
const UPSTREAM_PAGE: u32 = 100;

/// `GET /api/batch-calls[?limit=N&cursor=C]`: one page, newest first (100 by default,
/// 1,000 at most); the `x-next-cursor` header says where the next page starts.
async fn list(
    caller: Caller,
    State(st): State<AppState>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let (size, cursor) = (page.size()?, page.cursor()?.map(str::to_string));
    // One page of our records (plus one, to know whether more follow), visible ones only.
    let mut owners: HashMap<GroupId, bool> = HashMap::new();
    let admin = caller.is_admin();
    let store = st.store().clone();
    let page_of_ours = store.batch_list_page(cursor.as_deref(), size + 1, |h| {
        if admin {
            return Ok(true);
        }
        if let Some(v) = owners.get(&h.group_id) {
            return Ok(*v);
        }
        let owner = store.group(h.group_id)?.and_then(|g| g.owner);
        let v = super::ownership::may_see_owner(&caller, owner);
        owners.insert(h.group_id, v);
        Ok(v)
    })?;
    let records: Vec<_> = page_of_ours.into_iter().map(|(_, h)| h).collect();
    let mut upstream: HashMap<String, BatchCallResponse> = HashMap::new();
    let mut upstream_ok = false;
    if let Ok(client) = st.client() {
        let fetch = client.list_batches_page(None, UPSTREAM_PAGE);
        if let Ok(r) = tokio::time::timeout(LIST_TIMEOUT, fetch).await {
            upstream_ok = r.is_ok();
            for b in r.map(|p| p.batch_calls).unwrap_or_default() {
                upstream.insert(b.id.clone(), b);
            }
        }
    }
    let mut items: Vec<(String, BatchListItem)> = Vec::new();
    for r in &records {
        let up = upstream.remove(&r.batch_id);
        let status = match (&up, &r.last_status) {
            // Our refinement (partially_completed) needs the recipients: keep it.
            (Some(u), Some(mine)) if u.status == BatchStatus::Completed && mine.is_final() => {
                mine.clone()
            }
            (Some(u), _) => u.status.clone(),
            (None, Some(mine)) => mine.clone(),
            (None, None) => BatchStatus::Pending,
        };
        items.push((
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
        ));
    }
    // The rest of the workspace (started elsewhere) is the admin's to see.
    if caller.is_admin() {
        for (_, u) in upstream {
            let created =
                chrono::DateTime::from_timestamp(u.created_at_unix, 0).unwrap_or_default();
            items.push((
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
            ));
        }
    }
    items.sort_by(|a, b| b.0.cmp(&a.0));
    // The page: what sorts after the cursor (older), `size` of it.
    let mut page_items: Vec<(String, BatchListItem)> = items
        .into_iter()
        .filter(|(k, _)| cursor.as_deref().is_none_or(|c| k.as_str() < c))
        .take(size + 1)
        .collect();
    let next = (page_items.len() > size).then(|| {
        page_items.truncate(size);
        page_items
            .last()
            .map(|(k, _)| k.clone())
            .unwrap_or_default()
    });
    let message = if upstream_ok || st.client().is_err() {
        "Lista de batch calls obtenida exitosamente"
    } else {
        "Lista de batch calls obtenida (estados guardados: ElevenLabs no respondió)"
    };
    let mut resp = Ok200::new(
        message,
        page_items.into_iter().map(|(_, i)| i).collect::<Vec<_>>(),
    )
    .into_response();
    if let Some(n) = next.and_then(|n| header::HeaderValue::from_str(&n).ok()) {
        resp.headers_mut().insert("x-next-cursor", n);
    }
    Ok(resp)
}

/// Sort key and cursor of a list entry: time (zero-padded, so text order is time order),
/// then the id.
fn list_key(micros: i64, id: &str) -> String {
    format!("{:020}.{id}", micros.max(0))
}

/// The batch as it stands upstream right now (retry and cancel never act on a stale
/// snapshot): the hub, every recipient's status and the batch's refined status.
/// The batch as upstream has it now (not the hub's cached view): what retry and cancel act on.
async fn current<'a>(
    st: &'a AppState,
    caller: &Caller,
    id: &str,
) -> Result<
    (
        &'a crate::monitor::Hub,
        Vec<crate::elevenlabs::BatchRecipientResponse>,
        BatchStatus,
        u32,
    ),
    ApiError,
> {
    visible_record(st, caller, id)?;
    let hub = st.hub()?;
    let detail = hub
        .client()
        .get_batch(id)
        .await
        .map_err(|e| not_found_or(id, &e))?;
    let statuses: Vec<RecipientStatus> =
        detail.recipients.iter().map(|r| r.status.clone()).collect();
    let status = detail.batch.status.clone().refine(&statuses);
    Ok((hub, detail.recipients, status, detail.batch.retry_count))
}

async fn retry(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Ok200<RetryData>, ApiError> {
    check_batch_id(&id)?;
    let hub = st.hub()?;
    // Never together with the poller's continuation of this batch (automatic retry).
    let lock = hub.redial_lock(&id);
    let _guard = lock.lock().await;
    // Nor together with a submit for its group; an earlier retry whose answer was lost
    // is settled first (read back), never sent again.
    let group = st.store().batch(&id)?.map(|r| r.group_id);
    let group_lock = group.map(|g| hub.journal().group_lock(g));
    let _group_guard = match &group_lock {
        Some(l) => Some(l.lock().await),
        None => None,
    };
    if let Some(g) = group {
        super::call_submit::settle_open(
            &st,
            hub.journal(),
            g,
            "Un envío o reintento anterior de este grupo",
        )
        .await?;
    }
    let (hub, recipients, status, retry_count) = current(&st, &caller, &id).await?;
    if status == BatchStatus::Cancelled {
        return Err(ApiError::conflict(
            ErrorCode::BatchCancelled,
            "El lote fue cancelado; inicie un lote nuevo en lugar de reintentar",
        ));
    }
    if !status.is_final() {
        return Err(ApiError::conflict(
            ErrorCode::BatchInProgress,
            "El lote sigue en curso; espere a que termine para reintentar las llamadas fallidas",
        ));
    }
    let mut record = st.store().batch(&id)?;
    if let Some(next) = record
        .as_ref()
        .and_then(|r| r.continued_by.as_ref().map(|c| c.batch_id.clone()))
    {
        return Err(ApiError::conflict(
            ErrorCode::BatchContinued,
            format!("Los destinatarios de este lote ya continúan en el lote {next}; reintente ese"),
        )
        .with_details(serde_json::json!({ "batchId": next })));
    }
    if record
        .as_ref()
        .is_some_and(|r| r.pending_follow_up.is_some())
    {
        return Err(ApiError::conflict(
            ErrorCode::FollowUpPending,
            "Se está enviando el reintento automático de este lote; espere un momento",
        ));
    }
    let retryable: Vec<_> = recipients
        .iter()
        .filter(|r| r.status.is_retryable())
        .collect();
    let retried = retryable.len();
    if retried == 0 {
        return Err(ApiError::conflict(
            ErrorCode::NothingToRetry,
            "No hay llamadas fallidas ni con buzón de voz para reintentar",
        ));
    }
    match &record {
        Some(rec) => {
            hub.journal()
                .redial(rec, retry_count, st.cfg().timezone)
                .await
                .map_err(super::call_idempotency::journal_error)?;
        }
        None => {
            hub.client()
                .retry_batch(&id)
                .await
                .map_err(|e| ApiError::from_upstream(&e))?;
        }
    }
    match record.as_mut() {
        Some(rec) => {
            // What each re-dialled recipient had, so their attempts count this round
            // once a new call shows up; the policies look at the batch again when it ends.
            for r in retryable {
                if let Some(phone) = &r.phone_number {
                    rec.retried
                        .entry(phone.clone())
                        .or_default()
                        .push(r.conversation_id.clone().unwrap_or_default());
                }
            }
            rec.last_status = Some(BatchStatus::InProgress);
            rec.follow_up_done = false;
            st.store().put_batch(rec)?;
        }
        None => {
            let _ = st.store().set_batch_status(&id, &BatchStatus::InProgress);
        }
    }
    hub.kick(&id);
    super::audit_log::audit(
        &st,
        &caller,
        AuditAction::BatchRetry,
        &id,
        serde_json::json!({ "retried": retried }),
    );
    Ok(Ok200::new(
        "Batch call reintentado exitosamente",
        RetryData {
            batch_id: id,
            retried_count: retried,
            status: "retrying".into(),
        },
    ))
}

/// `POST /api/batch-calls/:id/resume`: a stopped batch's undialled recipients, as a new
/// batch (at once, or at the next opening when the calling window is closed).
async fn resume(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Ok200<ResumeData>, ApiError> {
    visible_record(&st, &caller, &id)?;
    let hub = st.hub()?;
    let actor = super::audit_log::actor(&caller);
    match hub.resume_undialled(&id, &actor).await {
        Ok(Some(link)) => Ok(Ok200::new(
            match link.scheduled_time_unix {
                Some(t) => format!(
                    "{} destinatarios nunca llamados reenviados en el lote {}, programado para el {}",
                    link.recipients,
                    link.batch_id,
                    chrono::DateTime::from_timestamp(t, 0)
                        .unwrap_or_default()
                        .with_timezone(&st.cfg().timezone)
                        .format("%d/%m/%Y a las %H:%M")
                ),
                None => format!(
                    "{} destinatarios nunca llamados reenviados en el lote {}",
                    link.recipients, link.batch_id
                ),
            },
            ResumeData {
                batch_id: id,
                new_batch_id: link.batch_id,
                recipients_count: link.recipients,
                scheduled_time_unix: link.scheduled_time_unix,
            },
        )),
        Ok(None) => Err(ApiError::conflict(
            ErrorCode::NothingToResume,
            "No queda nadie que reanudar: a todos los destinatarios de este lote ya se los llamó o están en la lista de no llamar",
        )),
        Err(ResumeError::NotOurs) => Err(ApiError::batch_not_found(&id)),
        Err(ResumeError::Running) => Err(ApiError::conflict(
            ErrorCode::BatchInProgress,
            "El lote sigue en curso; cancélelo o espere a que termine antes de reanudar",
        )),
        Err(ResumeError::AlreadyContinued(next)) => Err(ApiError::conflict(
            ErrorCode::BatchContinued,
            format!("Los destinatarios de este lote ya continúan en el lote {next}"),
        )
        .with_details(serde_json::json!({ "batchId": next }))),
        Err(ResumeError::Upstream(e)) => Err(ApiError::from_poll(e)),
        Err(ResumeError::Store(e)) => Err(ApiError::internal(e)),
    }
}

async fn cancel(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Ok200<CancelData>, ApiError> {
    let (hub, recipients, status, _) = current(&st, &caller, &id).await?;
    if status.is_final() {
        return Err(ApiError::conflict(
            ErrorCode::BatchAlreadyFinal,
            format!(
                "El lote ya terminó ({}); no hay llamadas que cancelar",
                status.label_es()
            ),
        ));
    }
    let cancelled = recipients
        .iter()
        .filter(|r| r.status.is_not_started())
        .count();
    let actor = super::audit_log::actor(&caller);
    let confirmed = hub
        .stop_batch(&id, &actor)
        .await
        .map_err(|e| not_found_or(&id, &e))?;
    if confirmed {
        let _ = st.store().set_batch_status(&id, &BatchStatus::Cancelled);
    }
    super::audit_log::audit(
        &st,
        &caller,
        AuditAction::BatchCancel,
        &id,
        serde_json::json!({ "cancelled": cancelled, "confirmed": confirmed }),
    );
    let (message, status) = if confirmed {
        ("Batch call cancelado exitosamente", "cancelled")
    } else {
        (
            "Deteniendo el lote: ElevenLabs aún no confirmó la cancelación; callboard la reintenta hasta que se confirme",
            "stopping",
        )
    };
    Ok(Ok200::new(
        message,
        CancelData {
            batch_id: id,
            status: status.into(),
            cancelled_count: cancelled,
        },
    ))
}

fn not_found_or(id: &str, e: &crate::elevenlabs::ElevenLabsError) -> ApiError {
    if e.is_not_found() {
        ApiError::batch_not_found(id)
    } else {
        ApiError::from_upstream(e)
    }
}
