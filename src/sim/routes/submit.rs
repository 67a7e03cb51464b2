//! `POST /v1/convai/batch-calling/submit`: the body checked as upstream checks it, the
//! agent and phone number looked up, every call planned, and the new batch's view.

use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

use super::validate::{body_loc, validate};
use crate::elevenlabs::{
    AgentResponse, ConversationInitiationClientData, OutboundCallRecipient, SubmitBatchRequest,
    TelephonyCallConfig, TelephonyProvider,
};
use crate::sim::batch::{NewBatch, SimBatch};
use crate::sim::engine::{Mix, missing_variables};
use crate::sim::ids::make_id;
use crate::sim::recipient::NewRecipient;
use crate::sim::reply;
use crate::sim::state::{SimState, St, lock};
use crate::sim::workspace::Workspace;

/// Fields the client's request type leaves out, read from the body itself.
struct BodyExtras {
    telephony: TelephonyCallConfig,
    /// Per recipient, in order.
    whatsapp_ids: Vec<Option<String>>,
}

pub(crate) async fn submit(State(st): St, body: Bytes) -> Response {
    let (mut req, extras) = match read_request(&body) {
        Ok(read) => read,
        Err(refused) => return *refused,
    };
    let now = st.now();
    let mut ws = lock(&st.ws);
    let (agent, phone) = match agent_and_phone(&ws, &req) {
        Ok(found) => found,
        Err(not_found) => return *not_found,
    };
    let required = agent.placeholders();
    let counter = ws.submitted;
    ws.submitted += 1;
    let id = make_id("btcal", st.opts.seed, &[b"batch", &counter.to_le_bytes()]);
    let list = std::mem::take(&mut req.recipients);
    let recipients = new_recipients(&st, &id, list, &required, &extras.whatsapp_ids);
    let mix = Mix {
        ringing_timeout_secs: i64::from(extras.telephony.ringing_timeout_secs),
        ..st.mix(None)
    };
    let new = new_batch(&st, id.clone(), req, &agent, phone.as_ref(), now, extras);
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

/// An answer that ends a submit early (boxed: a `Response` is large).
type Refused = Box<Response>;

/// The body as JSON, checked, then as the client's request type; or the 422 upstream sends.
fn read_request(body: &[u8]) -> Result<(SubmitBatchRequest, BodyExtras), Refused> {
    let raw: Value = serde_json::from_slice(body).map_err(|e| {
        Box::new(reply::unprocessable(vec![reply::invalid_item(
            "json_invalid",
            &body_loc(&[json!(e.column())]),
            "JSON decode error",
            json!({}),
        )]))
    })?;
    let errs = validate(&raw);
    if !errs.is_empty() {
        return Err(Box::new(reply::unprocessable(errs)));
    }
    let extras = BodyExtras::read(&raw);
    let req: SubmitBatchRequest = serde_json::from_value(raw).map_err(|e| {
        Box::new(reply::unprocessable(vec![reply::invalid_item(
            "value_error",
            &body_loc(&[]),
            &e.to_string(),
            Value::Null,
        )]))
    })?;
    Ok((req, extras))
}

impl BodyExtras {
    fn read(raw: &Value) -> Self {
        let telephony = raw
            .get("telephony_call_config")
            .filter(|v| !v.is_null())
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        let whatsapp_ids = raw["recipients"]
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
        Self {
            telephony,
            whatsapp_ids,
        }
    }
}

/// The agent and the phone number the request names, or upstream's 404.
fn agent_and_phone(
    ws: &Workspace,
    req: &SubmitBatchRequest,
) -> Result<(AgentResponse, Option<Value>), Refused> {
    let Some(agent_json) = ws.agents.get(&req.agent_id).cloned() else {
        return Err(Box::new(reply::not_found(
            "agent_not_found",
            &format!("Agent {} not found", req.agent_id),
        )));
    };
    let agent: AgentResponse = serde_json::from_value(agent_json).unwrap_or_default();
    let Some(id) = &req.agent_phone_number_id else {
        return Ok((agent, None));
    };
    match ws
        .phones
        .iter()
        .find(|p| p["phone_number_id"].as_str() == Some(id))
    {
        Some(p) => Ok((agent, Some(p.clone()))),
        None => Err(Box::new(reply::not_found(
            "phone_number_not_found",
            &format!("Phone number {id} not found"),
        ))),
    }
}

/// The recipients with their ids, echoed data and the agent's variables they lack.
fn new_recipients(
    st: &SimState,
    batch_id: &str,
    list: Vec<OutboundCallRecipient>,
    required: &std::collections::BTreeSet<String>,
    whatsapp_ids: &[Option<String>],
) -> Vec<(String, NewRecipient)> {
    list.into_iter()
        .enumerate()
        .map(|(i, r)| {
            let rid = make_id(
                "rcpt",
                st.opts.seed,
                &[batch_id.as_bytes(), &(i as u64).to_le_bytes()],
            );
            let vars = r
                .conversation_initiation_client_data
                .as_ref()
                .map(|d| d.dynamic_variables.clone())
                .unwrap_or_default();
            let missing = missing_variables(required, &vars);
            let nr = NewRecipient {
                phone: r.phone_number,
                whatsapp_user_id: whatsapp_ids.get(i).cloned().flatten(),
                client_data: r.conversation_initiation_client_data.map(echo),
                missing,
            };
            (rid, nr)
        })
        .collect()
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

/// What the batch is made from: the request, the agent and the phone number it calls from.
fn new_batch(
    st: &SimState,
    id: String,
    req: SubmitBatchRequest,
    agent: &AgentResponse,
    phone: Option<&Value>,
    now: i64,
    extras: BodyExtras,
) -> NewBatch {
    let text = |key: &str| phone.and_then(|p| p[key].as_str().map(str::to_string));
    NewBatch {
        id,
        name: req.call_name,
        agent_id: req.agent_id,
        agent_name: agent.name.clone(),
        first_message: agent.conversation_config.agent.first_message.clone(),
        tool_variables: agent.tool_placeholders(),
        phone_number_id: text("phone_number_id"),
        phone_provider: text("provider").map(TelephonyProvider::from),
        agent_number: text("phone_number").unwrap_or_default(),
        now,
        scheduled_time_unix: req.scheduled_time_unix,
        timezone: req.timezone,
        target_concurrency_limit: req.target_concurrency_limit,
        telephony_call_config: extras.telephony,
        slots: req
            .target_concurrency_limit
            .map_or(st.opts.concurrency, |l| l as usize),
    }
}
