//! Beyond the seed: the do-not-call list, the audit log, batch reports (KPIs, comparison)
//! and exports. Each uses the same pure code as the CLI and the TUI.

use super::audit_log::{actor, audit};
use crate::api::ErrorCode;
use crate::domain::AuditAction;
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Caller;
use super::error::hub_error;
use super::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use super::ownership::visible_batch;
use super::respond::Ok200;
use super::state::AppState;
use crate::api::OptOutView;
use crate::domain::import::{RejectedRow, parse_optouts};
use crate::domain::phone;
use crate::report::{self, BatchKpis, KpiComparison};
use crate::store::optouts::OptOut;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/optouts", get(list_optouts).post(add_optout))
        .route("/api/optouts/import", post(import_optouts))
        .route("/api/optouts/{phone}", delete(remove_optout))
        .route("/api/audit", get(audit_log))
        .route("/api/batch-calls/{batch_id}/report", get(report))
        .route("/api/batch-calls/{batch_id}/export", get(export))
}

async fn list_optouts(
    caller: Caller,
    State(st): State<AppState>,
) -> Result<Ok200<Vec<OptOutView>>, ApiError> {
    // One list for the whole service: whoever asked not to be called is protected from
    // everyone, but who they are is the admin's to see.
    caller.require_admin_to("ver la lista de no llamar")?;
    Ok(Ok200::new(
        "Lista de no llamar obtenida exitosamente",
        st.store().optouts()?.into_iter().map(view).collect(),
    ))
}

