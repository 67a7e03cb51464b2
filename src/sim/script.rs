//! Conversations as upstream returns them: the transcript and analysis so far, the call's
//! metadata (timing, cost, why it ended, the telephony leg) and the metadata that links
//! back to the batch.

use indexmap::IndexMap;
use serde_json::{Value, json};
use std::collections::BTreeSet;

use super::analysis::analysis;
use super::batch::SimBatch;
use super::engine::Attempt;
use super::ids::hash;
use super::outcome::Outcome;
use super::recipient::SimRecipient;
use super::transcript::transcript;
use crate::elevenlabs::{
    BatchCallRef, ConversationError, ConversationInitiationClientData, ConversationMetadata,
    ConversationResponse, ConversationStatus, TelephonyProvider,
};

/// Seconds between the end of a call and the end of its analysis.
pub const PROCESSING_SECS: i64 = 4;

/// The conversation of attempt `ai` of recipient `ri` as it stands at `t`, or `None` if
/// the call was not placed (yet).
pub fn conversation(
    b: &SimBatch,
    ri: usize,
    ai: usize,
    t: i64,
    seed: u64,
) -> Option<ConversationResponse> {
    let r = b.recipients.get(ri)?;
    let a = r.attempts.get(ai)?;
    if t < a.initiated_at || r.cancelled_at.is_some_and(|c| c <= a.initiated_at) {
        return None;
    }
    let vars = text_variables(r);
    let failed = matches!(
        a.outcome,
        Outcome::NoAnswer | Outcome::Busy | Outcome::MissingVariables(_)
    );
    let status = status_at(a, failed, t);
    let start = a.answered_at.unwrap_or(a.initiated_at);
    let analysis = (status == ConversationStatus::Done).then(|| analysis(a, &vars));
    let has_audio = a.answered_at.is_some_and(|ans| t >= ans) && !failed;
    Some(ConversationResponse {
        agent_id: b.agent_id.clone(),
        agent_name: Some(b.agent_name.clone()),
        conversation_id: a.conversation_id.clone(),
        status,
        user_id: r.client_data.as_ref().and_then(|d| d.user_id.clone()),
        branch_id: None,
        version_id: None,
        transcript: transcript(b, a, &vars, t - start),
        metadata: metadata(b, r, a, t, seed),
        analysis,
        conversation_initiation_client_data: Some(client_data(b, r, a)),
        has_audio,
        has_user_audio: has_audio,
        has_response_audio: has_audio,
        has_auxiliary_audio: false,
        tag_ids: Vec::new(),
    })
}

