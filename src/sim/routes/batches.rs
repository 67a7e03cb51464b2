//! `/v1/convai/batch-calling/*`: submit with upstream's validation, list with cursor,
//! get, cancel, retry, delete.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use super::St;
use crate::elevenlabs::{
    AgentResponse, ConversationInitiationClientData, SubmitBatchRequest, TelephonyCallConfig,
    TelephonyProvider, WorkspaceBatchCallsResponse,
};
use crate::sim::batch::{NewBatch, NewRecipient, SimBatch};
use crate::sim::engine::{Mix, missing_variables};
use crate::sim::ids::make_id;
use crate::sim::{SimState, lock, reply};

pub(crate) fn mix(st: &SimState, b: Option<&SimBatch>) -> Mix {
    Mix {
        seed: st.opts.seed,
        pickup_rate: st.opts.pickup_rate,
        voicemail_rate: st.opts.voicemail_rate,
        ringing_timeout_secs: b.map_or(60, |b| {
            i64::from(b.telephony_call_config.ringing_timeout_secs)
        }),
        scripted: st.opts.scripted.clone(),
    }
}

fn body_loc(path: &[Value]) -> Vec<Value> {
    let mut loc = vec![json!("body")];
    loc.extend_from_slice(path);
    loc
}

/// Upstream's checks of a submit body, as a FastAPI 422 list.
fn validate(raw: &Value) -> Vec<Value> {
    let mut errs = Vec::new();
    let Some(obj) = raw.as_object() else {
        return vec![reply::invalid_item(
            "model_attributes_type",
            &body_loc(&[]),
            "Input should be a valid dictionary or object to extract fields from",
            raw.clone(),
        )];
    };
    for field in ["call_name", "agent_id", "recipients"] {
        if obj.get(field).is_none_or(Value::is_null) {
            errs.push(reply::invalid_item(
                "missing",
                &body_loc(&[json!(field)]),
                "Field required",
                raw.clone(),
            ));
        }
    }
    for field in ["call_name", "agent_id"] {
        if let Some(v) = obj.get(field).filter(|v| !v.is_null() && !v.is_string()) {
            errs.push(reply::invalid_item(
                "string_type",
                &body_loc(&[json!(field)]),
                "Input should be a valid string",
                v.clone(),
            ));
        }
    }
    let whatsapp = obj.get("whatsapp_params").is_some_and(|v| !v.is_null());
    if !whatsapp && obj.get("agent_phone_number_id").is_none_or(Value::is_null) {
        errs.push(reply::invalid_item(
            "missing",
            &body_loc(&[json!("agent_phone_number_id")]),
            "Field required",
            Value::Null,
        ));
    }
    if let Some(limit) = obj
        .get("target_concurrency_limit")
        .and_then(Value::as_i64)
        .filter(|l| *l < 1)
    {
        errs.push(reply::invalid_item(
            "greater_than_equal",
            &body_loc(&[json!("target_concurrency_limit")]),
            "Input should be greater than or equal to 1",
            json!(limit),
        ));
    }
    match obj.get("recipients") {
        Some(Value::Array(list)) => {
            if list.is_empty() {
                errs.push(reply::invalid_item(
                    "too_short",
                    &body_loc(&[json!("recipients")]),
                    "List should have at least 1 item after validation, not 0",
                    json!([]),
                ));
            }
            if list.len() > 10_000 {
                errs.push(reply::invalid_item(
                    "too_long",
                    &body_loc(&[json!("recipients")]),
                    &format!(
                        "List should have at most 10000 items after validation, not {}",
                        list.len()
                    ),
                    Value::Null,
                ));
            }
            for (i, r) in list.iter().enumerate().take(10_000) {
                validate_recipient(i, r, whatsapp, &mut errs);
                if errs.len() >= 50 {
                    break;
                }
            }
        }
        Some(Value::Null) | None => {}
        Some(other) => errs.push(reply::invalid_item(
            "list_type",
            &body_loc(&[json!("recipients")]),
            "Input should be a valid list",
            other.clone(),
        )),
    }
    errs
}

fn validate_recipient(i: usize, r: &Value, whatsapp: bool, errs: &mut Vec<Value>) {
    let at = |f: &str| body_loc(&[json!("recipients"), json!(i), json!(f)]);
    let phone = r.get("phone_number").and_then(Value::as_str);
    match phone {
        Some(p) if !is_e164(p) => errs.push(reply::invalid_item(
            "value_error",
            &at("phone_number"),
            "Value error, Invalid phone number, must be in E.164 format",
            json!(p),
        )),
        None if !whatsapp && r.get("whatsapp_user_id").is_none_or(Value::is_null) => errs.push(
            reply::invalid_item("missing", &at("phone_number"), "Field required", r.clone()),
        ),
        _ => {}
    }
    let vars = r
        .get("conversation_initiation_client_data")
        .and_then(|d| d.get("dynamic_variables"))
        .and_then(Value::as_object);
    for (k, v) in vars.into_iter().flatten() {
        if v.is_object() || v.is_array() {
            errs.push(reply::invalid_item(
                "value_error",
                &at("conversation_initiation_client_data"),
                &format!("Value error, dynamic variable '{k}' must be a string, number or boolean"),
                v.clone(),
            ));
        }
        if k.starts_with("system__") {
            errs.push(reply::invalid_item(
                "value_error",
                &at("conversation_initiation_client_data"),
                &format!("Value error, dynamic variable '{k}' uses the reserved prefix system__"),
                json!(k),
            ));
        }
    }
}

