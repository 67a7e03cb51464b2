//! `POST /api/groups/:id/prepare-agent`: reads the user's agent, sets
//! `dynamic_variable_placeholders` for every variable the group provides, and reports the
//! variables the agent uses that the group cannot supply.

use crate::api::ErrorCode;
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiPath};
use super::ownership::owned_group;
use super::respond::Ok200;
use super::state::AppState;
use crate::campaign::user_with_agent;
use crate::domain::{GroupId, UserId, variables};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/groups/{id}/prepare-agent", post(prepare_agent))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PrepareRequest {
    #[serde(default)]
    user_id: Option<UserId>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PrepareData {
    agent_id: String,
    agent_name: String,
    group_id: GroupId,
    group_name: String,
    /// Variables the group provides (the placeholders now set on the agent).
    variables: Vec<String>,
    placeholders: BTreeMap<String, serde_json::Value>,
    /// Variables the agent's prompt, first message or tools use that the group cannot supply.
    missing_variables: Vec<String>,
}

async fn prepare_agent(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(group_id): ApiPath<GroupId>,
    ApiJson(req): ApiJson<PrepareRequest>,
) -> Result<Ok200<PrepareData>, ApiError> {
    let user_id = caller.acting_user(req.user_id)?;
    let (_user, agent_id) = user_with_agent(st.campaign(), user_id)?;
    let g = owned_group(&st, &caller, group_id)?;
    let clients = st.store().clients(group_id)?;
    // The group provides a variable when it sets it or at least one client has it. The
    // agent's test default is the group's own value, or a neutral sample: never a client's
    // data (the agent's settings are visible to anyone in the ElevenLabs workspace).
    let mut provided: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in &g.variables {
        provided.entry(k.clone()).or_insert_with(|| v.clone());
    }
    for c in &clients {
        for (k, _) in variables::build(c, &g) {
            provided
                .entry(k)
                .or_insert_with_key(|k| variables::sample_value(k));
        }
    }
    let client = st.client()?;
    let agent = client.get_agent(&agent_id).await.map_err(|e| {
        if e.is_not_found() {
            ApiError::unprocessable(
                ErrorCode::AgentNotFound,
                "El agente del usuario no existe en ElevenLabs",
            )
        } else {
            ApiError::from_upstream(&e)
        }
    })?;
    let used = agent.placeholders();
    let mut placeholders = agent.dynamic_variable_placeholders();
    for (k, v) in &provided {
        placeholders.insert(k.clone(), serde_json::Value::String(v.clone()));
    }
    let patch = json!({
        "conversation_config": {"agent": {"dynamic_variables": {"dynamic_variable_placeholders": placeholders}}}
    });
    let updated = client
        .update_agent(&agent_id, &patch)
        .await
        .map_err(|e| ApiError::from_upstream(&e))?;
    let missing: Vec<String> = used
        .iter()
        .filter(|u| !provided.contains_key(*u))
        .cloned()
        .collect();
    let message = if missing.is_empty() {
        format!("Agente preparado exitosamente para el grupo \"{}\"", g.name)
    } else {
        format!(
            "Agente preparado para el grupo \"{}\", pero usa variables que el grupo no tiene: {}",
            g.name,
            missing.join(", ")
        )
    };
    Ok(Ok200::new(
        message,
        PrepareData {
            agent_id,
            agent_name: updated.name,
            group_id,
            group_name: g.name,
            variables: provided.into_keys().collect(),
            placeholders,
            missing_variables: missing,
        },
    ))
}
