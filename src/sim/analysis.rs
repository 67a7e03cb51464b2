//! The analysis upstream attaches to a finished conversation: success, a Spanish summary
//! and title, the `interes_confirmado` criterion and the `interesado` data point.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::engine::Attempt;
use super::outcome::Outcome;
use super::transcript::var;
use crate::elevenlabs::{
    CallSuccessful, ConversationAnalysis, DataCollectionResult, EvaluationResult,
};

pub fn analysis(a: &Attempt, vars: &IndexMap<String, String>) -> ConversationAnalysis {
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