fn is_e164(p: &str) -> bool {
    let digits = p.strip_prefix('+').unwrap_or("");
    (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// The echo of a recipient's data, with the keys upstream adds (explicit nulls).
fn echo(mut d: ConversationInitiationClientData) -> ConversationInitiationClientData {
    d.conversation_config_override.get_or_insert_with(
        || json!({ "asr": null, "turn": null, "tts": null, "conversation": null, "agent": null }),
    );
    d.custom_llm_extra_body.get_or_insert_with(|| json!({}));
    d.source_info
        .get_or_insert_with(|| json!({ "source": null, "version": null }));
    d.extra.entry("branch_id".into()).or_insert(Value::Null);
    d.extra.entry("environment".into()).or_insert(Value::Null);
    d
}

pub(crate) async fn submit(State(st): St, body: Bytes) -> Response {
    let raw: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return reply::unprocessable(vec![reply::invalid_item(
                "json_invalid",
                &body_loc(&[json!(e.column())]),
                "JSON decode error",
                json!({}),
            )]);
        }
    };
    let errs = validate(&raw);
    if !errs.is_empty() {
        return reply::unprocessable(errs);
    }
    // Fields the client's request type leaves out, read from the body itself.
    let telephony: TelephonyCallConfig = raw
        .get("telephony_call_config")
        .filter(|v| !v.is_null())
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let whatsapp_ids: Vec<Option<String>> = raw["recipients"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|r| {
                    r.get("whatsapp_user_id")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    let req: SubmitBatchRequest = match serde_json::from_value(raw) {
        Ok(r) => r,
        Err(e) => {
            return reply::unprocessable(vec![reply::invalid_item(
                "value_error",
                &body_loc(&[]),
                &e.to_string(),
                Value::Null,
            )]);
        }
    };
    let now = st.now();
    let mut ws = lock(&st.ws);
    let Some(agent_json) = ws.agents.get(&req.agent_id).cloned() else {
        return reply::not_found(
            "agent_not_found",
            &format!("Agent {} not found", req.agent_id),
        );
    };
    let agent: AgentResponse = serde_json::from_value(agent_json).unwrap_or_default();
    let phone = match &req.agent_phone_number_id {
        Some(id) => match ws
            .phones
            .iter()
            .find(|p| p["phone_number_id"].as_str() == Some(id))
        {
            Some(p) => Some(p.clone()),
            None => {
                return reply::not_found(
                    "phone_number_not_found",
                    &format!("Phone number {id} not found"),
                );
            }
        },
        None => None,
    };
    let required = agent.placeholders();
    let counter = ws.submitted;
    ws.submitted += 1;
    let id = make_id("btcal", st.opts.seed, &[b"batch", &counter.to_le_bytes()]);
    let recipients: Vec<(String, NewRecipient)> = req
        .recipients
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let rid = make_id(
                "rcpt",
                st.opts.seed,
                &[id.as_bytes(), &(i as u64).to_le_bytes()],
            );
            let vars = r
                .conversation_initiation_client_data
                .as_ref()
                .map(|d| d.dynamic_variables.clone())
                .unwrap_or_default();
            let missing = missing_variables(&required, &vars);
            let nr = NewRecipient {
                phone: r.phone_number,
                whatsapp_user_id: whatsapp_ids.get(i).cloned().flatten(),
                client_data: r.conversation_initiation_client_data.map(echo),
                missing,
            };
            (rid, nr)
        })
        .collect();
    let slots = req
        .target_concurrency_limit
        .map_or(st.opts.concurrency, |l| l as usize);
    let new = NewBatch {
        id: id.clone(),
        name: req.call_name,
        agent_id: req.agent_id,
        agent_name: agent.name.clone(),
        first_message: agent.conversation_config.agent.first_message.clone(),
        phone_number_id: phone
            .as_ref()
            .and_then(|p| p["phone_number_id"].as_str().map(str::to_string)),
        phone_provider: phone.as_ref().and_then(|p| {
            p["provider"]
                .as_str()
                .map(|s| TelephonyProvider::from(s.to_string()))
        }),
        agent_number: phone
            .as_ref()
            .and_then(|p| p["phone_number"].as_str().map(str::to_string))
            .unwrap_or_default(),
        now,
        scheduled_time_unix: req.scheduled_time_unix,
        timezone: req.timezone,
        target_concurrency_limit: req.target_concurrency_limit,
        telephony_call_config: telephony.clone(),
        slots,
    };
    let mix = Mix {
        ringing_timeout_secs: i64::from(telephony.ringing_timeout_secs),
        ..mix(&st, None)
    };
    let mut batch = SimBatch::new(new, recipients, &mix);
    for (ri, r) in batch.recipients.iter().enumerate() {
        for (ai, a) in r.attempts.iter().enumerate() {
            ws.conversations
                .insert(a.conversation_id.clone(), (id.clone(), ri, ai));
        }
    }
    let view = batch.view(now);
    // Render every recipient once now, so that the first poll of a big batch is fast too.
    batch.detail_json(now);
    ws.batches.insert(id, batch);
    reply::json_ok(&view)
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    limit: Option<i64>,
    last_doc: Option<String>,
    agent_id: Option<String>,
}

