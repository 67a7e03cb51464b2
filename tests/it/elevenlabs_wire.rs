//! Wire tests: payloads in upstream's shapes (captured examples from the reference, with
//! unknown fields, unknown enum values, nulls and older servers' omissions) and every
//! error-body shape.

use callboard::domain::{BatchStatus, RecipientStatus};
use callboard::elevenlabs::*;
use serde_json::json;

#[test]
fn batch_detail_with_unknown_fields_and_values() {
    let v = json!({
        "id": "btcal_6701k9r0aa1bb2cc3dd4ee5ff6gg", "phone_number_id": "phnum_0201k9q3ab4cd5ef6gh7jk8mn9pq",
        "phone_provider": "twilio", "whatsapp_params": null, "name": "Group 12", "agent_id": "agent_0101",
        "branch_id": null, "environment": null, "created_at_unix": 1767261600, "scheduled_time_unix": 1767261600,
        "timezone": "Europe/Berlin", "total_calls_dispatched": 2, "total_calls_scheduled": 2, "total_calls_finished": 1,
        "last_updated_at_unix": 1767261755, "status": "in_progress", "retry_count": 0,
        "telephony_call_config": { "ringing_timeout_secs": 45, "twilio_call_recording_enabled": false },
        "target_concurrency_limit": 3, "agent_name": "Group check-in agent", "branch_name": null,
        "brand_new_field": { "nested": [1, 2] },
        "recipients": [
            { "id": "rcpt_1", "phone_number": "+4915112345678", "whatsapp_user_id": null, "status": "completed",
              "created_at_unix": 1767261600, "updated_at_unix": 1767261755, "conversation_id": "conv_1",
              "conversation_initiation_client_data": {
                "conversation_config_override": { "asr": null, "agent": null }, "custom_llm_extra_body": {},
                "user_id": "member-17", "source_info": { "source": null, "version": null }, "branch_id": null,
                "environment": null, "tool_mock_config": null,
                "dynamic_variables": { "name": "Ana", "edad": 41, "vip": true, "nada": null } } },
            { "id": "rcpt_2", "phone_number": "+4915187654321", "status": "ringing_twice",
              "created_at_unix": 1767261600, "updated_at_unix": 1767261752, "conversation_id": null,
              "conversation_initiation_client_data": null }
        ]
    });
    let d: BatchCallDetailedResponse = serde_json::from_value(v).unwrap();
    assert_eq!(d.batch.status, BatchStatus::InProgress);
    assert_eq!(d.batch.phone_provider, Some(TelephonyProvider::Twilio));
    assert_eq!(d.batch.telephony_call_config.ringing_timeout_secs, 45);
    assert_eq!(d.recipients.len(), 2);
    assert_eq!(d.recipients[0].status, RecipientStatus::Completed);
    assert_eq!(
        d.recipients[1].status,
        RecipientStatus::Unknown("ringing_twice".into())
    );
    let vars = d.recipients[0].variables();
    assert_eq!(vars["name"], "Ana");
    assert_eq!(vars["edad"], "41");
    assert_eq!(vars["vip"], "true");
    assert!(!vars.contains_key("nada"));
    let echo = d.recipients[0]
        .conversation_initiation_client_data
        .as_ref()
        .unwrap();
    assert_eq!(echo.user_id.as_deref(), Some("member-17"));
    assert!(
        echo.extra.contains_key("tool_mock_config"),
        "unknown keys kept in extra"
    );
}