/// The store's record as the API answers it.
fn view(o: OptOut) -> OptOutView {
    OptOutView {
        phone_number: o.phone_number,
        reason: o.reason,
        source: o.source,
        added_at: o.added_at,
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AddOptOut {
    #[serde(alias = "phone_number", alias = "phoneNumber", alias = "telefono")]
    phone: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn add_optout(
    caller: Caller,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<AddOptOut>,
) -> Result<Ok200<OptOutView>, ApiError> {
    let e164 = phone::normalize(&body.phone, st.cfg().region).map_err(|e| {
        ApiError::unprocessable(
            ErrorCode::InvalidPhone,
            format!("Teléfono «{}»: {e}", body.phone),
        )
    })?;
    let entry = OptOut {
        phone_number: e164.clone(),
        reason: body
            .reason
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| "pidió no ser llamado".into()),
        source: if matches!(caller, Caller::User(_)) {
            "api".into()
        } else {
            "admin".into()
        },
        added_at: chrono::Utc::now(),
    };
    let added = st.store().add_optouts(std::slice::from_ref(&entry))? == 1;
    if added {
        audit(
            &st,
            &caller,
            AuditAction::OptoutAdd,
            &e164,
            json!({ "reason": entry.reason }),
        );
    }
    // Who else asked, and why, is the admin's to see: a user gets back what it sent.
    let saved = if caller.is_admin() {
        st.store().optout(&e164)?.unwrap_or(entry)
    } else {
        entry
    };
    let effect = protect(&st, std::iter::once(e164.clone())).await;
    Ok(Ok200::new(
        format!(
            "{}{}",
            if added {
                format!("{e164} agregado a la lista de no llamar")
            } else {
                format!("{e164} ya estaba en la lista de no llamar")
            },
            effect_text(&effect)
        ),
        view(saved),
    ))
}

async fn remove_optout(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(raw): ApiPath<String>,
) -> Result<Ok200<serde_json::Value>, ApiError> {
    caller.require_admin_to("quitar números de la lista de no llamar")?;
    let e164 = phone::normalize(&raw, st.cfg().region).map_err(|e| {
        ApiError::unprocessable(ErrorCode::InvalidPhone, format!("Teléfono «{raw}»: {e}"))
    })?;
    if !st.store().remove_optout(&e164)? {
        return Err(ApiError::not_found(
            ErrorCode::OptoutNotFound,
            format!("{e164} no está en la lista de no llamar"),
        ));
    }
    audit(&st, &caller, AuditAction::OptoutRemove, &e164, json!({}));
    Ok(Ok200::new(
        format!("{e164} retirado de la lista de no llamar"),
        json!({ "phoneNumber": e164 }),
    ))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct OptOutImport {
    rows: usize,
    added: usize,
    rejected: Vec<RejectedRow>,
}

async fn import_optouts(
    caller: Caller,
    State(st): State<AppState>,
    body: Body,
) -> Result<Ok200<OptOutImport>, ApiError> {
    let body = super::limits::read_csv_body(&st, body).await?;
    let (rows, rejected) = parse_optouts(&body, st.cfg().region)
        .map_err(|e| ApiError::unprocessable(ErrorCode::InvalidCsv, e.to_string()))?;
    let now = chrono::Utc::now();
    let entries: Vec<OptOut> = rows
        .into_iter()
        .map(|r| OptOut {
            phone_number: r.phone_number,
            reason: r.reason.unwrap_or_else(|| "RNE".into()),
            source: "import:api".into(),
            added_at: now,
        })
        .collect();
    let store = st.store().clone();
    let to_add = entries.clone();
    let added = tokio::task::spawn_blocking(move || store.add_optouts(&to_add))
        .await
        .map_err(ApiError::internal)??;
    audit(
        &st,
        &caller,
        AuditAction::OptoutImport,
        "import:api",
        json!({ "rows": entries.len(), "added": added, "rejected": rejected.len() }),
    );
    let effect = protect(&st, entries.iter().map(|e| e.phone_number.clone())).await;
    Ok(Ok200::new(
        format!(
            "{} teléfonos leídos, {} nuevos en la lista, {} rechazados{}",
            entries.len(),
            added,
            rejected.len(),
            effect_text(&effect)
        ),
        OptOutImport {
            rows: entries.len(),
            added,
            rejected,
        },
    ))
}

/// Stops the queued calls to these numbers (see `Hub::protect_optouts`).
async fn protect(
    st: &AppState,
    phones: impl Iterator<Item = String>,
) -> crate::monitor::OptOutEffect {
    match st.hub() {
        Ok(hub) => hub.protect_optouts(&phones.collect()).await,
        Err(_) => Default::default(),
    }
}

/// What the opt-out did to queued calls, in the supervisor's words.
fn effect_text(e: &crate::monitor::OptOutEffect) -> String {
    let mut out = String::new();
    if !e.replaced.is_empty() {
        out.push_str(&format!(
            "; {} lote(s) en cola se detienen y sus pendientes se reenvían sin ese número ({})",
            e.replaced.len(),
            e.replaced.join(", ")
        ));
    }
    if e.planned > 0 {
        out.push_str(&format!(
            "; {} ronda(s) programada(s) ya no lo incluirán",
            e.planned
        ));
    }
    out
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
    // A user sees what it did itself and what the service did to its batches (circuit
    // breaker, window close, automatic retries); the admin sees everything.
    let me = actor(&caller);
    let mut owned = std::collections::HashMap::new();
    let target = q.target.clone();
    let (mut entries, next) = st.store().audit_page(before.as_deref(), limit, |e| {
        if target.as_deref().is_some_and(|t| e.target != t) {
            return Ok(false);
        }
        let Caller::User(user) = &caller else {
            return Ok(true);
        };
        if e.actor == me {
            return Ok(true);
        }
        if e.actor != "system" {
            return Ok(false);
        }
        if let Some(o) = owned.get(&e.target) {
            return Ok(*o);
        }
        let o = st
            .batch_owner(&e.target)
            .map_err(|e| crate::store::StoreError::Io(e.message))?
            == Some(user.id);
        owned.insert(e.target.clone(), o);
        Ok(o)
    })?;
    entries.reverse();
    let mut resp =
        Ok200::new("Registro de auditoría obtenido exitosamente", entries).into_response();
    if let Some(v) = next.and_then(|k| axum::http::HeaderValue::from_str(&hex::encode(k)).ok()) {
        resp.headers_mut().insert("x-next-cursor", v);
    }
    Ok(resp)
}

async fn view_of(
    st: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<crate::api::BatchStatusView, ApiError> {
    visible_batch(st, caller, id)?;
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
