//! `POST /api/groups/:id/call`: the seed's steps
//! and validations, and the guards against dialling anyone twice (a per-group lock, the
//! active-batch 409, `Idempotency-Key` replay, the client's duplicate-safe submit).

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashSet;

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiPath, truncate};
use super::limits::check_scheduled_time;
use super::ownership::owned_group;
use super::respond::Ok200;
use super::state::AppState;
use crate::api::{Envelope, StartCallData, StartCallRequest};
use crate::domain::policy::RetryPolicy;
use crate::domain::preflight::{self, History, Preflight, PreflightInput};
use crate::domain::{BatchRecord, GroupId, User, UserId};
use crate::store::cache::IdempotentResponse;
use crate::submission::{self as plan, MAX_RECIPIENTS};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/groups/{id}/call", post(start_call))
        .route("/api/groups/{id}/call/preflight", post(preflight_only))
}

/// Lines assumed in flight at once for the pre-flight estimate.
const CONCURRENCY_HINT: usize = 10;

/// Seconds of clock skew tolerated before a scheduled time counts as past.
const PAST_TOLERANCE_SECS: i64 = 60;

/// The acting user, who must exist and have an agent.
pub(super) fn user_with_agent(st: &AppState, id: UserId) -> Result<(User, String), ApiError> {
    let user = st.store().user(id)?.ok_or_else(|| {
        ApiError::not_found("user_not_found", format!("Usuario {id} no encontrado"))
    })?;
    let agent = user
        .agent_id
        .clone()
        .filter(|a| !a.trim().is_empty())
        .ok_or_else(|| {
            ApiError::unprocessable(
                "user_without_agent",
                format!("El usuario {id} no tiene un agente asignado"),
            )
        })?;
    Ok((user, agent))
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = v.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > 200 {
        return Err(ApiError::bad_request(
            "invalid_idempotency_key",
            "La cabecera Idempotency-Key debe tener entre 1 y 200 caracteres",
        ));
    }
    Ok(Some(key.to_string()))
}

fn replay(saved: IdempotentResponse) -> Response {
    let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK);
    let mut resp = (status, axum::Json(saved.body)).into_response();
    resp.headers_mut().insert(
        "idempotent-replayed",
        header::HeaderValue::from_static("true"),
    );
    resp
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallQuery {
    /// Only run the pre-flight check: nothing is dialled.
    #[serde(default)]
    dry_run: bool,
}