#[test]
fn batch_from_a_2025_server_lacks_newer_fields() {
    // May 2025: no finished counter, retry count, telephony config, timezone or provider.
    let v = json!({
        "id": "btcal_old", "phone_number_id": "phnum_01k0h6rdwqf5vbetjwew6ka32b", "name": "Old",
        "agent_id": "agent_4KT1TAjbm5KHqIdE7MKr", "created_at_unix": 1747700000, "scheduled_time_unix": 1747700000,
        "total_calls_dispatched": 1, "total_calls_scheduled": 3, "last_updated_at_unix": 1747700100,
        "status": "pending", "agent_name": "Old agent"
    });
    let b: BatchCallResponse = serde_json::from_value(v).unwrap();
    assert_eq!(b.total_calls_finished, 0);
    assert_eq!(b.retry_count, 0);
    assert_eq!(b.telephony_call_config.ringing_timeout_secs, 60);
    assert_eq!(b.phone_provider, None);
    assert_eq!(b.status, BatchStatus::Pending);
    // `call_name` is accepted where a `name` was expected; nulls read as defaults.
    let b: BatchCallResponse = serde_json::from_value(json!({
        "id": "x", "call_name": "Legacy", "status": "paused_for_lunch", "total_calls_finished": null,
        "retry_count": null, "telephony_call_config": null
    }))
    .unwrap();
    assert_eq!(b.name, "Legacy");
    assert_eq!(b.status, BatchStatus::Unknown("paused_for_lunch".into()));
    let wa: BatchCallResponse =
        serde_json::from_value(json!({ "id": "x", "whatsapp_business_account_id": "waba_1" }))
            .unwrap();
    assert_eq!(
        wa.whatsapp_params,
        Some(json!("waba_1")),
        "the Nov 2025 name is accepted"
    );
}

#[test]
fn workspace_page_and_submit_request_shape() {
    let page: WorkspaceBatchCallsResponse = serde_json::from_value(
        json!({ "batch_calls": [{ "id": "b1", "status": "completed" }], "next_doc": null }),
    )
    .unwrap();
    assert_eq!(page.batch_calls.len(), 1);
    assert!(!page.has_more);
    let req = SubmitBatchRequest {
        call_name: "Llamada Médicos Test".into(),
        agent_id: "agent_1".into(),
        agent_phone_number_id: Some("phnum_1".into()),
        recipients: vec![OutboundCallRecipient {
            phone_number: Some("+573001112223".into()),
            conversation_initiation_client_data: Some(ConversationInitiationClientData {
                dynamic_variables: [("name".to_string(), json!("Dr. García"))]
                    .into_iter()
                    .collect(),
                ..Default::default()
            }),
            ..Default::default()
        }],
        ..Default::default()
    };
    let v = serde_json::to_value(&req).unwrap();
    assert_eq!(
        v["scheduled_time_unix"],
        json!(null),
        "upstream once required this key"
    );
    assert!(v.get("timezone").is_none());
    let r = &v["recipients"][0];
    assert!(r.get("id").is_none());
    assert_eq!(
        r["conversation_initiation_client_data"],
        json!({ "dynamic_variables": { "name": "Dr. García" } })
    );
}

