//! The client against the simulator over real HTTP on loopback: every endpoint,
//! pagination, 401, each fault kind with the expected number of upstream calls, and never a
//! duplicate batch however a submit fails.

use callboard::config::Config;
use callboard::domain::{BatchStatus, RecipientStatus};
use callboard::elevenlabs::*;
use callboard::secret::Secret;
use callboard::sim::{self, FaultConfig, SimHandle, SimOptions};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use std::time::{Duration, Instant};

const SUBMIT: &str = "POST /v1/convai/batch-calling/submit";
const GET_BATCH: &str = "GET /v1/convai/batch-calling/{batch_id}";
const LIST: &str = "GET /v1/convai/batch-calling/workspace";

async fn start(opts: SimOptions) -> SimHandle {
    sim::start(opts, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn fast() -> SimOptions {
    SimOptions {
        seed: 11,
        speed: 2000.0,
        api_key: Some("test-key".into()),
        ..SimOptions::default()
    }
}

fn client_with_key(h: &SimHandle, key: &str) -> ElevenLabsClient {
    let mut cfg = Config::defaults().elevenlabs;
    cfg.api_key = Some(Secret::new(key));
    cfg.base_url = h.url();
    ElevenLabsClient::new(&cfg)
        .unwrap()
        .with_retry_policy(RetryPolicy {
            max_retries: 3,
            base: Duration::from_millis(5),
            cap: Duration::from_millis(300),
            ..RetryPolicy::default()
        })
}

fn client(h: &SimHandle) -> ElevenLabsClient {
    client_with_key(h, "test-key")
}

fn medico(i: usize) -> OutboundCallRecipient {
    let vars = json!({ "name": format!("Dr. Prueba {i}"), "especialidad": "Cardiología", "ciudad": "Barranquilla" });
    OutboundCallRecipient {
        phone_number: Some(format!("+5730011{i:05}")),
        conversation_initiation_client_data: Some(ConversationInitiationClientData {
            dynamic_variables: serde_json::from_value(vars).unwrap(),
            user_id: Some(format!("client-{i}")),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn request(h: &SimHandle, name: &str, n: usize) -> SubmitBatchRequest {
    SubmitBatchRequest {
        call_name: name.into(),
        agent_id: h.first_agent_id(),
        agent_phone_number_id: Some(h.phone_number_ids()[0].clone()),
        recipients: (0..n).map(medico).collect(),
        timezone: Some("America/Bogota".into()),
        ..Default::default()
    }
}

async fn wait_final(c: &ElevenLabsClient, id: &str) -> BatchCallDetailedResponse {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let b = c.get_batch(id).await.unwrap();
        if b.batch.status.is_final() {
            return b;
        }
        assert!(
            Instant::now() < deadline,
            "batch {id} never finished: {:?}",
            b.batch.status
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn every_endpoint_round_trips() {
    let h = start(fast()).await;
    let c = client(&h);

    let phones = c.list_phone_numbers().await.unwrap();
    assert_eq!(phones.len(), 2);
    assert_eq!(phones[0].provider, TelephonyProvider::Twilio);
    assert_eq!(phones[1].provider, TelephonyProvider::SipTrunk);

    let agents = c.list_agents().await.unwrap();
    assert!(agents.len() >= 2);
    assert_eq!(agents[0].agent_id, h.first_agent_id());
    assert_eq!(agents[0].name, "Agente Médico IA-Calls");

    let agent = c.get_agent(&h.first_agent_id()).await.unwrap();
    let vars: Vec<String> = agent.placeholders().into_iter().collect();
    assert_eq!(
        vars,
        ["ciudad", "especialidad", "name"],
        "the demo group provides exactly these"
    );
    let prompt_before = agent.conversation_config.agent.prompt.prompt.clone();
    let patched = c
        .update_agent(&h.first_agent_id(), &json!({ "conversation_config": { "agent": { "first_message": "Hola {{name}}, de {{ciudad}}." } } }))
        .await
        .unwrap();
    assert_eq!(
        patched.conversation_config.agent.first_message,
        "Hola {{name}}, de {{ciudad}}."
    );
    assert_eq!(
        patched.conversation_config.agent.prompt.prompt, prompt_before,
        "deep merge keeps the prompt"
    );

    let submitted = c
        .submit_batch(&request(&h, "Llamada Médicos Test", 6))
        .await
        .unwrap();
    assert!(submitted.id.starts_with("btcal_"));
    assert_eq!(submitted.total_calls_scheduled, 6);
    assert_eq!(
        submitted.agent_name.as_deref(),
        Some("Agente Médico IA-Calls")
    );

    let done = wait_final(&c, &submitted.id).await;
    assert_eq!(done.batch.status, BatchStatus::Completed);
    assert_eq!(done.batch.total_calls_finished, 6);
    let answered = done
        .recipients
        .iter()
        .find(|r| r.status == RecipientStatus::Completed)
        .expect("with seed 11 some calls are answered");
    let conv_id = answered.conversation_id.clone().unwrap();
    // The analysis lands a few virtual seconds after the call.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let conv = c.get_conversation(&conv_id).await.unwrap();
    assert_eq!(conv.status, ConversationStatus::Done);
    let name = answered.variables()["name"].clone();
    assert!(
        conv.transcript[0]
            .message
            .as_deref()
            .unwrap()
            .contains(&name),
        "first message uses {{name}}"
    );
    assert_eq!(
        conv.metadata.batch_call.as_ref().unwrap().batch_call_id,
        submitted.id
    );
    assert_eq!(
        conv.metadata
            .batch_call
            .as_ref()
            .unwrap()
            .batch_call_recipient_id,
        answered.id
    );
    assert!(!conv.to_details().summary.unwrap_or_default().is_empty());

    let audio = c.conversation_audio(&conv_id).await.unwrap();
    assert_eq!(audio.content_type, "audio/mpeg");
    let bytes: Vec<u8> = audio
        .stream
        .try_fold(Vec::new(), |mut acc, b| async move {
            acc.extend_from_slice(&b);
            Ok(acc)
        })
        .await
        .unwrap();
    assert_eq!(&bytes[..2], &[0xFF, 0xFB], "an MPEG audio frame");
    // The client asks for audio (`Accept: audio/*`): the simulator, like a strict HTTP
    // server, refuses a request that accepts only JSON.
    let raw = reqwest::Client::new()
        .get(format!(
            "{}/v1/convai/conversations/{conv_id}/audio",
            h.url()
        ))
        .header("xi-api-key", "test-key")
        .header("accept", "application/json");
    assert_eq!(raw.send().await.unwrap().status().as_u16(), 406);

    let light = c.get_batch_status(&submitted.id).await.unwrap();
    assert_eq!(light.batch, done.batch);
    assert_eq!(light.recipients.len(), 6);
    for (l, full) in light.recipients.iter().zip(&done.recipients) {
        assert_eq!(
            (&l.id, &l.status, &l.conversation_id),
            (&full.id, &full.status, &full.conversation_id)
        );
        assert!(l.conversation_initiation_client_data.is_none());
        assert!(full.conversation_initiation_client_data.is_some());
    }

    let all: Vec<BatchCallResponse> = c.list_batches().try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, submitted.id);

    let err = c.cancel_batch(&submitted.id).await.unwrap_err();
    assert_eq!(
        err.status(),
        Some(409),
        "a finished batch cannot be cancelled"
    );

    c.delete_batch(&submitted.id).await.unwrap();
    assert!(c.get_batch(&submitted.id).await.unwrap_err().is_not_found());
    assert!(
        c.get_conversation(&conv_id).await.is_ok(),
        "conversations outlive their batch"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn workspace_list_follows_the_cursor() {
    let h = start(fast()).await;
    let c = client(&h);
    for i in 0..7 {
        c.submit_batch(&request(&h, &format!("lote {i}"), 1))
            .await
            .unwrap();
    }
    let page = c.list_batches_page(None, 3).await.unwrap();
    assert_eq!(page.batch_calls.len(), 3);
    assert!(page.has_more);
    assert_eq!(page.batch_calls[0].name, "lote 6", "newest first");
    let before = h.request_count(LIST);
    let mut names = Vec::new();
    let mut stream = Box::pin(c.list_batches());
    while let Some(b) = stream.next().await {
        names.push(b.unwrap().name);
    }
    assert_eq!(
        names,
        (0..7)
            .rev()
            .map(|i| format!("lote {i}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(h.request_count(LIST) - before, 1, "100 a page: one request");
    h.shutdown().await;
}

#[tokio::test]
async fn wrong_or_missing_key_is_401_and_never_retried() {
    let h = start(fast()).await;
    let c = client_with_key(&h, "sk_wrong_key_123");
    let err = c.get_batch("btcal_x").await.unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.code(), Some("invalid_api_key"));
    assert!(!err.to_string().contains("sk_wrong_key_123"));
    assert_eq!(h.request_count(GET_BATCH), 1);
    let err = c.submit_batch(&request(&h, "x", 1)).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(h.request_count(SUBMIT), 1);
    assert_eq!(h.batch_count(), 0);
    h.shutdown().await;
}

#[tokio::test]
async fn transient_faults_are_retried_and_client_errors_are_not() {
    let h = start(fast()).await;
    let c = client(&h);
    let id = c
        .submit_batch(&request(&h, "reintentos", 2))
        .await
        .unwrap()
        .id;
    for (kind, cfg) in [
        (
            "500",
            FaultConfig {
                error_500_rate: 1.0,
                ..Default::default()
            },
        ),
        (
            "502",
            FaultConfig {
                error_502_rate: 1.0,
                ..Default::default()
            },
        ),
        (
            "503",
            FaultConfig {
                error_503_rate: 1.0,
                ..Default::default()
            },
        ),
        (
            "429 rate",
            FaultConfig {
                rate_limit_rate: 1.0,
                ..Default::default()
            },
        ),
        (
            "429 concurrent",
            FaultConfig {
                concurrent_limit_rate: 1.0,
                ..Default::default()
            },
        ),
        (
            "429 busy",
            FaultConfig {
                system_busy_rate: 1.0,
                ..Default::default()
            },
        ),
        (
            "drop",
            FaultConfig {
                drop_rate: 1.0,
                ..Default::default()
            },
        ),
    ] {
        let before = h.request_count(GET_BATCH);
        h.set_faults(FaultConfig {
            max_faults: Some(2),
            endpoints: vec![GET_BATCH.into()],
            ..cfg.clone()
        });
        c.get_batch(&id)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(
            h.request_count(GET_BATCH) - before,
            3,
            "{kind}: two faults, then success"
        );
        // More faults than the retry budget: the error comes back, after 1 + 3 attempts.
        let before = h.request_count(GET_BATCH);
        h.set_faults(FaultConfig {
            endpoints: vec![GET_BATCH.into()],
            ..cfg
        });
        let err = c.get_batch(&id).await.unwrap_err();
        assert!(err.is_retryable(), "{kind}: {err}");
        assert_eq!(h.request_count(GET_BATCH) - before, 4, "{kind}");
    }
    h.set_faults(FaultConfig::default());
    let before = h.request_count(GET_BATCH);
    assert!(
        c.get_batch("btcal_missing")
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert_eq!(h.request_count(GET_BATCH) - before, 1, "404 is not retried");
    let bad = SubmitBatchRequest {
        agent_phone_number_id: None,
        ..request(&h, "sin número", 1)
    };
    let err = c.submit_batch(&bad).await.unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert!(err.to_string().contains("agent_phone_number_id"), "{err}");
    h.shutdown().await;
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let h = start(fast()).await;
    let c = client(&h).with_retry_policy(RetryPolicy {
        base: Duration::from_millis(1),
        cap: Duration::from_secs(5),
        ..RetryPolicy::default()
    });
    h.set_faults(FaultConfig {
        rate_limit_rate: 1.0,
        retry_after_secs: Some(1),
        max_faults: Some(1),
        ..Default::default()
    });
    let t0 = Instant::now();
    c.list_phone_numbers().await.unwrap();
    assert!(
        t0.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        t0.elapsed()
    );
    h.shutdown().await;
}

/// Two batches of one group on one day share the seed's call name. When the second's
/// submit fails before anything was created, the lookup must not take the first
/// (already ours) for it: the second must really be submitted.
#[tokio::test]
async fn the_submit_lookup_skips_batches_we_already_hold() {
    let h = start(fast()).await;
    let c = client(&h);
    let name = "Llamada Médicos - 25/11/2026";
    let first = c.submit_batch(&request(&h, name, 3)).await.unwrap();
    h.set_faults(FaultConfig {
        error_503_rate: 1.0,
        max_faults: Some(1),
        endpoints: vec![SUBMIT.to_string()],
        ..Default::default()
    });
    let known = std::collections::HashSet::from([first.id.clone()]);
    let second = c
        .submit_batch_excluding(&request(&h, name, 3), &known)
        .await
        .unwrap();
    assert_ne!(
        second.id, first.id,
        "the earlier batch was taken for the new one"
    );
    assert_eq!(h.batches_named(name), 2);
    h.shutdown().await;
}

#[tokio::test]
async fn a_failed_submit_never_makes_a_duplicate_batch() {
    let h = start(fast()).await;
    let c = client(&h);
    let only_submit = vec![SUBMIT.to_string()];
    // Faults after the batch was created: the client must find it, not submit again.
    for (kind, cfg) in [
        (
            "drop",
            FaultConfig {
                drop_rate: 1.0,
                ..Default::default()
            },
        ),
        (
            "late 502",
            FaultConfig {
                late_502_rate: 1.0,
                ..Default::default()
            },
        ),
    ] {
        let name = format!("duplicado {kind}");
        let before = h.request_count(SUBMIT);
        h.set_faults(FaultConfig {
            endpoints: only_submit.clone(),
            ..cfg
        });
        let got = c
            .submit_batch(&request(&h, &name, 3))
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(got.name, name);
        assert_eq!(
            h.request_count(SUBMIT) - before,
            1,
            "{kind}: found, not resubmitted"
        );
        assert_eq!(h.batches_named(&name), 1, "{kind}");
    }
    // A timeout: the answer comes after the client gave up.
    h.set_faults(FaultConfig {
        latency_ms: 800,
        endpoints: only_submit.clone(),
        ..Default::default()
    });
    let impatient = c.with_timeout(Duration::from_millis(300)).unwrap();
    let got = impatient
        .submit_batch(&request(&h, "duplicado timeout", 3))
        .await
        .unwrap();
    assert_eq!(got.name, "duplicado timeout");
    assert_eq!(h.batches_named("duplicado timeout"), 1);
    // Faults before anything was created: the lookup finds nothing, so it submits again.
    h.set_faults(FaultConfig {
        error_503_rate: 1.0,
        max_faults: Some(2),
        endpoints: only_submit.clone(),
        ..Default::default()
    });
    let before = h.request_count(SUBMIT);
    c.submit_batch(&request(&h, "duplicado 503", 3))
        .await
        .unwrap();
    assert_eq!(h.request_count(SUBMIT) - before, 3);
    assert_eq!(h.batches_named("duplicado 503"), 1);
    // A storm of every kind at once over many submits: never two batches of one name.
    h.set_faults(FaultConfig {
        error_500_rate: 0.1,
        error_502_rate: 0.1,
        error_503_rate: 0.1,
        rate_limit_rate: 0.1,
        drop_rate: 0.15,
        late_502_rate: 0.15,
        endpoints: only_submit,
        ..Default::default()
    });
    for i in 0..25 {
        let name = format!("tormenta {i}");
        let ok = c.submit_batch(&request(&h, &name, 2)).await.is_ok();
        let n = h.batches_named(&name);
        assert!(n <= 1, "{name}: {n} batches");
        if ok {
            assert_eq!(n, 1, "{name}: success means the batch exists");
        }
    }
    h.shutdown().await;
}

#[tokio::test]
async fn cancel_after_a_dropped_answer_reads_the_batch_back() {
    let h = start(SimOptions {
        speed: 5.0,
        ..fast()
    })
    .await;
    let c = client(&h);
    let id = c
        .submit_batch(&request(&h, "cancelar", 20))
        .await
        .unwrap()
        .id;
    let cancel = "POST /v1/convai/batch-calling/{batch_id}/cancel";
    h.set_faults(FaultConfig {
        drop_rate: 1.0,
        max_faults: Some(1),
        endpoints: vec![cancel.into()],
        ..Default::default()
    });
    let b = c.cancel_batch(&id).await.unwrap();
    assert_eq!(b.status, BatchStatus::Cancelled);
    assert_eq!(
        h.request_count(cancel),
        1,
        "verified by a GET, not cancelled twice"
    );
    h.shutdown().await;
}