/// Numbers already in a batch of ours created today (local date): rule packs allow one
/// contact a day.
fn contacted_today(
    st: &AppState,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<HashSet<String>, ApiError> {
    let tz = st.cfg().timezone;
    let today = now.with_timezone(&tz).date_naive();
    let mut phones = HashSet::new();
    // Only today's records are read whole.
    for head in st.store().batch_heads()? {
        if head.created_at.with_timezone(&tz).date_naive() < today {
            break;
        }
        if let Some(b) = st.store().batch(&head.batch_id)? {
            phones.extend(b.recipients.into_iter().map(|r| r.phone_number));
        }
    }
    Ok(phones)
}

/// The batch's automatic retry policy: the request's, else the configured one; None when
/// it allows a single attempt (off).
fn retry_policy(
    st: &AppState,
    asked: Option<RetryPolicy>,
) -> Result<Option<RetryPolicy>, ApiError> {
    let p = asked.unwrap_or_else(|| st.cfg().campaign.retry.clone());
    if p.max_attempts > 1 && p.outcomes.iter().any(|o| !o.is_retryable()) {
        return Err(ApiError::unprocessable(
            "invalid_retry_policy",
            "retryPolicy.outcomes solo admite \"failed\" y \"voicemail\"",
        ));
    }
    if p.spacing_secs < 0 || p.max_attempts > 10 {
        return Err(ApiError::unprocessable(
            "invalid_retry_policy",
            "retryPolicy: spacingSecs no puede ser negativo y maxAttempts va de 1 a 10",
        ));
    }
    Ok((p.max_attempts > 1 && !p.outcomes.is_empty()).then_some(p))
}

/// Past batches of this agent (the last ten that finished) for the estimate.
fn history(st: &AppState, agent_id: &str) -> Result<History, ApiError> {
    let past = st.store().batch_heads()?;
    Ok(History::from_outcomes(
        past.iter()
            .filter(|b| b.agent_id == agent_id)
            .filter_map(|b| b.outcome.as_ref())
            .take(10),
    ))
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
    let key = idempotency_key(&headers)?;
    let scope = format!("call/{user_id}/{group_id}");
    // One call start per group at a time: the active-batch check and the submit must not
    // interleave with another request's.
    let lock = st.group_lock(group_id);
    let _guard = lock.lock().await;
    if let Some(k) = &key
        && let Some(saved) = st.store().idempotent(&scope, k)?
    {
        return Ok(replay(saved));
    }
    let (_user, agent_id) = user_with_agent(&st, user_id)?;
    let phone_number_id = req
        .agent_phone_number_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            ApiError::unprocessable(
                "phone_number_required",
                "El ID del número telefónico del agente (agentPhoneNumberId) es requerido",
            )
        })?
        .to_string();
    let g = owned_group(&st, &caller, group_id)?;
    let store = st.store().clone();
    let clients = tokio::task::spawn_blocking(move || store.clients(group_id))
        .await
        .map_err(ApiError::internal)??;
    if clients.is_empty() {
        return Err(ApiError::unprocessable(
            "group_empty",
            format!("El grupo «{}» no tiene clientes", g.name),
        ));
    }
    let now = st.now();
    if let Some(t) = req.scheduled_time_unix
        && t < now.timestamp() - PAST_TOLERANCE_SECS
    {
        return Err(ApiError::unprocessable(
            "scheduled_in_past",
            "La hora programada (scheduledTimeUnix) ya pasó; use una hora futura o null para llamar ya",
        ));
    }
    check_scheduled_time(req.scheduled_time_unix, now)?;
    if clients.iter().all(|c| c.phone_e164.is_err()) {
        let none = std::collections::BTreeSet::new();
        let p = preflight::run(&PreflightInput::new(&g, &clients, &none, now));
        return Err(ApiError::unprocessable(
            "no_valid_phones",
            format!(
                "El grupo «{}» no tiene clientes con números telefónicos válidos",
                g.name
            ),
        )
        .with_details(json!({ "skipped": p.skipped })));
    }
    if !req.force
        && let Some(active) = st
            .store()
            .batches_of_group(group_id)?
            .into_iter()
            .find(|b| !b.last_status.as_ref().is_some_and(|s| s.is_final()))
    {
        return Err(ApiError::conflict(
            "batch_active",
            format!(
                "El grupo «{}» ya tiene llamadas en curso (batch {}); espere a que terminen o envíe force: true",
                g.name, active.batch_id
            ),
        )
        .with_details(json!({ "batchId": active.batch_id })));
    }
    // The agent's variables decide who can be called.
    let hub = st.hub()?;
    let agent = hub.client().get_agent(&agent_id).await.map_err(|e| {
        if e.is_not_found() {
            ApiError::unprocessable(
                "agent_not_found",
                format!(
                    "El agente {} del usuario no existe en ElevenLabs",
                    truncate(&agent_id, 80)
                ),
            )
        } else {
            ApiError::from_upstream(&e)
        }
    })?;
    let required = agent.placeholders();
    let opted_out = st.store().optout_map()?;
    let rules = st.cfg().campaign.rules.as_ref();
    let today = match rules.and_then(|r| r.max_contacts_per_day) {
        Some(_) => contacted_today(&st, now)?,
        None => HashSet::new(),
    };
    let scheduled = req
        .scheduled_time_unix
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0));
    let plan: Preflight = preflight::run(&PreflightInput {
        opted_out: Some(&opted_out),
        contacted_today: Some(&today),
        rules,
        scheduled,
        concurrency: CONCURRENCY_HINT,
        history: history(&st, &agent_id)?,
        region: st.cfg().region,
        other_countries: g.other_countries || st.cfg().other_countries,
        ..PreflightInput::new(&g, &clients, &required, now)
    });
    let retry_policy = retry_policy(&st, req.retry_policy.clone())?;
    let mut plan = plan;
    plan.retry_policy = retry_policy.clone();
    if query.dry_run {
        let message = format!(
            "Verificación previa: se marcaría a {} destinatarios; {} omitidos, {} sin todas las variables",
            plan.recipients.len(),
            plan.skipped.len(),
            plan.incomplete.len()
        );
        return Ok(Ok200::new(message, plan).into_response());
    }
    if plan.recipients.len() > MAX_RECIPIENTS {
        return Err(ApiError::unprocessable(
            "too_many_recipients",
            format!(
                "El grupo tiene {} números válidos; ElevenLabs acepta como máximo {MAX_RECIPIENTS} por batch",
                plan.recipients.len()
            ),
        ));
    }
    if !plan.incomplete.is_empty() && !req.skip_incomplete {
        let names: std::collections::BTreeSet<&str> = plan
            .incomplete
            .iter()
            .flat_map(|m| m.missing.iter().map(String::as_str))
            .collect();
        return Err(ApiError::unprocessable(
            "missing_variables",
            format!(
                "{} destinatarios no tienen todas las variables que usa el agente (faltan: {}); complete los datos o envíe skipIncomplete: true",
                plan.incomplete.len(),
                names.into_iter().collect::<Vec<_>>().join(", ")
            ),
        )
        .with_details(json!({ "recipients": plan.incomplete })));
    }
    let mut skipped = plan.skipped;
    skipped.extend(plan.incomplete);
    if plan.recipients.is_empty() {
        let (code, message) = if skipped.iter().all(|s| s.code == "missing_variables") {
            (
                "no_complete_recipients",
                "Ningún destinatario tiene todas las variables que usa el agente",
            )
        } else {
            (
                "no_recipients",
                "Ningún cliente puede ser llamado: vea los omitidos y sus motivos",
            )
        };
        return Err(
            ApiError::unprocessable(code, message).with_details(json!({ "skipped": skipped }))
        );
    }
    // Outside the calling window the batch waits for the next opening instead of dialling.
    let scheduled_time_unix = if plan.window.open_at_start {
        req.scheduled_time_unix
    } else {
        Some(plan.window.start_at.timestamp())
    };
    let tz = st.cfg().timezone;
    let call_name = plan::call_name(&g.name, now, tz);
    let request = plan::submit_request(
        &plan.recipients,
        call_name.clone(),
        &agent_id,
        &phone_number_id,
        scheduled_time_unix,
        tz,
    );
    // Today's batches of this group share the call name: the lookup after an ambiguous
    // failure must not take one of them for this one.
    let known = st.store().batch_ids()?;
    let batch = hub
        .client()
        .submit_batch_excluding(&request, &known)
        .await
        .map_err(|e| ApiError::from_upstream(&e))?;
    let record = BatchRecord {
        batch_id: batch.id.clone(),
        group_id,
        group_name: g.name.clone(),
        user_id,
        agent_id: agent_id.clone(),
        phone_number_id,
        call_name: call_name.clone(),
        created_at: now,
        scheduled_time_unix,
        recipients: plan.recipients,
        skipped,
        last_status: Some(batch.status.clone()),
        retry_policy,
        ..Default::default()
    };
    // The batch exists upstream now: a failed save must not hide its id from the caller.
    if let Err(e) = st.store().put_batch(&record) {
        tracing::error!(batch_id = %batch.id, error = %e, "no se pudo guardar el registro del batch");
    }
    hub.kick(&batch.id);
    let data = StartCallData {
        batch_id: batch.id.clone(),
        group_id,
        group_name: g.name.clone(),
        agent_id,
        recipients_count: record.recipients.len(),
        call_name,
        batch_data: serde_json::to_value(&batch).unwrap_or_default(),
        skipped: record.skipped,
    };
    super::campaign::audit(
        &st,
        &caller,
        "batch.start",
        &batch.id,
        json!({
            "groupId": group_id,
            "recipients": record.recipients.len(),
            "scheduledTimeUnix": scheduled_time_unix,
            "retryPolicy": record.retry_policy,
        }),
    );
    let message = match (&plan.window.reason, plan.window.open_at_start) {
        (Some(why), false) => format!(
            "Llamadas programadas para el grupo \"{}\" el {} ({why})",
            g.name,
            plan.window
                .start_at
                .with_timezone(&tz)
                .format("%d/%m/%Y a las %H:%M")
        ),
        _ => format!(
            "Llamadas iniciadas exitosamente para el grupo \"{}\"",
            g.name
        ),
    };
    let env = Envelope::ok(message, data);

    let body = serde_json::to_value(&env).map_err(ApiError::internal)?;
    if let Some(k) = &key {
        let saved = IdempotentResponse {
            status: 200,
            body: body.clone(),
            created_at: now,
        };
        if let Err(e) = st.store().put_idempotent(&scope, k, &saved) {
            tracing::warn!(error = %e, "no se pudo guardar la respuesta idempotente");
        }
    }
    tracing::info!(batch_id = %batch.id, group_id, recipients = record.recipients.len(), "batch iniciado");
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .map_err(ApiError::internal)
}