#[test]
fn conversation_with_nulls_and_unknown_status_maps_to_details() {
    let v = json!({
        "agent_id": "agent_1", "agent_name": "A", "conversation_id": "conv_1", "status": "done",
        "user_id": null, "branch_id": null, "version_id": null,
        "transcript": [
            { "role": "agent", "message": "Hola Ana", "time_in_call_secs": 0, "tool_calls": null, "tool_results": null },
            { "role": "user", "message": null, "time_in_call_secs": 3, "interrupted": true },
            { "role": "user", "message": "Sí", "time_in_call_secs": 4, "feedback": null, "llm_usage": {} }
        ],
        "metadata": { "start_time_unix_secs": 1767261610, "call_duration_secs": 34, "cost": 210,
            "termination_reason": "Call ended by remote party", "error": null, "warnings": [], "main_language": "es",
            "phone_call": { "type": "twilio", "call_sid": "CA1" },
            "batch_call": { "batch_call_id": "btcal_1", "batch_call_recipient_id": "rcpt_1" }, "cost_fiat": 0.021,
            "features_usage": { "whatever": true } },
        "analysis": { "call_successful": "success", "transcript_summary": "Ana confirmó.", "call_summary_title": null,
            "evaluation_criteria_results": { "ok": { "criteria_id": "ok", "result": "success", "rationale": "dijo sí" } },
            "data_collection_results": { "asiste": { "data_collection_id": "asiste", "value": true, "json_schema": null, "rationale": "" } } },
        "has_audio": true, "has_user_audio": true, "has_response_audio": true
    });
    let c: ConversationResponse = serde_json::from_value(v).unwrap();
    assert_eq!(c.status, ConversationStatus::Done);
    assert!(!c.has_auxiliary_audio, "absent on older servers");
    assert_eq!(
        c.metadata
            .batch_call
            .as_ref()
            .unwrap()
            .batch_call_recipient_id,
        "rcpt_1"
    );
    let d = c.to_details();
    assert_eq!(d.summary.as_deref(), Some("Ana confirmó."));
    assert_eq!(d.duration_secs, Some(34));
    assert_eq!(
        d.transcript.len(),
        2,
        "turns without a message are left out"
    );
    assert_eq!(d.call_successful.as_deref(), Some("success"));
    assert_eq!(d.evaluation["ok"], "success");
    assert_eq!(d.data_collection["asiste"], json!(true));
    assert_eq!(
        d.termination_reason.as_deref(),
        Some("Call ended by remote party")
    );

    let c: ConversationResponse = serde_json::from_value(json!({
        "conversation_id": "conv_2", "status": "in-progress", "transcript": null, "metadata": null, "analysis": null
    }))
    .unwrap();
    assert_eq!(c.status, ConversationStatus::InProgress);
    assert_eq!(
        serde_json::to_value(&c.status).unwrap(),
        json!("in-progress")
    );
    let c: ConversationResponse =
        serde_json::from_value(json!({ "conversation_id": "c", "status": "archived_forever" }))
            .unwrap();
    assert_eq!(
        c.status,
        ConversationStatus::Unknown("archived_forever".into())
    );
    // A failed call: the reason comes from metadata.error when termination_reason is empty.
    let c: ConversationResponse = serde_json::from_value(json!({
        "conversation_id": "c", "status": "failed",
        "metadata": { "termination_reason": "", "error": { "code": 1008, "reason": "Missing required dynamic variables in first message: {'empresa'}" } }
    }))
    .unwrap();
    assert!(
        c.to_details()
            .termination_reason
            .unwrap()
            .contains("empresa")
    );
}

#[test]
fn agent_placeholders_and_phone_numbers() {
    let a: AgentResponse = serde_json::from_value(json!({
        "agent_id": "agent_1", "name": "Médico",
        "conversation_config": { "agent": {
            "first_message": "Hola {{name}}, ¿habla con {{ empresa }}?", "language": "es",
            "dynamic_variables": { "dynamic_variable_placeholders": { "name": "Ana", "empresa": "X" } },
            "prompt": { "prompt": "Eres un agente para {{especialidad}} en {{ciudad}}. Hora {{system__time}}", "llm": "gemini-2.5-flash", "temperature": 0.0 } },
            "tts": { "voice_id": "v" } },
        "metadata": { "created_at_unix_secs": 1, "updated_at_unix_secs": 2 },
        "platform_settings": { "call_limits": {} }, "phone_numbers": null, "tags": null, "unknown": 1
    }))
    .unwrap();
    let p: Vec<String> = a.placeholders().into_iter().collect();
    assert_eq!(p, ["ciudad", "empresa", "especialidad", "name"]);
    assert_eq!(a.dynamic_variable_placeholders()["empresa"], json!("X"));
    // Read-modify-write keeps what we do not model.
    let back = serde_json::to_value(&a).unwrap();
    assert_eq!(back["conversation_config"]["tts"]["voice_id"], json!("v"));
    assert_eq!(
        back["conversation_config"]["agent"]["prompt"]["temperature"],
        json!(0.0)
    );

    let phones: Vec<PhoneNumberResponse> = serde_json::from_value(json!([
        { "phone_number": "+4930123456", "label": "Berlin", "phone_number_id": "phnum_1", "provider": "twilio",
          "assigned_agent": { "agent_id": "agent_1", "agent_name": "A", "environment": null, "branch_id": null } },
        { "phone_number": "+57300", "label": "SIP", "phone_number_id": "phnum_2", "provider": "sip_trunk",
          "assigned_agent": null, "livekit_stack": "static", "outbound_trunk": {} },
        { "phone_number": "+91", "label": "New", "phone_number_id": "phnum_3", "provider": "carrier_pigeon" }
    ]))
    .unwrap();
    assert_eq!(phones[1].provider, TelephonyProvider::SipTrunk);
    assert_eq!(
        phones[2].provider,
        TelephonyProvider::Unknown("carrier_pigeon".into())
    );
    assert_eq!(
        phones[0].assigned_agent.as_ref().unwrap().agent_id,
        "agent_1"
    );
}

