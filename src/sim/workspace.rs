//! The seeded workspace: agents (Spanish prompts with `{{variables}}`), phone numbers
//! (one Twilio, one SIP trunk), and the batches submitted since the start.

use indexmap::IndexMap;
use serde_json::{Value, json};
use std::collections::HashMap;

use super::batch::SimBatch;
use super::ids::make_id;

pub struct Workspace {
    /// Full `GetAgentResponseModel` JSON, so that PATCH can merge into it.
    pub agents: IndexMap<String, Value>,
    /// `GET /v1/convai/phone-numbers` items, as upstream sends them.
    pub phones: Vec<Value>,
    pub batches: IndexMap<String, SimBatch>,
    /// conversation id → (batch id, recipient index, attempt index).
    pub conversations: HashMap<String, (String, usize, usize)>,
    pub submitted: u64,
    /// `POST /v1/workspace/webhooks` items (`webhook_id`, `name`, `webhook_url`, …).
    pub webhooks: Vec<Value>,
    /// `GET/PATCH /v1/convai/settings` (only what was patched).
    pub convai_settings: Value,
}

struct SeedAgent {
    name: &'static str,
    first_message: &'static str,
    prompt: &'static str,
    placeholders: &'static [(&'static str, &'static str)],
}

const AGENTS: &[SeedAgent] = &[
    SeedAgent {
        name: "Agente Médico IA-Calls",
        first_message: "Hola {{name}}, le habla Sofía de IA-Calls. ¿Tiene un minuto para hablar sobre la consulta de {{especialidad}} en {{ciudad}}?",
        prompt: "Eres Sofía, asesora de IA-Calls. Llamas a profesionales de la salud de {{especialidad}} en {{ciudad}}. Dirígete a la persona como {{name}}, preséntale el servicio de agendamiento automático de citas, resuelve dudas breves y confirma si desea recibir información por correo. Sé cordial y breve.",
        placeholders: &[
            ("name", "Dr. Prueba"),
            ("especialidad", "Medicina General"),
            ("ciudad", "Bogotá"),
        ],
    },
    SeedAgent {
        name: "Agente Ventas Empresas",
        first_message: "Buenos días {{name}}, le llamo de IA-Calls. ¿Hablo con el {{cargo}} de {{empresa}}?",
        prompt: "Eres Andrés, ejecutivo comercial de IA-Calls. Llamas a {{name}}, {{cargo}} de {{empresa}}, para ofrecer llamadas automáticas con IA para su equipo. Averigua si hay interés y agenda una demostración.",
        placeholders: &[
            ("name", "Ana Prueba"),
            ("empresa", "Empresa Demo"),
            ("cargo", "Gerente"),
        ],
    },
    SeedAgent {
        name: "Agente Recordatorios",
        first_message: "Hola {{name}}, le llamamos de IA-Calls para recordarle su cita.",
        prompt: "Recuerdas citas a {{name}}. Confirma asistencia o reprograma.",
        placeholders: &[("name", "Paciente Prueba")],
    },
];

impl Workspace {
    pub fn seeded(seed: u64, now: i64) -> Self {
        let mut agents = IndexMap::new();
        for (i, a) in AGENTS.iter().enumerate() {
            let id = make_id("agent", seed, &[b"agent", &[i as u8]]);
            let placeholders: serde_json::Map<String, Value> = a
                .placeholders
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect();
            let created = now - 86_400 * (30 - i as i64);
            agents.insert(id.clone(), json!({
                "agent_id": id,
                "name": a.name,
                "conversation_config": {
                    "agent": {
                        "first_message": a.first_message,
                        "language": "es",
                        "dynamic_variables": { "dynamic_variable_placeholders": placeholders },
                        "prompt": { "prompt": a.prompt, "llm": "gemini-2.5-flash", "temperature": 0.0, "max_tokens": -1, "tool_ids": [], "knowledge_base": [], "timezone": "America/Bogota" }
                    },
                    "tts": { "model_id": "eleven_flash_v2_5", "voice_id": "cjVigY5qzO86Huf0OWal" },
                    "conversation": { "text_only": false, "max_duration_seconds": 600 }
                },
                "metadata": { "created_at_unix_secs": created, "updated_at_unix_secs": created },
                "platform_settings": {
                    "overrides": { "conversation_config_override": { "agent": { "first_message": false, "language": false, "prompt": { "prompt": false } }, "tts": { "voice_id": false } } },
                    "call_limits": { "agent_concurrency_limit": -1, "daily_limit": 100000, "bursting_enabled": true },
                    "evaluation": { "criteria": [{ "id": "interes_confirmado", "name": "Interés confirmado", "type": "prompt", "conversation_goal_prompt": "¿La persona confirmó interés?" }] },
                    "data_collection": { "interesado": { "type": "boolean", "description": "¿El contacto mostró interés?" } }
                },
                "phone_numbers": [],
                "tags": ["callboard-sim"],
                "version_id": null,
                "branch_id": null,
                "main_branch_id": null
            }));
        }
        let first = agents.keys().next().cloned().unwrap_or_default();
        // Kept as JSON: upstream's phone objects carry provider-specific keys (SIP trunks
        // add `livekit_stack`, `outbound_trunk`...) that the client's type leaves out.
        let twilio = make_id("phnum", seed, &[b"twilio"]);
        let sip = make_id("phnum", seed, &[b"sip"]);
        let phones = vec![
            json!({
                "phone_number": "+5716015550100", "label": "Bogotá saliente (Twilio)",
                "supports_inbound": true, "supports_outbound": true, "phone_number_id": twilio,
                "assigned_agent": { "agent_id": first, "agent_name": AGENTS[0].name, "environment": null, "branch_id": null },
                "provider": "twilio"
            }),
            json!({
                "phone_number": "+5746045550200", "label": "Medellín troncal SIP",
                "supports_inbound": true, "supports_outbound": true, "phone_number_id": sip,
                "assigned_agent": null, "provider": "sip_trunk", "livekit_stack": "standard",
                "provider_config": { "address": "sip.example.net", "transport": "tls", "media_encryption": "allowed", "headers": {}, "has_auth_credentials": true, "username": "callboard", "has_outbound_trunk": true, "has_inbound_trunk": true },
                "outbound_trunk": { "address": "sip.example.net", "transport": "tls", "media_encryption": "allowed", "headers": {}, "has_auth_credentials": true, "username": "callboard" },
                "inbound_trunk": null, "store_sip_messages": false
            }),
        ];
        Self {
            agents,
            phones,
            batches: IndexMap::new(),
            conversations: HashMap::new(),
            submitted: 0,
            webhooks: Vec::new(),
            convai_settings: json!({}),
        }
    }
}

/// Deep merge of a PATCH body: objects merge key by key, anything else replaces.
pub fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                match t.get_mut(k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}
