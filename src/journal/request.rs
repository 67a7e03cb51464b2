//! The pure part of a submission after the pre-flight check (`domain::preflight` decides
//! who is dialled): the call name and the upstream request, also for a journal intent. No I/O.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

use crate::domain::SubmittedRecipient;
use crate::domain::intent::SubmitIntent;
use crate::elevenlabs::{
    ConversationInitiationClientData, OutboundCallRecipient, SubmitBatchRequest,
};

/// ElevenLabs accepts at most this many recipients per batch.
pub const MAX_RECIPIENTS: usize = 10_000;

/// `Llamada {grupo} - {d}/{m}/{yyyy}`, the date in the configured time zone.
pub fn call_name(group: &str, now: DateTime<Utc>, tz: Tz) -> String {
    let d = now.with_timezone(&tz);
    format!("Llamada {} - {}/{}/{}", group, d.day(), d.month(), d.year())
}

pub fn submit_request(
    recipients: &[SubmittedRecipient],
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
        recipients: recipients
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
            })
            .collect(),
        ..Default::default()
    }
}

/// The upstream request an intent submits.
pub(super) fn for_intent(i: &SubmitIntent) -> SubmitBatchRequest {
    let tz = i
        .timezone
        .parse::<chrono_tz::Tz>()
        .unwrap_or(chrono_tz::America::Bogota);
    submit_request(
        &i.record.recipients,
        i.call_name.clone(),
        &i.agent_id,
        &i.record.phone_number_id,
        i.record.scheduled_time_unix,
        tz,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::phone::{Region, normalize};
    use crate::domain::{Client, Group};
    use std::collections::BTreeMap;

    fn group() -> Group {
        Group {
            id: 55,
            name: "Médicos Test".into(),
            variables: BTreeMap::from([("ciudad".into(), "Barranquilla".into())]),
            created_at: Utc::now(),
            owner: None,
            other_countries: false,
            setup: Default::default(),
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
        let plan = crate::domain::preflight::run(&crate::domain::preflight::PreflightInput::new(
            &group(),
            &[client(7, "Ana", "3001234567")],
            &Default::default(),
            Utc::now(),
        ));
        let req = submit_request(
            &plan.recipients,
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
