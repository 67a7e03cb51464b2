//! Conversations as upstream returns them: a Spanish transcript built from the recipient's
//! dynamic variables, an analysis, and the metadata that links back to the batch.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::batch::{SimBatch, missing_message};
use super::engine::{Attempt, Outcome};
use super::ids::hash;
use crate::elevenlabs::{
    BatchCallRef, CallSuccessful, ConversationAnalysis, ConversationError, ConversationMetadata,
    ConversationResponse, ConversationStatus, DataCollectionResult, EvaluationResult,
    TelephonyProvider, TranscriptItem,
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
    let vars: IndexMap<String, String> = r
        .client_data
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
        .unwrap_or_default();
    let ended = t >= a.end_at;
    let failed = matches!(
        a.outcome,
        Outcome::NoAnswer | Outcome::Busy | Outcome::MissingVariables(_)
    );
    let status = if failed && ended {
        ConversationStatus::Failed
    } else if ended && t >= a.end_at + PROCESSING_SECS {
        ConversationStatus::Done
    } else if ended {
        ConversationStatus::Processing
    } else if a.answered_at.is_some_and(|ans| t >= ans) {
        ConversationStatus::InProgress
    } else {
        ConversationStatus::Initiated
    };
    let start = a.answered_at.unwrap_or(a.initiated_at);
    let duration = match a.answered_at {
        Some(ans) => (t.min(a.end_at) - ans).max(0),
        None => 0,
    };
    let h = hash(seed, &[a.conversation_id.as_bytes()]);
    let turns = transcript(b, a, &vars, t - start);
    let (termination, error) = match &a.outcome {
        _ if !ended => (String::new(), None),
        Outcome::Answered { .. } => ("Call ended by remote party".to_string(), None),
        Outcome::Voicemail => ("Voicemail detected: agent left a message".to_string(), None),
        Outcome::NoAnswer => (
            "No answer".to_string(),
            Some(ConversationError {
                code: 480,
                reason: Some("no-answer".into()),
            }),
        ),
        Outcome::Busy => (
            "Busy".to_string(),
            Some(ConversationError {
                code: 486,
                reason: Some("busy".into()),
            }),
        ),
        Outcome::MissingVariables(m) => {
            let first = crate::domain::variables::placeholders(&b.first_message);
            let msg = missing_message(&first, m);
            (
                msg.clone(),
                Some(ConversationError {
                    code: 1008,
                    reason: Some(msg),
                }),
            )
        }
    };
    let analysis = (status == ConversationStatus::Done).then(|| analysis(a, &vars));
    let mut client_data = r.client_data.clone().unwrap_or_default();
    client_data
        .dynamic_variables
        .insert("system__conversation_id".into(), json!(a.conversation_id));
    client_data
        .dynamic_variables
        .insert("system__agent_id".into(), json!(b.agent_id));
    client_data
        .dynamic_variables
        .insert("system__called_number".into(), json!(r.phone));
    let phone_call = match b.phone_provider {
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
    };
    let has_audio = a.answered_at.is_some_and(|ans| t >= ans) && !failed;
    Some(ConversationResponse {
        agent_id: b.agent_id.clone(),
        agent_name: Some(b.agent_name.clone()),
        conversation_id: a.conversation_id.clone(),
        status,
        user_id: r.client_data.as_ref().and_then(|d| d.user_id.clone()),
        branch_id: None,
        version_id: None,
        transcript: turns,
        metadata: ConversationMetadata {
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
            phone_call: Some(phone_call),
            batch_call: Some(BatchCallRef {
                batch_call_id: b.id.clone(),
                batch_call_recipient_id: r.id.clone(),
            }),
            cost_fiat: Some(duration as f64 * 0.0016),
        },
        analysis,
        conversation_initiation_client_data: Some(client_data),
        has_audio,
        has_user_audio: has_audio,
        has_response_audio: has_audio,
        has_auxiliary_audio: false,
        tag_ids: Vec::new(),
    })
}

/// `{{var}}` replaced by the recipient's value.
fn fill(template: &str, vars: &IndexMap<String, String>) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{{{k}}}}}"), v);
    }
    out
}

fn var<'a>(vars: &'a IndexMap<String, String>, k: &str, default: &'a str) -> &'a str {
    vars.get(k).map(String::as_str).unwrap_or(default)
}