/// The recipient's dynamic variables as text (numbers and booleans written out, nulls
/// left out), for the transcript and the analysis.
fn text_variables(r: &SimRecipient) -> IndexMap<String, String> {
    r.client_data
        .as_ref()
        .map(|d| {
            d.dynamic_variables
                .iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k.clone(), s.clone())),
                    Value::Null => None,
                    other => Some((k.clone(), other.to_string())),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The conversation's status at `t`.
fn status_at(a: &Attempt, failed: bool, t: i64) -> ConversationStatus {
    let ended = t >= a.end_at;
    if failed && ended {
        ConversationStatus::Failed
    } else if ended && t >= a.end_at + PROCESSING_SECS {
        ConversationStatus::Done
    } else if ended {
        ConversationStatus::Processing
    } else if a.answered_at.is_some_and(|ans| t >= ans) {
        ConversationStatus::InProgress
    } else {
        ConversationStatus::Initiated
    }
}

/// Timing, cost, why the call ended, the telephony leg and the link to the batch.
fn metadata(
    b: &SimBatch,
    r: &SimRecipient,
    a: &Attempt,
    t: i64,
    seed: u64,
) -> ConversationMetadata {
    let start = a.answered_at.unwrap_or(a.initiated_at);
    let duration = match a.answered_at {
        Some(ans) => (t.min(a.end_at) - ans).max(0),
        None => 0,
    };
    let h = hash(seed, &[a.conversation_id.as_bytes()]);
    let (termination, error) = termination(b, a, t >= a.end_at);
    ConversationMetadata {
        start_time_unix_secs: start,
        accepted_time_unix_secs: a.answered_at,
        call_duration_secs: duration,
        cost: Some((duration * 7) as f64),
        termination_reason: termination,
        error,
        warnings: Vec::new(),
        main_language: Some("es".into()),
        timezone: b.timezone.clone(),
        conversation_initiation_source: Some(
            b.phone_provider
                .clone()
                .unwrap_or_default()
                .as_str()
                .to_string(),
        ),
        phone_call: Some(phone_call(b, r, h)),
        batch_call: Some(BatchCallRef {
            batch_call_id: b.id.clone(),
            batch_call_recipient_id: r.id.clone(),
        }),
        cost_fiat: Some(duration as f64 * 0.0016),
    }
}

/// Upstream's termination reason, and the error of a call that failed (none before the end).
fn termination(b: &SimBatch, a: &Attempt, ended: bool) -> (String, Option<ConversationError>) {
    let failure = |reason: &str, code: i64, detail: &str| {
        let error = ConversationError {
            code,
            reason: Some(detail.into()),
        };
        (reason.to_string(), Some(error))
    };
    match &a.outcome {
        _ if !ended => (String::new(), None),
        Outcome::Answered { .. } => ("Call ended by remote party".to_string(), None),
        Outcome::Voicemail => ("Voicemail detected: agent left a message".to_string(), None),
        Outcome::NoAnswer => failure("No answer", 480, "no-answer"),
        Outcome::Busy => failure("Busy", 486, "busy"),
        Outcome::MissingVariables(m) => {
            let first = crate::domain::variables::placeholders(&b.first_message);
            let msg = missing_message(&first, &b.tool_variables, m);
            failure(&msg, 1008, &msg)
        }
    }
}

/// Which part of the agent uses the missing variables, for upstream's error text: the
/// first message, else the prompt, else the tools.
fn missing_message(
    first_message_vars: &BTreeSet<String>,
    tool_vars: &BTreeSet<String>,
    missing: &[String],
) -> String {
    let (in_first, rest): (Vec<&String>, Vec<&String>) = missing
        .iter()
        .partition(|m| first_message_vars.contains(*m));
    let (in_tools, in_prompt): (Vec<&String>, Vec<&String>) =
        rest.into_iter().partition(|m| tool_vars.contains(*m));
    let set = |v: &[&String]| {
        let inner: Vec<String> = v.iter().map(|m| format!("'{m}'")).collect();
        format!("{{{}}}", inner.join(", "))
    };
    let (part, vars) = if !in_first.is_empty() {
        ("first message", in_first)
    } else if !in_prompt.is_empty() {
        ("prompt", in_prompt)
    } else {
        ("tools", in_tools)
    };
    format!(
        "Missing required dynamic variables in {part}: {}",
        set(&vars)
    )
}

/// The telephony leg: Twilio's or the SIP trunk's ids, made from the conversation's hash.
fn phone_call(b: &SimBatch, r: &SimRecipient, h: u64) -> Value {
    match b.phone_provider {
        Some(TelephonyProvider::SipTrunk) => json!({
            "type": "sip_trunking", "direction": "outbound",
            "phone_number_id": b.phone_number_id, "agent_number": b.agent_number,
            "external_number": r.phone, "call_sid": format!("{h:032x}"),
            "call_id": format!("SCL_{:012x}", h >> 16), "sip_header_dynamic_variables": null
        }),
        _ => json!({
            "type": "twilio", "direction": "outbound",
            "phone_number_id": b.phone_number_id, "agent_number": b.agent_number,
            "external_number": r.phone, "stream_sid": format!("MZ{h:032x}"),
            "call_sid": format!("CA{h:032x}")
        }),
    }
}

/// What was submitted for the recipient, with the `system__` variables upstream adds.
fn client_data(b: &SimBatch, r: &SimRecipient, a: &Attempt) -> ConversationInitiationClientData {
    let mut client_data = r.client_data.clone().unwrap_or_default();
    let vars = &mut client_data.dynamic_variables;
    vars.insert("system__conversation_id".into(), json!(a.conversation_id));
    vars.insert("system__agent_id".into(), json!(b.agent_id));
    vars.insert("system__called_number".into(), json!(r.phone));
    client_data
}
