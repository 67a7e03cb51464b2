//! Beyond the seed: the audit log, batch reports (KPIs, comparison) and exports. Each uses
//! the same pure code as the CLI and the TUI.

use super::audit_log::actor;
use crate::api::ErrorCode;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::auth::Caller;
use super::error::hub_error;
use super::error::{ApiError, ApiPath, ApiQuery};
use super::ownership::visible_batch;
use super::respond::Ok200;
use super::state::AppState;
use crate::report::{self, BatchKpis, KpiComparison};
use crate::store::StoreError;
use crate::store::audit::AuditEntry;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/audit", get(audit_log))
        .route("/api/batch-calls/{batch_id}/report", get(report))
        .route("/api/batch-calls/{batch_id}/export", get(export))
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    /// Where the previous page ended (its `x-next-cursor`).
    #[serde(default)]
    cursor: Option<String>,
}

/// `GET /api/audit[?target=&limit=&cursor=]`: one page of the log, read from the newest
/// end (200 entries by default, 1,000 at most), returned oldest first as before; the
/// `x-next-cursor` header says where the next (older) page starts.
async fn audit_log(
    caller: Caller,
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    let limit = match q.limit {
        None => 200,
        Some(n) if (1..=super::limits::MAX_PAGE).contains(&n) => n,
        Some(_) => {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidLimit,
                format!("limit debe estar entre 1 y {}", super::limits::MAX_PAGE),
            ));
        }
    };
    let before = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            hex::decode(c)
                .ok()
                .filter(|k| k.len() == 16)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        ErrorCode::InvalidCursor,
                        "cursor no válido: use el x-next-cursor de la página anterior",
                    )
                })?,
        ),
    };
    let (mut entries, next) =
        visible_audit_page(&st, &caller, q.target.as_deref(), before.as_deref(), limit).await?;
    entries.reverse();
    let mut resp =
        Ok200::new("Registro de auditoría obtenido exitosamente", entries).into_response();
    if let Some(v) = next.and_then(|k| axum::http::HeaderValue::from_str(&hex::encode(k)).ok()) {
        resp.headers_mut().insert("x-next-cursor", v);
    }
    Ok(resp)
}

/// One page of the log as `caller` may see it: a user sees what it did itself and what the
/// service did to its batches (circuit breaker, window close, automatic retries); the
/// admin sees everything. `keep` cannot wait for the store, so a service entry about a
/// batch whose owner is not known yet stops the read: its owner is looked up and the page
/// is read again (each batch once).
async fn visible_audit_page(
    st: &AppState,
    caller: &Caller,
    target: Option<&str>,
    before: Option<&[u8]>,
    limit: usize,
) -> Result<(Vec<AuditEntry>, Option<Vec<u8>>), ApiError> {
    let me = actor(caller);
    let user_id = match caller {
        Caller::User(user) => Some(user.id),
        _ => None,
    };
    let mut owned: HashMap<String, bool> = HashMap::new();
    loop {
        let mut unknown: Option<String> = None;
        let page = st
            .store()
            .audit_page(before, limit, |e| {
                if target.is_some_and(|t| e.target != t) {
                    return Ok(false);
                }
                if user_id.is_none() {
                    return Ok(true);
                }
                if e.actor == me {
                    return Ok(true);
                }
                if e.actor != "system" {
                    return Ok(false);
                }
                match owned.get(&e.target) {
                    Some(o) => Ok(*o),
                    None => {
                        unknown = Some(e.target.clone());
                        Err(StoreError::Conflict("owner not looked up yet".into()))
                    }
                }
            })
            .await;
        let Some(batch) = unknown else {
            return Ok(page?);
        };
        let owner = st
            .batch_owner(&batch)
            .await
            .map_err(|e| StoreError::Io(e.message))?;
        owned.insert(batch, owner == user_id);
    }
}

async fn view_of(
    st: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<crate::api::BatchStatusView, ApiError> {
    visible_batch(st, caller, id).await?;
    let snap = st.hub()?.snapshot(id).await.map_err(|e| hub_error(id, e))?;
    Ok(snap.view.clone())
}

#[derive(Debug, Deserialize)]
struct ReportQuery {
    /// Another batch to compare with (`b − a`, this batch being `b`).
    #[serde(default)]
    compare: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum ReportData {
    One(Box<BatchKpis>),
    Compared(Box<KpiComparison>),
}

async fn report(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Ok200<ReportData>, ApiError> {
    let this = report::kpis(&view_of(&st, &caller, &id).await?);
    let data = match q.compare.filter(|c| !c.is_empty()) {
        None => ReportData::One(Box::new(this)),
        Some(other) => {
            let before = report::kpis(&view_of(&st, &caller, &other).await?);
            ReportData::Compared(Box::new(report::compare(before, this)))
        }
    };
    Ok(Ok200::new(
        "Reporte del batch call obtenido exitosamente",
        data,
    ))
}

#[derive(Debug, Deserialize)]
struct ExportQuery {
    #[serde(default)]
    format: Option<String>,
}

async fn export(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let view = view_of(&st, &caller, &id).await?;
    match q.format.as_deref().unwrap_or("csv") {
        "csv" => {
            let csv = report::to_csv(&view).map_err(ApiError::internal)?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{id}.csv\""),
                    ),
                ],
                csv,
            )
                .into_response())
        }
        "json" => Ok(Ok200::new(
            "Exportación del batch call obtenida exitosamente",
            report::to_json(&view),
        )
        .into_response()),
        other => Err(ApiError::bad_request(
            ErrorCode::InvalidFormat,
            format!("Formato «{other}» desconocido: use csv o json"),
        )),
    }
}
