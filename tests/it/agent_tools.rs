//! Variables an agent's tools use count like those of its prompt and first message: the
//! simulator fails a call lacking one ("… in tools"), and the service's pre-flight,
//! missing-variable check and prepare-agent name them. The agent is given a webhook tool
//! through the simulator's PATCH, as a supervisor would in ElevenLabs.

use crate::support::service::*;
use callboard::config::Config;
use callboard::domain::RecipientStatus;
use callboard::elevenlabs::*;
use callboard::secret::Secret;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A webhook tool with `{{sede}}` in its URL and `token_cliente` as a header variable;
/// `cita_id` is only assigned from its response (not required).
fn tool_patch() -> Value {
    json!({"conversation_config": {"agent": {"prompt": {"tools": [{
        "type": "webhook",
        "name": "agendar_cita",
        "description": "Agenda una cita para el cliente",
        "api_schema": {
            "url": "https://citas.example/{{sede}}/agendar",
            "method": "POST",
            "request_headers": {"Authorization": {"variable_name": "token_cliente"}}
        },
        "assignments": [{"source": "response", "dynamic_variable": "cita_id", "value_path": "id"}]
    }]}}}})
}

fn client(url: String) -> ElevenLabsClient {
    let mut cfg = Config::defaults().elevenlabs;
    cfg.api_key = Some(Secret::new("k"));
    cfg.base_url = url;
    ElevenLabsClient::new(&cfg).unwrap()
}

fn recipient(phone: &str, vars: Value) -> OutboundCallRecipient {
    OutboundCallRecipient {
        phone_number: Some(phone.into()),
        conversation_initiation_client_data: Some(ConversationInitiationClientData {
            dynamic_variables: serde_json::from_value(vars).unwrap(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_simulator_fails_a_call_lacking_a_tool_variable() {
    let h = callboard::sim::start(
        callboard::sim::SimOptions {
            speed: 2000.0,
            pickup_rate: 1.0,
            voicemail_rate: 0.0,
            ..Default::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let c = client(h.url());
    let agent_id = h.first_agent_id();
    c.update_agent(&agent_id, &tool_patch()).await.unwrap();
    let agent = c.get_agent(&agent_id).await.unwrap();
    assert_eq!(
        agent.tool_placeholders().into_iter().collect::<Vec<_>>(),
        ["sede", "token_cliente"]
    );
    assert!(agent.placeholders().contains("sede") && agent.placeholders().contains("name"));
    let base = json!({"name": "Ana", "especialidad": "Pediatría", "ciudad": "Cali"});
    let mut full = base.clone();
    full["sede"] = json!("norte");
    full["token_cliente"] = json!("t-1");
    let req = SubmitBatchRequest {
        call_name: "herramientas".into(),
        agent_id,
        agent_phone_number_id: Some(h.phone_number_ids()[0].clone()),
        recipients: vec![
            recipient("+573001000001", full),
            recipient("+573001000002", base),
        ],
        ..Default::default()
    };
    let id = c.submit_batch(&req).await.unwrap().id;
    let deadline = Instant::now() + Duration::from_secs(30);
    let d = loop {
        let b = c.get_batch(&id).await.unwrap();
        if b.batch.status.is_final() {
            break b;
        }
        assert!(Instant::now() < deadline, "batch never finished");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(d.recipients[0].status, RecipientStatus::Completed);
    assert_eq!(d.recipients[1].status, RecipientStatus::Failed);
    let conv = c
        .get_conversation(d.recipients[1].conversation_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(
        conv.metadata.error.unwrap().reason.unwrap(),
        "Missing required dynamic variables in tools: {'sede', 'token_cliente'}"
    );
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_variables_are_required_by_the_preflight_and_prepare_agent() {
    let sim = sim(600.0, 11).await;
    client(sim.url())
        .update_agent(&sim.first_agent_id(), &tool_patch())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), false, true).await;
    let token = svc.demo_token.as_ref().unwrap().expose().to_string();
    let api = Api::new(svc.url(), Some(&token));
    let phone = phone_id(&api).await;
    let body = json!({"userId": 19, "agentPhoneNumberId": phone});

    // The dry run counts the tool's variables: nobody in the group has them.
    let dry = api
        .post("/api/groups/55/call?dryRun=true", body.clone())
        .await;
    assert_eq!(dry.status, 200, "{:?}", dry.body);
    let d = &dry.body["data"];
    assert_eq!(
        d["agentVariables"],
        json!(["ciudad", "especialidad", "name", "sede", "token_cliente"])
    );
    assert_eq!(d["recipients"], json!([]));
    let incomplete = d["incomplete"].as_array().unwrap();
    assert!(!incomplete.is_empty());
    assert!(
        incomplete
            .iter()
            .all(|r| r["missing"] == json!(["sede", "token_cliente"])),
        "{incomplete:?}"
    );

    // The start is refused before anything is submitted.
    let before = sim.request_count(SUBMIT_ENDPOINT);
    let start = api.post("/api/groups/55/call", body.clone()).await;
    assert_error(&start, 422, "missing_variables");
    assert!(
        start.body["message"]
            .as_str()
            .unwrap()
            .contains("sede, token_cliente"),
        "{:?}",
        start.body
    );
    assert_eq!(sim.request_count(SUBMIT_ENDPOINT), before);

    // Prepare-agent reports them, and its PATCH keeps the tool.
    let prep = api
        .post("/api/groups/55/prepare-agent", json!({"userId": 19}))
        .await;
    assert_eq!(prep.status, 200, "{:?}", prep.body);
    assert_eq!(
        prep.body["data"]["missingVariables"],
        json!(["sede", "token_cliente"])
    );
    let agent = client(sim.url())
        .get_agent(&sim.first_agent_id())
        .await
        .unwrap();
    assert_eq!(agent.tool_placeholders().len(), 2, "the tool survived");
    svc.shutdown().await;
    sim.shutdown().await;
}
