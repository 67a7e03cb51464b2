//! The pure part of a call start: who is dialled, who is skipped and why, the call name,
//! the missing-variable check and the upstream request. No I/O, so it is unit tested and
//! benched on its own (10,000 clients).

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

use crate::domain::{Client, ClientId, Group, SkippedClient, SubmittedRecipient, variables};
use crate::elevenlabs::{
    ConversationInitiationClientData, OutboundCallRecipient, SubmitBatchRequest,
};

/// ElevenLabs accepts at most this many recipients per batch.
pub const MAX_RECIPIENTS: usize = 10_000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub recipients: Vec<SubmittedRecipient>,
    pub skipped: Vec<SkippedClient>,
}

/// A recipient the agent cannot talk to: variables it uses that the client lacks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingVariables {
    pub client_id: ClientId,
    pub name: String,
    pub phone_number: String,
    pub missing: Vec<String>,
}

/// Valid phones only, each dialled once (the first client with a number wins; the
/// others are listed as duplicates), variables in the seed's order.
pub fn plan_recipients(group: &Group, clients: &[Client]) -> Plan {
    let mut plan = Plan {
        recipients: Vec::with_capacity(clients.len()),
        skipped: Vec::new(),
    };
    let mut seen: HashMap<&str, &str> = HashMap::with_capacity(clients.len());
    for c in clients {
        match &c.phone_e164 {
            Err(e) => plan.skipped.push(SkippedClient {
                client_id: c.id,
                name: c.name.clone(),
                phone: c.phone.clone(),
                reason: format!("Teléfono no válido: {e}"),
                code: "invalid_phone".into(),
            }),
            Ok(phone) => {
                if let Some(first) = seen.get(phone.as_str()) {
                    plan.skipped.push(SkippedClient {
                        client_id: c.id,
                        name: c.name.clone(),
                        phone: c.phone.clone(),
                        reason: format!("Número repetido: ya se llama a {phone} ({first})"),
                        code: "duplicate_phone".into(),
                    });
                    continue;
                }
                seen.insert(phone, &c.name);
                plan.recipients.push(SubmittedRecipient {
                    client_id: c.id,
                    name: c.name.clone(),
                    phone_number: phone.clone(),
                    variables: variables::build(c, group),
                });
            }
        }
    }
    plan
}

/// Checks every recipient against the variables the agent uses. With `skip`, those
/// lacking some are moved to `skipped`; without, they are returned as the refusal.
pub fn check_variables(
    plan: &mut Plan,
    required: &BTreeSet<String>,
    skip: bool,
) -> Result<(), Vec<MissingVariables>> {
    if required.is_empty() {
        return Ok(());
    }
    let mut lacking = Vec::new();
    let mut keep = Vec::with_capacity(plan.recipients.len());
    for r in plan.recipients.drain(..) {
        let missing = variables::missing(required, &r.variables);
        if missing.is_empty() {
            keep.push(r);
        } else {
            lacking.push((
                MissingVariables {
                    client_id: r.client_id,
                    name: r.name.clone(),
                    phone_number: r.phone_number.clone(),
                    missing: missing.iter().map(|s| s.to_string()).collect(),
                },
                r,
            ));
        }
    }
    if !lacking.is_empty() && !skip {
        plan.recipients = keep;
        plan.recipients
            .extend(lacking.iter().map(|(_, r)| r.clone()));
        return Err(lacking.into_iter().map(|(m, _)| m).collect());
    }
    for (m, r) in lacking {
        plan.skipped.push(SkippedClient {
            client_id: r.client_id,
            name: r.name,
            phone: r.phone_number,
            reason: format!(
                "Faltan variables que usa el agente: {}",
                m.missing.join(", ")
            ),
            code: "missing_variables".into(),
        });
    }
    plan.recipients = keep;
    Ok(())
}

/// `Llamada {grupo} - {d}/{m}/{yyyy}`, the date in the configured time zone.
pub fn call_name(group: &str, now: DateTime<Utc>, tz: Tz) -> String {
    let d = now.with_timezone(&tz);
    format!("Llamada {} - {}/{}/{}", group, d.day(), d.month(), d.year())
}

