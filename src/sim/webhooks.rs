//! The simulator's post-call webhooks: once per call, when upstream would send it, a signed
//! POST to the configured URL, with the same bodies as ElevenLabs: `post_call_transcription`
//! (the conversation as `GET /v1/convai/conversations/{id}` shows it, once its analysis is
//! done) or `call_initiation_failure` (no answer, busy). A share of them is dropped on
//! purpose (`drop_rate`, decided by the seed and the conversation, so runs repeat), as
//! upstream's fire-once delivery may lose them. Sent, dropped and failed deliveries are
//! counted (`webhook sent`, `webhook dropped`, `webhook failed` in `/_sim/counters`).

use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::ids::{hash, unit};
use super::options::WebhookTarget;
use super::outcome::Outcome;
use super::script;
use super::state::{SimState, lock};
use crate::elevenlabs::webhook_sig;
use crate::elevenlabs::{ConversationStatus, EVENT_INITIATION_FAILURE, EVENT_TRANSCRIPTION};

/// How often the simulator looks for calls whose webhook is due (real time).
const TICK: Duration = Duration::from_millis(50);

/// One delivery due: the conversation, its event's body.
struct Due {
    conversation_id: String,
    body: Vec<u8>,
}

/// Runs until `stop`: every tick, posts the webhooks that became due.
pub(super) async fn run(
    st: Arc<SimState>,
    target: WebhookTarget,
    stop: tokio_util::sync::CancellationToken,
) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    let mut done: HashSet<String> = HashSet::new();
    // From now on: what was due before is not sent late.
    collect(&st, &mut done);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = stop.cancelled() => return,
        }
        for due in collect(&st, &mut done) {
            let dropped = unit(hash(
                st.opts.seed ^ 0x3e6b,
                &[due.conversation_id.as_bytes()],
            )) < target.drop_rate;
            if dropped {
                st.count("webhook dropped");
                continue;
            }
            let (st, http, target) = (st.clone(), http.clone(), target.clone());
            tokio::spawn(async move { send(&st, &http, &target, due).await });
        }
    }
}

/// Signs and posts one event; upstream does not retry, and neither does the simulator.
async fn send(st: &SimState, http: &reqwest::Client, target: &WebhookTarget, due: Due) {
    let t = chrono::Utc::now().timestamp();
    let signature = webhook_sig::sign(target.secret.expose(), t, &due.body);
    st.note_webhook(&due.conversation_id);
    let sent = http
        .post(&target.url)
        .header(webhook_sig::SIGNATURE_HEADER, signature)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(due.body)
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => st.count("webhook sent"),
        Ok(r) => {
            tracing::warn!(status = %r.status(), conversation_id = %due.conversation_id, "sim: webhook refused");
            st.count("webhook failed");
        }
        Err(e) => {
            tracing::warn!(error = %e.without_url(), "sim: webhook not delivered");
            st.count("webhook failed");
        }
    }
}

/// The events that became due since the last tick (each conversation once).
fn collect(st: &SimState, done: &mut HashSet<String>) -> Vec<Due> {
    let now = st.now();
    let event_timestamp = now;
    let ws = lock(&st.ws);
    let mut out = Vec::new();
    for (cid, (batch_id, ri, ai)) in &ws.conversations {
        if done.contains(cid) {
            continue;
        }
        let Some(b) = ws.batches.get(batch_id) else {
            continue;
        };
        let Some(attempt) = b.recipients.get(*ri).and_then(|r| r.attempts.get(*ai)) else {
            continue;
        };
        if now < attempt.end_at {
            // Cheap: most conversations are not over yet.
            continue;
        }
        let Some(conv) = script::conversation(b, *ri, *ai, now, st.opts.seed) else {
            // Never placed (cancelled first): nothing will be sent.
            done.insert(cid.clone());
            continue;
        };
        let event = match (&conv.status, &attempt.outcome) {
            (ConversationStatus::Failed, Outcome::NoAnswer | Outcome::Busy) => {
                let reason = match attempt.outcome {
                    Outcome::Busy => "busy",
                    _ => "no-answer",
                };
                let phone = b.recipients.get(*ri).and_then(|r| r.phone.clone());
                json!({
                    "type": EVENT_INITIATION_FAILURE,
                    "event_timestamp": event_timestamp,
                    "data": failure_data(&conv.agent_id, cid, reason, phone, b.agent_number.as_str()),
                })
            }
            (ConversationStatus::Done | ConversationStatus::Failed, _) => json!({
                "type": EVENT_TRANSCRIPTION,
                "event_timestamp": event_timestamp,
                "data": conv,
            }),
            _ => continue,
        };
        done.insert(cid.clone());
        out.push(Due {
            conversation_id: cid.clone(),
            body: serde_json::to_vec(&event).unwrap_or_default(),
        });
    }
    out
}

/// `call_initiation_failure`'s data, with a SIP body as upstream sends it.
fn failure_data(agent_id: &str, cid: &str, reason: &str, to: Option<String>, from: &str) -> Value {
    let (code, status) = match reason {
        "busy" => (486, "Busy Here"),
        _ => (480, "Temporarily Unavailable"),
    };
    json!({
        "agent_id": agent_id,
        "conversation_id": cid,
        "failure_reason": reason,
        "metadata": {
            "type": "sip",
            "body": {
                "from_number": from,
                "to_number": to,
                "sip_status_code": code,
                "error_reason": format!("INVITE failed: sip status: {code}: {status}"),
                "call_sid": format!("{:032x}", hash(0, &[cid.as_bytes()])),
                "sip_status": status,
            }
        }
    })
}