/// The lines spoken so far (`elapsed` seconds after pick-up).
fn transcript(
    b: &SimBatch,
    a: &Attempt,
    vars: &IndexMap<String, String>,
    elapsed: i64,
) -> Vec<TranscriptItem> {
    let name = var(vars, "name", "");
    let lines: Vec<(&str, String)> = match &a.outcome {
        Outcome::Answered { interested } => {
            let topic = if let Some(e) = vars.get("especialidad") {
                format!("la consulta de {e} en {}", var(vars, "ciudad", "su ciudad"))
            } else if let Some(e) = vars.get("empresa") {
                format!("los procesos de {e}")
            } else {
                "nuestros servicios".to_string()
            };
            let mut l = vec![
                ("agent", fill(&b.first_message, vars)),
                ("user", "Sí, dígame, tengo un momento.".to_string()),
                (
                    "agent",
                    format!(
                        "Gracias. Le llamo porque tenemos una propuesta para {topic}. ¿Le interesaría recibir más información?"
                    ),
                ),
            ];
            if *interested {
                l.push((
                    "user",
                    "Sí, me interesa. ¿Me la puede enviar por correo?".into(),
                ));
                l.push(("agent", format!("Con gusto, {name}. Le enviaremos la información hoy mismo y un asesor le contactará esta semana.")));
                l.push(("user", "Perfecto, muchas gracias.".into()));
            } else {
                l.push(("user", "En este momento no me interesa, gracias.".into()));
                l.push((
                    "agent",
                    format!("Entendido, {name}. Gracias por su tiempo, que tenga un buen día."),
                ));
            }
            l
        }
        Outcome::Voicemail => vec![(
            "agent",
            format!(
                "Hola {name}, le llamamos de IA-Calls. Le volveremos a llamar pronto. ¡Gracias!"
            ),
        )],
        _ => Vec::new(),
    };
    let total = a.end_at - a.answered_at.unwrap_or(a.end_at);
    let n = lines.len().max(1) as i64;
    lines
        .into_iter()
        .enumerate()
        .map(|(i, (role, message))| (i as i64 * total / n, role, message))
        .filter(|(at, _, _)| *at <= elapsed)
        .map(|(at, role, message)| TranscriptItem {
            role: role.to_string(),
            message: Some(message),
            time_in_call_secs: at,
            tool_calls: Vec::new(),
            tool_results: Vec::new(),
            interrupted: false,
            source_medium: Some("audio".into()),
        })
        .collect()
}

fn analysis(a: &Attempt, vars: &IndexMap<String, String>) -> ConversationAnalysis {
    let name = var(vars, "name", "El contacto");
    let (success, summary, title, interested) = match &a.outcome {
        Outcome::Answered { interested: true } => (
            CallSuccessful::Success,
            format!(
                "{name} atendió la llamada, mostró interés en la propuesta y pidió recibir la información por correo."
            ),
            "Interesado en la propuesta",
            Some(true),
        ),
        Outcome::Answered { interested: false } => (
            CallSuccessful::Failure,
            format!(
                "{name} atendió la llamada pero indicó que por ahora no le interesa la propuesta."
            ),
            "Sin interés por ahora",
            Some(false),
        ),
        _ => (
            CallSuccessful::Undetermined,
            format!("Se dejó un mensaje en el buzón de voz de {name}."),
            "Buzón de voz",
            None,
        ),
    };
    let mut evaluation = IndexMap::new();
    evaluation.insert(
        "interes_confirmado".to_string(),
        EvaluationResult {
            criteria_id: "interes_confirmado".into(),
            result: success.clone(),
            rationale: summary.clone(),
        },
    );
    let mut data = IndexMap::new();
    data.insert(
        "interesado".to_string(),
        DataCollectionResult {
            data_collection_id: "interesado".into(),
            value: interested.map(Value::Bool).unwrap_or(Value::Null),
            json_schema: Some(
                json!({"type": "boolean", "description": "¿El contacto mostró interés?"}),
            ),
            rationale: summary.clone(),
        },
    );
    ConversationAnalysis {
        call_successful: success,
        transcript_summary: summary,
        call_summary_title: Some(title.to_string()),
        evaluation_criteria_results: evaluation,
        data_collection_results: data,
    }
}
