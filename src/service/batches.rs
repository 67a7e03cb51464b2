//! The batch routes: `GET /api/batch-calls/:id/status`, `POST …/cancel`, `POST …/resume`
//! here; the list in `batch_list.rs`, retry in `batch_retry.rs`. Status comes from the hub
//! (one upstream poll for every viewer, rendered once per change); retry and cancel read
//! the batch fresh before acting.

use super::error::hub_error;
use crate::api::ErrorCode;
use crate::domain::AuditAction;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::auth::Caller;
use super::batch_read::{current, not_found_or, visible_record};
use super::error::{ApiError, ApiPath};
use super::respond::{Ok200, raw_json};
use super::state::AppState;
use crate::api::{CancelData, Envelope, ResumeData};
use crate::domain::BatchStatus;
use crate::monitor::{ResumeError, Snapshot};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/batch-calls", get(super::batch_list::list))
        .route("/api/batch-calls/{batch_id}/status", get(status))
        .route(
            "/api/batch-calls/{batch_id}/retry",
            post(super::batch_retry::retry),
        )
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
