//! `POST /api/groups/:id/call` (and its dry run): the seed's steps and validations
//! (`call_plan`), then one submission through the journal (`call_submit`), guarded by the
//! group's lock, the idle check and the `Idempotency-Key` (`call_idempotency`).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;

use super::auth::Caller;
use super::call_idempotency::{self as idem, Gate};
use super::call_plan;
use super::call_submit;
use super::error::{ApiError, ApiJson, ApiPath};
use super::respond::Ok200;
use super::state::AppState;
use crate::api::StartCallRequest;
use crate::domain::preflight::Preflight;
use crate::domain::{BatchRecord, GroupId, UserId};

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
    // A dry run dials nobody: it neither uses nor replays a key.
    let key = match query.dry_run {
        true => None,
        false => idem::key(&headers, user_id, group_id, &req)?,
    };
    let hub = match st.hub() {
        Ok(hub) => hub,
        // Without ElevenLabs the request's own mistakes are still reported first.
        Err(e) => {
            let checked = call_plan::check(&st, &caller, user_id, group_id, &req).await?;
            call_submit::ensure_no_active_batch(&st, &checked.group, req.force)?;
            return Err(e);
        }
    };
    let journal = hub.journal();
    // One call start per group at a time: the idle check and the submit must not
    // interleave with another request's, nor with a policy round's submit.
    let lock = journal.group_lock(group_id);
    let _guard = lock.lock().await;
    if let Some(k) = &key {
        match idem::gate(&st, journal, k).await? {
            Gate::Fresh => {}
            Gate::Replay(resp) => return Ok(resp),
            Gate::Settled(s) => {
                let message = call_submit::settled_message(&st, &s.record);
                return call_submit::respond(&st, &caller, &s, message, Some(k));
            }
        }
    }
    let checked = call_plan::check(&st, &caller, user_id, group_id, &req).await?;
    call_submit::ensure_idle(&st, journal, &checked.group, req.force).await?;
    let plan = call_plan::preflight(&st, &checked, &req).await?;
    if query.dry_run {
        let message = format!(
            "Verificación previa: se marcaría a {} destinatarios; {} omitidos, {} sin todas las variables",
            plan.recipients.len(),
            plan.skipped.len(),
            plan.incomplete.len()
        );
        return Ok(Ok200::new(message, plan).into_response());
    }
    call_plan::ensure_submittable(&plan, &req)?;
    let (record, message) = draft(&st, checked, plan, user_id, &req);
    let submitted = call_submit::submit(&st, journal, record, key.as_ref()).await?;
    call_submit::respond(&st, &caller, &submitted, message, key.as_ref())
}

/// The batch record to submit and the answer's message: outside the calling window the
/// batch waits for the next opening instead of dialling, and the message says when.
fn draft(
    st: &AppState,
    checked: call_plan::Checked,
    plan: Preflight,
    user_id: UserId,
    req: &StartCallRequest,
) -> (BatchRecord, String) {
    let tz = st.cfg().timezone;
    let scheduled_time_unix = if plan.window.open_at_start {
        req.scheduled_time_unix
    } else {
        Some(plan.window.start_at.timestamp())
    };
    let message = match (&plan.window.reason, plan.window.open_at_start) {
        (Some(why), false) => format!(
            "Llamadas programadas para el grupo \"{}\" el {} ({why})",
            checked.group.name,
            plan.window
                .start_at
                .with_timezone(&tz)
                .format("%d/%m/%Y a las %H:%M")
        ),
        _ => format!(
            "Llamadas iniciadas exitosamente para el grupo \"{}\"",
            checked.group.name
        ),
    };
    let mut skipped = plan.skipped;
    skipped.extend(plan.incomplete);
    let record = BatchRecord {
        group_id: checked.group.id,
        group_name: checked.group.name.clone(),
        user_id,
        agent_id: checked.agent_id,
        phone_number_id: checked.phone_number_id,
        call_name: crate::journal::call_name(&checked.group.name, checked.now, tz),
        created_at: checked.now,
        scheduled_time_unix,
        recipients: plan.recipients,
        skipped,
        retry_policy: plan.retry_policy,
        ..Default::default()
    };
    (record, message)
}