pub(crate) async fn list(State(st): St, Query(q): Query<ListQuery>) -> Response {
    let limit = q.limit.unwrap_or(100);
    if limit < 1 {
        return reply::unprocessable(vec![reply::invalid_item(
            "greater_than_equal",
            &[json!("query"), json!("limit")],
            "Input should be greater than or equal to 1",
            json!(limit),
        )]);
    }
    let limit = limit.min(1000) as usize;
    let now = st.now();
    let mut ws = lock(&st.ws);
    // Newest first.
    let ids: Vec<String> = ws
        .batches
        .values()
        .rev()
        .filter(|b| !b.deleted && q.agent_id.as_ref().is_none_or(|a| *a == b.agent_id))
        .map(|b| b.id.clone())
        .collect();
    let start = match &q.last_doc {
        None => 0,
        Some(doc) => match ids.iter().position(|id| id == doc) {
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
    let page: Vec<String> = ids.iter().skip(start).take(limit).cloned().collect();
    let has_more = start + page.len() < ids.len();
    let batch_calls = page
        .iter()
        .filter_map(|id| ws.batches.get_mut(id).map(|b| b.view(now)))
        .collect();
    reply::json_ok(&WorkspaceBatchCallsResponse {
        batch_calls,
        next_doc: if has_more { page.last().cloned() } else { None },
        has_more,
    })
}

fn batch_not_found(id: &str) -> Response {
    reply::not_found(
        "batch_call_not_found",
        &format!("Batch call {id} not found"),
    )
}

pub(crate) async fn get_one(
    State(st): St,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let gzip = crate::gzip::accepted(&headers);
    let now = st.now();
    let mut ws = lock(&st.ws);
    match ws.batches.get_mut(&id).filter(|b| !b.deleted) {
        Some(b) if gzip => crate::gzip::json_response(b.detail_gzip(now)),
        Some(b) => reply::raw_json(b.detail_json(now)),
        None => batch_not_found(&id),
    }
}

pub(crate) async fn cancel(State(st): St, Path(id): Path<String>) -> Response {
    let now = st.now();
    let mut ws = lock(&st.ws);
    let Some(b) = ws.batches.get_mut(&id).filter(|b| !b.deleted) else {
        return batch_not_found(&id);
    };
    match b.cancel(now) {
        Ok(()) => reply::json_ok(&b.view(now)),
        Err(code) => reply::conflict(
            code,
            "The batch call has already finished and cannot be cancelled.",
        ),
    }
}

pub(crate) async fn retry(State(st): St, Path(id): Path<String>) -> Response {
    let now = st.now();
    let mut ws = lock(&st.ws);
    let mix = mix(&st, ws.batches.get(&id));
    let Some(b) = ws.batches.get_mut(&id).filter(|b| !b.deleted) else {
        return batch_not_found(&id);
    };
    match b.retry(now, &mix) {
        Ok(new_convs) => {
            let view = b.view(now);
            for (conv, ri) in new_convs {
                let ai = ws
                    .batches
                    .get(&id)
                    .map_or(0, |b| b.recipients[ri].attempts.len() - 1);
                ws.conversations.insert(conv, (id.clone(), ri, ai));
            }
            reply::json_ok(&view)
        }
        Err(code) => reply::conflict(
            code,
            "Only a finished, not cancelled batch call can be retried.",
        ),
    }
}

pub(crate) async fn delete(State(st): St, Path(id): Path<String>) -> Response {
    let mut ws = lock(&st.ws);
    match ws.batches.get_mut(&id).filter(|b| !b.deleted) {
        Some(b) => {
            // Conversations remain in history, so the batch stays in memory, hidden.
            b.deleted = true;
            StatusCode::NO_CONTENT.into_response()
        }
        None => batch_not_found(&id),
    }
}
