//! Conversations (with audio), agents (get, list, PATCH with a deep merge) and phone numbers.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::elevenlabs::{AgentSummary, AgentsPage, ConversationResponse, ConversationStatus};
use crate::sim::state::{SimState, St, lock};
use crate::sim::workspace::merge;
use crate::sim::{reply, script};

fn find_conversation(st: &SimState, id: &str) -> Option<ConversationResponse> {
    let now = st.now();
    let ws = lock(&st.ws);
    let (batch_id, ri, ai) = ws.conversations.get(id)?;
    let b = ws.batches.get(batch_id)?;
    script::conversation(b, *ri, *ai, now, st.opts.seed)
}

fn conversation_not_found(id: &str) -> Response {
    reply::not_found(
        "conversation_not_found",
        &format!("Conversation {id} not found"),
    )
}

pub(crate) async fn conversation(State(st): St, Path(id): Path<String>) -> Response {
    match find_conversation(&st, &id) {
        Some(c) => reply::json_ok(&c),
        None => conversation_not_found(&id),
    }
}

/// Whether an `Accept` header lets an MPEG recording through (no header accepts anything).
fn accepts_audio(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return true;
    };
    accept.to_str().unwrap_or_default().split(',').any(|range| {
        let media = range.split(';').next().unwrap_or_default().trim();
        matches!(media, "*/*" | "audio/*" | "audio/mpeg")
    })
}

/// The recording; like any HTTP server it answers 406 to a client that says it accepts
/// no audio (an `Accept: application/json` left over from the JSON endpoints).
pub(crate) async fn audio(State(st): St, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if !accepts_audio(&headers) {
        return reply::error(
            406,
            "invalid_request",
            "not_acceptable",
            "This endpoint returns audio/mpeg; send Accept: audio/* (or audio/mpeg).",
        );
    }
    match find_conversation(&st, &id) {
        Some(c)
            if c.has_audio
                && matches!(
                    c.status,
                    ConversationStatus::Done | ConversationStatus::Processing
                ) =>
        {
            (
                [(header::CONTENT_TYPE, HeaderValue::from_static("audio/mpeg"))],
                st.audio.clone(),
            )
                .into_response()
        }
        Some(_) => reply::not_found(
            "conversation_audio_not_found",
            "This conversation has no audio.",
        ),
        None => conversation_not_found(&id),
    }
}

#[derive(Deserialize)]
pub(crate) struct PageQuery {
    page_size: Option<i64>,
    cursor: Option<String>,
}

fn summary(agent: &Value) -> AgentSummary {
    let s = |ptr: &str| agent.pointer(ptr).cloned().unwrap_or(Value::Null);
    AgentSummary {
        agent_id: s("/agent_id").as_str().unwrap_or_default().to_string(),
        name: s("/name").as_str().unwrap_or_default().to_string(),
        tags: serde_json::from_value(s("/tags")).unwrap_or_default(),
        created_at_unix_secs: s("/metadata/created_at_unix_secs").as_i64().unwrap_or(0),
        updated_at_unix_secs: s("/metadata/updated_at_unix_secs").as_i64(),
        voice_id: s("/conversation_config/tts/voice_id")
            .as_str()
            .map(str::to_string),
        access_info: Some(
            json!({ "is_creator": true, "creator_name": "callboard sim", "creator_email": "sim@callboard.invalid", "role": "admin" }),
        ),
        last_call_time_unix_secs: None,
        archived: Some(false),
    }
}

pub(crate) async fn list_agents(State(st): St, Query(q): Query<PageQuery>) -> Response {
    let size = q.page_size.unwrap_or(30);
    if !(1..=100).contains(&size) {
        return reply::unprocessable(vec![reply::invalid_item(
            "less_than_equal",
            &[json!("query"), json!("page_size")],
            "Input should be between 1 and 100",
            json!(size),
        )]);
    }
    let ws = lock(&st.ws);
    let ids: Vec<&String> = ws.agents.keys().collect();
    let start = match &q.cursor {
        None => 0,
        Some(c) => match ids.iter().position(|id| *id == c) {
            Some(p) => p + 1,
            None => {
                return reply::error(
                    400,
                    "invalid_request",
                    "invalid_cursor",
                    "The cursor is not valid.",
                );
            }
        },
    };
    let agents: Vec<AgentSummary> = ws
        .agents
        .values()
        .skip(start)
        .take(size as usize)
        .map(summary)
        .collect();
    let has_more = start + agents.len() < ids.len();
    let next_cursor = if has_more {
        agents.last().map(|a| a.agent_id.clone())
    } else {
        None
    };
    reply::json_ok(&AgentsPage {
        agents,
        next_cursor,
        has_more,
    })
}

pub(crate) async fn get_agent(State(st): St, Path(id): Path<String>) -> Response {
    match lock(&st.ws).agents.get(&id) {
        Some(a) => reply::json_ok(a),
        None => reply::not_found("agent_not_found", &format!("Agent {id} not found")),
    }
}

pub(crate) async fn patch_agent(State(st): St, Path(id): Path<String>, body: Bytes) -> Response {
    let patch: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(other) => {
            return reply::unprocessable(vec![reply::invalid_item(
                "model_attributes_type",
                &[json!("body")],
                "Input should be a valid dictionary or object to extract fields from",
                other,
            )]);
        }
        Err(e) => {
            return reply::unprocessable(vec![reply::invalid_item(
                "json_invalid",
                &[json!("body"), json!(e.column())],
                "JSON decode error",
                json!({}),
            )]);
        }
    };
    let prompt = patch.pointer("/conversation_config/agent/prompt");
    if prompt.is_some_and(|p| p.get("tools").is_some() && p.get("tool_ids").is_some()) {
        return reply::error(
            400,
            "invalid_request",
            "invalid_parameters",
            "Send either tools or tool_ids, not both.",
        );
    }
    let now = st.now();
    let mut ws = lock(&st.ws);
    let Some(agent) = ws.agents.get_mut(&id) else {
        return reply::not_found("agent_not_found", &format!("Agent {id} not found"));
    };
    let mut patch = patch;
    if let Some(obj) = patch.as_object_mut() {
        for k in ["agent_id", "version_description", "metadata"] {
            obj.remove(k);
        }
    }
    merge(agent, &patch);
    if let Some(m) = agent.get_mut("metadata").and_then(Value::as_object_mut) {
        m.insert("updated_at_unix_secs".into(), json!(now));
    }
    reply::json_ok(agent)
}

pub(crate) async fn list_phones(State(st): St) -> Response {
    reply::json_ok(&lock(&st.ws).phones)
}

pub(crate) async fn get_phone(State(st): St, Path(id): Path<String>) -> Response {
    match lock(&st.ws)
        .phones
        .iter()
        .find(|p| p["phone_number_id"].as_str() == Some(id.as_str()))
    {
        Some(p) => reply::json_ok(p),
        None => reply::not_found(
            "phone_number_not_found",
            &format!("Phone number {id} not found"),
        ),
    }
}