pub fn submit_request(
    plan: &Plan,
    call_name: String,
    agent_id: &str,
    phone_number_id: &str,
    scheduled_time_unix: Option<i64>,
    tz: Tz,
) -> SubmitBatchRequest {
    SubmitBatchRequest {
        call_name,
        agent_id: agent_id.to_string(),
        agent_phone_number_id: Some(phone_number_id.to_string()),
        scheduled_time_unix,
        timezone: Some(tz.name().to_string()),
        recipients: plan
            .recipients
            .iter()
            .map(|r| OutboundCallRecipient {
                id: Some(format!("client_{}", r.client_id)),
                phone_number: Some(r.phone_number.clone()),
                conversation_initiation_client_data: Some(ConversationInitiationClientData {
                    dynamic_variables: r
                        .variables
                        .iter()
                        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                        .collect(),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::phone::{Region, normalize};
    use std::collections::BTreeMap;

    fn group() -> Group {
        Group {
            id: 55,
            name: "Médicos Test".into(),
            variables: BTreeMap::from([("ciudad".into(), "Barranquilla".into())]),
            created_at: Utc::now(),
        }
    }

    fn client(id: u64, name: &str, phone: &str) -> Client {
        Client {
            id,
            group_id: 55,
            name: name.into(),
            email: None,
            empresa: None,
            cargo: None,
            phone: phone.into(),
            phone_e164: normalize(phone, Region::COLOMBIA),
            extra: BTreeMap::new(),
        }
    }

    #[test]
    fn skips_invalid_and_duplicate_phones_with_reasons() {
        let clients = vec![
            client(1, "Ana", "3001234567"),
            client(2, "Ana bis", "300-123-4567"),
            client(3, "Mal", "4567890"),
            client(4, "Beto", "57 300 123 4568"),
        ];
        let plan = plan_recipients(&group(), &clients);
        let phones: Vec<_> = plan
            .recipients
            .iter()
            .map(|r| r.phone_number.as_str())
            .collect();
        assert_eq!(phones, ["+573001234567", "+573001234568"]);
        let codes: Vec<_> = plan
            .skipped
            .iter()
            .map(|s| (s.client_id, s.code.as_str()))
            .collect();
        assert_eq!(codes, [(2, "duplicate_phone"), (3, "invalid_phone")]);
        assert!(
            plan.skipped[1].reason.contains("7 dígitos"),
            "{}",
            plan.skipped[1].reason
        );
        assert_eq!(plan.recipients[0].variables["ciudad"], "Barranquilla");
    }

    #[test]
    fn missing_variables_refuse_or_skip() {
        let mut c = client(1, "Ana", "3001234567");
        c.extra.insert("hospital".into(), "Central".into());
        let clients = vec![c, client(2, "Beto", "3001234568")];
        let required: BTreeSet<String> =
            ["name", "hospital"].iter().map(|s| s.to_string()).collect();
        let mut plan = plan_recipients(&group(), &clients);
        let err = check_variables(&mut plan, &required, false).unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(
            (err[0].client_id, err[0].missing.clone()),
            (2, vec!["hospital".to_string()])
        );
        assert_eq!(plan.recipients.len(), 2, "a refusal changes nothing");
        check_variables(&mut plan, &required, true).unwrap();
        assert_eq!(plan.recipients.len(), 1);
        assert_eq!(plan.skipped.last().unwrap().code, "missing_variables");
    }

    #[test]
    fn call_name_uses_the_configured_zone() {
        // 03:00 UTC on 25 Aug is still 24 Aug in Bogotá (UTC-5).
        let now = DateTime::parse_from_rfc3339("2025-08-25T03:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            call_name("Médicos Test", now, chrono_tz::America::Bogota),
            "Llamada Médicos Test - 24/8/2025"
        );
        assert_eq!(call_name("G", now, chrono_tz::UTC), "Llamada G - 25/8/2025");
    }

    #[test]
    fn request_carries_variables_as_strings() {
        let plan = plan_recipients(&group(), &[client(7, "Ana", "3001234567")]);
        let req = submit_request(
            &plan,
            "n".into(),
            "agent_1",
            "ph_1",
            None,
            chrono_tz::America::Bogota,
        );
        let json = serde_json::to_value(&req).unwrap();
        assert_eq!(json["recipients"][0]["phone_number"], "+573001234567");
        assert_eq!(
            json["recipients"][0]["conversation_initiation_client_data"]["dynamic_variables"]["name"],
            "Ana"
        );
        assert_eq!(json["agent_phone_number_id"], "ph_1");
        assert_eq!(json["timezone"], "America/Bogota");
    }
}
