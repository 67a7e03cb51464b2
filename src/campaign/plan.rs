//! What a call start checks before anything is submitted: the acting user and agent,
//! the group and its clients, the scheduled time, the agent's variables, opt-outs and
//! the calling window (the pre-flight). Pure of submits: a dry run ends here.

use crate::api::ErrorCode;
use serde_json::json;
use std::collections::HashSet;

use super::{Actor, Campaign, agent};
use crate::api::ApiError;
use crate::api::StartCallRequest;
use crate::domain::policy::RetryPolicy;
use crate::domain::preflight::{self, History, Preflight, PreflightInput};
use crate::domain::{Group, GroupId, UserId};
use crate::journal::MAX_RECIPIENTS;

/// Lines assumed in flight at once for the pre-flight estimate.
const CONCURRENCY_HINT: usize = 10;

/// Seconds of clock skew tolerated before a scheduled time counts as past.
const PAST_TOLERANCE_SECS: i64 = 60;

/// The furthest ahead a call may be scheduled.
pub const MAX_SCHEDULE_AHEAD_SECS: i64 = 366 * 24 * 3600;

/// Everything checked before the agent is asked for its variables.
pub(super) struct Checked {
    pub group: Group,
    pub agent_id: String,
    pub phone_number_id: String,
    /// The agent and the number are the group's own (not the user's, not the request's).
    pub agent_from_group: bool,
    pub number_from_group: bool,
    pub clients: Vec<crate::domain::Client>,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// The seed's validations, in its order: user and agent, caller number, group, clients,
/// scheduled time, at least one valid phone.
pub(super) async fn check(
    st: &Campaign,
    actor: &Actor,
    user_id: UserId,
    group_id: GroupId,
    req: &StartCallRequest,
) -> Result<Checked, ApiError> {
    // The group's own agent and number count only once the actor may see it; an unknown
    // group is reported after the user, agent and number checks, in the seed's order.
    let group = st.owned_group(actor, group_id).await;
    let (_user, agent) = agent::agent_for(st, user_id, group.as_ref().ok()).await?;
    let (phone_number_id, number_from_group) =
        agent::phone_number_for(req.agent_phone_number_id.as_deref(), group.as_ref().ok())?;
    let g = group?;
    let store = st.store().clone();
    let rt = tokio::runtime::Handle::current();
    let clients = tokio::task::spawn_blocking(move || rt.block_on(store.clients(group_id)))
        .await
        .map_err(ApiError::internal)??;
    if clients.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::GroupEmpty,
            format!("El grupo «{}» no tiene clientes", g.name),
        ));
    }
    let now = st.now();
    if let Some(t) = req.scheduled_time_unix
        && t < now.timestamp() - PAST_TOLERANCE_SECS
    {
        return Err(ApiError::unprocessable(
            ErrorCode::ScheduledInPast,
            "La hora programada (scheduledTimeUnix) ya pasó; use una hora futura o null para llamar ya",
        ));
    }
    check_scheduled_time(req.scheduled_time_unix, now)?;
    if clients.iter().all(|c| c.phone_e164.is_err()) {
        let none = std::collections::BTreeSet::new();
        let p = preflight::run(&PreflightInput::new(&g, &clients, &none, now));
        return Err(ApiError::unprocessable(
            ErrorCode::NoValidPhones,
            format!(
                "El grupo «{}» no tiene clientes con números telefónicos válidos",
                g.name
            ),
        )
        .with_details(json!({ "skipped": p.skipped })));
    }
    Ok(Checked {
        group: g,
        agent_id: agent.agent_id,
        phone_number_id,
        agent_from_group: agent.from_group,
        number_from_group,
        clients,
        now,
    })
}

/// The pre-flight: who would be dialled, who not and why, when, and the retry policy.
pub(super) async fn preflight(
    st: &Campaign,
    c: &Checked,
    req: &StartCallRequest,
) -> Result<Preflight, ApiError> {
    let hub = st.hub()?;
    let choice = agent::AgentChoice {
        agent_id: c.agent_id.clone(),
        from_group: c.agent_from_group,
    };
    let agent = hub.client().get_agent(&c.agent_id).await.map_err(|e| {
        if e.is_not_found() {
            agent::agent_not_found(&choice, &c.group)
        } else {
            ApiError::from_upstream(&e)
        }
    })?;
    if c.number_from_group {
        agent::ensure_group_number(hub.client(), &c.phone_number_id, &c.group).await?;
    }
    let required = agent.placeholders();
    let opted_out = st.store().optout_map().await?;
    let rules = st.settings().rules.rules.as_ref();
    let today = match rules.and_then(|r| r.max_contacts_per_day) {
        Some(_) => contacted_today(st, c.now).await?,
        None => HashSet::new(),
    };
    let scheduled = req
        .scheduled_time_unix
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0));
    let heads = st.store().batch_heads().await?;
    let reached = match rules.filter(|r| r.max_successful_contacts_per_week.is_some()) {
        Some(r) => st.store().reached_since(&heads, r.week_of(c.now).0).await?,
        None => preflight::Reached::default(),
    };
    let mut plan: Preflight = preflight::run(&PreflightInput {
        opted_out: Some(&opted_out),
        contacted_today: Some(&today),
        reached: Some(&reached),
        rules,
        scheduled,
        concurrency: CONCURRENCY_HINT,
        history: history(&heads, &c.agent_id),
        region: c.group.setup.country_or(st.settings().region),
        other_countries: c.group.other_countries || st.settings().other_countries,
        ..PreflightInput::new(&c.group, &c.clients, &required, c.now)
    });
    plan.retry_policy = retry_policy(st, req.retry_policy.clone())?;
    Ok(plan)
}

