//! `POST /api/groups/:id/prepare-agent`: reads the group's agent (else the user's), sets
//! `dynamic_variable_placeholders` for every variable the group provides and, when the
//! group names them, the agent's first message and language; reports what it changed and
//! the variables the agent uses that the group cannot supply.

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiPath};
use super::ownership::owned_group;
use super::respond::Ok200;
use super::state::AppState;
use crate::campaign::{agent_for, agent_not_found};
use crate::domain::{Client, Group, GroupId, GroupSetup, UserId, variables};
use crate::elevenlabs::types::{AgentConfig, AgentResponse};

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
    /// The agent's settings the group changed (first message, language), before and after.
    changes: Vec<AgentChange>,
}

/// One setting of the agent that prepare-agent changed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AgentChange {
    /// `firstMessage` or `language`.
    field: &'static str,
    previous: String,
    value: String,
}

async fn prepare_agent(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(group_id): ApiPath<GroupId>,
    ApiJson(req): ApiJson<PrepareRequest>,
) -> Result<Ok200<PrepareData>, ApiError> {
    let user_id = caller.acting_user(req.user_id)?;
    let group = owned_group(&st, &caller, group_id).await;
    let (_user, choice) = agent_for(st.campaign(), user_id, group.as_ref().ok()).await?;
    let g = group?;
    let agent_id = choice.agent_id.clone();
    let clients = st.store().clients(group_id).await?;
    let provided = provided_variables(&g, &clients);
    let client = st.client()?;
    let agent = client.get_agent(&agent_id).await.map_err(|e| {
        if e.is_not_found() {
            agent_not_found(&choice, &g)
        } else {
            ApiError::from_upstream(&e)
        }
    })?;
    let (patch, placeholders, changes) = agent_patch(&agent, &provided, &g.setup);
    let updated = client
        .update_agent(&agent_id, &patch)
        .await
        .map_err(|e| ApiError::from_upstream(&e))?;
    // The agent as it is now: a new first message may use other variables.
    let used = updated.placeholders();
    let missing: Vec<String> = used
        .iter()
        .filter(|u| !provided.contains_key(*u))
        .cloned()
        .collect();
    let mut message = if missing.is_empty() {
        format!("Agente preparado exitosamente para el grupo \"{}\"", g.name)
    } else {
        format!(
            "Agente preparado para el grupo \"{}\", pero usa variables que el grupo no tiene: {}",
            g.name,
            missing.join(", ")
        )
    };
    message.push_str(&changes_sentence(&changes));
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
            changes,
        },
    ))
}

/// The group provides a variable when it sets it or at least one client has it. The
/// agent's test default is the group's own value, or a neutral sample: never a client's
/// data (the agent's settings are visible to anyone in the ElevenLabs workspace).
fn provided_variables(g: &Group, clients: &[Client]) -> BTreeMap<String, String> {
    let mut provided: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in &g.variables {
        provided.entry(k.clone()).or_insert_with(|| v.clone());
    }
    for c in clients {
        for (k, _) in variables::build(c, g) {
            provided
                .entry(k)
                .or_insert_with_key(|k| variables::sample_value(k));
        }
    }
    provided
}

/// The PATCH for the agent (the ElevenLabs shape: only the leaves that change), its
/// placeholders after it, and the group's settings it changes.
fn agent_patch(
    agent: &AgentResponse,
    provided: &BTreeMap<String, String>,
    setup: &GroupSetup,
) -> (Value, BTreeMap<String, Value>, Vec<AgentChange>) {
    let mut placeholders = agent.dynamic_variable_placeholders();
    for (k, v) in provided {
        placeholders.insert(k.clone(), Value::String(v.clone()));
    }
    let mut leaves = json!({"dynamic_variables": {"dynamic_variable_placeholders": placeholders}});
    let changes = group_changes(&agent.conversation_config.agent, setup);
    for c in &changes {
        let key = match c.field {
            "firstMessage" => "first_message",
            _ => "language",
        };
        leaves[key] = json!(c.value);
    }
    let patch = json!({ "conversation_config": { "agent": leaves } });
    (patch, placeholders, changes)
}

/// The group's first message and language where they differ from the agent's.
fn group_changes(agent: &AgentConfig, setup: &GroupSetup) -> Vec<AgentChange> {
    let wanted = [
        ("firstMessage", &agent.first_message, &setup.first_message),
        ("language", &agent.language, &setup.language),
    ];
    wanted
        .into_iter()
        .filter_map(|(field, now, want)| {
            let want = want.as_ref().filter(|w| *w != now)?;
            Some(AgentChange {
                field,
                previous: now.clone(),
                value: want.clone(),
            })
        })
        .collect()
}

/// What the message adds about the changes, in Spanish.
fn changes_sentence(changes: &[AgentChange]) -> String {
    let said: Vec<String> = changes
        .iter()
        .map(|c| match c.field {
            "firstMessage" => "primer mensaje actualizado desde el grupo".to_string(),
            _ => format!("idioma cambiado de «{}» a «{}»", c.previous, c.value),
        })
        .collect();
    if said.is_empty() {
        String::new()
    } else {
        format!("; {}", said.join("; "))
    }
}