#[test]
fn every_error_body_shape() {
    // FastAPI validation list.
    let e = ElevenLabsError::from_response(
        422,
        br#"{"detail":[{"type":"missing","loc":["body","agent_phone_number_id"],"msg":"Field required","input":null}]}"#,
        None,
    );
    assert_eq!(e.status(), Some(422));
    assert!(
        e.to_string()
            .contains("body.agent_phone_number_id: Field required"),
        "{e}"
    );
    assert!(matches!(e.detail(), Some(ErrorDetail::Validation(v)) if v.len() == 1));
    assert!(!e.is_retryable());
    // Current documented object.
    let e = ElevenLabsError::from_response(
        404,
        br#"{"detail":{"type":"not_found","code":"conversation_not_found","message":"The specified conversation does not exist.","status":"conversation_not_found","request_id":"3c80","param":null}}"#,
        None,
    );
    assert!(e.is_not_found());
    assert_eq!(e.code(), Some("conversation_not_found"));
    assert!(e.to_string().contains("does not exist"));
    // Legacy `{status, message}`.
    let e = ElevenLabsError::from_response(
        401,
        br#"{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}"#,
        None,
    );
    assert!(e.is_auth());
    assert_eq!(e.code(), Some("invalid_api_key"));
    assert!(!e.is_retryable());
    // 429 with each code, Retry-After kept.
    for code in [
        "rate_limit_exceeded",
        "concurrent_limit_exceeded",
        "system_busy",
        "too_many_concurrent_requests",
    ] {
        let body = format!(
            r#"{{"detail":{{"type":"rate_limit_error","code":"{code}","message":"slow down"}}}}"#
        );
        let e = ElevenLabsError::from_response(
            429,
            body.as_bytes(),
            Some(std::time::Duration::from_secs(2)),
        );
        assert!(e.is_rate_limited() && e.is_retryable(), "{code}");
        assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(2)));
    }
    // Plain-string detail, plain text body, empty body.
    let e = ElevenLabsError::from_response(404, br#"{"detail":"Not Found"}"#, None);
    assert!(matches!(e.detail(), Some(ErrorDetail::Text(t)) if t == "Not Found"));
    let e = ElevenLabsError::from_response(502, b"<html>Bad Gateway</html>", None);
    assert!(e.is_retryable() && e.is_ambiguous());
    assert!(e.to_string().contains("Bad Gateway"));
    let e = ElevenLabsError::from_response(503, b"", None);
    assert!(e.to_string().contains("503"));
}

#[test]
fn missing_key_is_an_error_and_the_key_never_shows() {
    let mut cfg = callboard::config::Config::defaults().elevenlabs;
    assert!(matches!(
        ElevenLabsClient::new(&cfg),
        Err(ElevenLabsError::MissingKey)
    ));
    cfg.api_key = Some(callboard::secret::Secret::new("sk_live_supersecret"));
    let c = ElevenLabsClient::new(&cfg).unwrap();
    assert_eq!(c.base_url(), "https://api.elevenlabs.io");
    assert!(!format!("{c:?}").contains("supersecret"));
    cfg.base_url = "ftp://nope".into();
    assert!(matches!(
        ElevenLabsClient::new(&cfg),
        Err(ElevenLabsError::InvalidBaseUrl(_))
    ));
}