/// Refuses a plan that cannot be submitted as asked: too many recipients, missing
/// variables without `skipIncomplete`, nobody left.
pub(super) fn ensure_submittable(plan: &Preflight, req: &StartCallRequest) -> Result<(), ApiError> {
    if plan.recipients.len() > MAX_RECIPIENTS {
        return Err(ApiError::unprocessable(
            ErrorCode::TooManyRecipients,
            format!(
                "El grupo tiene {} números válidos; ElevenLabs acepta como máximo {MAX_RECIPIENTS} por lote",
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
            ErrorCode::MissingVariables,
            format!(
                "{} destinatarios no tienen todas las variables que usa el agente (faltan: {}); complete los datos o envíe skipIncomplete: true",
                plan.incomplete.len(),
                names.into_iter().collect::<Vec<_>>().join(", ")
            ),
        )
        .with_details(json!({ "recipients": plan.incomplete })));
    }
    if plan.recipients.is_empty() {
        let skipped: Vec<_> = plan.skipped.iter().chain(&plan.incomplete).collect();
        let (code, message) = if skipped.iter().all(|s| s.code == "missing_variables") {
            (
                ErrorCode::NoCompleteRecipients,
                "Ningún destinatario tiene todas las variables que usa el agente",
            )
        } else {
            (
                ErrorCode::NoRecipients,
                "Ningún cliente puede ser llamado: vea los omitidos y sus motivos",
            )
        };
        return Err(
            ApiError::unprocessable(code, message).with_details(json!({ "skipped": skipped }))
        );
    }
    Ok(())
}

/// Numbers already in a batch of ours created today (local date): rule packs allow one
/// contact a day.
async fn contacted_today(
    st: &Campaign,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<HashSet<String>, ApiError> {
    let tz = st.settings().timezone;
    let today = now.with_timezone(&tz).date_naive();
    let mut phones = HashSet::new();
    // Only today's records are read whole.
    for head in st.store().batch_heads().await? {
        if head.created_at.with_timezone(&tz).date_naive() < today {
            break;
        }
        if let Some(b) = st.store().batch(&head.batch_id).await? {
            phones.extend(b.recipients.into_iter().map(|r| r.phone_number));
        }
    }
    Ok(phones)
}

/// The batch's automatic retry policy: the request's, else the configured one; None when
/// it allows a single attempt (off).
fn retry_policy(
    st: &Campaign,
    asked: Option<RetryPolicy>,
) -> Result<Option<RetryPolicy>, ApiError> {
    let p = asked.unwrap_or_else(|| st.settings().rules.retry.clone());
    if p.max_attempts > 1 && p.outcomes.iter().any(|o| !o.is_retryable()) {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidRetryPolicy,
            "retryPolicy.outcomes solo admite \"failed\" y \"voicemail\"",
        ));
    }
    if p.spacing_secs < 0 || p.max_attempts > 10 {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidRetryPolicy,
            "retryPolicy: spacingSecs no puede ser negativo y maxAttempts va de 1 a 10",
        ));
    }
    Ok((p.max_attempts > 1 && !p.outcomes.is_empty()).then_some(p))
}

/// Past batches of this agent (the last ten that finished) for the estimate.
fn history(past: &[crate::store::BatchHead], agent_id: &str) -> History {
    History::from_outcomes(
        past.iter()
            .filter(|b| b.agent_id == agent_id)
            .filter_map(|b| b.outcome.as_ref())
            .take(10),
    )
}

/// A `scheduledTimeUnix` more than a year ahead is refused (ElevenLabs and the calling
/// windows would otherwise get a date nobody meant, or one past what dates can hold).
fn check_scheduled_time(
    t: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    let Some(t) = t else { return Ok(()) };
    let latest = now.timestamp().saturating_add(MAX_SCHEDULE_AHEAD_SECS);
    if t > latest || chrono::DateTime::from_timestamp(t, 0).is_none() {
        return Err(ApiError::unprocessable(
            ErrorCode::ScheduledTooFar,
            "La hora programada (scheduledTimeUnix) está a más de un año; use una fecha dentro de los próximos 12 meses (segundos Unix) o null para llamar ya",
        ));
    }
    Ok(())
}
