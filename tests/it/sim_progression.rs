//! The simulator's progression: lifecycle order, concurrency, scheduling, cancel, retry,
//! missing variables, conversations, and determinism per seed.

use callboard::config::Config;
use callboard::domain::{BatchStatus, RecipientStatus};
use callboard::elevenlabs::*;
use callboard::secret::Secret;
use callboard::sim::{self, SimHandle, SimOptions};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

async fn start(opts: SimOptions) -> SimHandle {
    sim::start(opts, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn client(h: &SimHandle) -> ElevenLabsClient {
    let mut cfg = Config::defaults().elevenlabs;
    cfg.api_key = Some(Secret::new("k"));
    cfg.base_url = h.url();
    ElevenLabsClient::new(&cfg).unwrap()
}

fn recipient(phone: String, vars: serde_json::Value) -> OutboundCallRecipient {
    OutboundCallRecipient {
        phone_number: Some(phone),
        conversation_initiation_client_data: Some(ConversationInitiationClientData {
            dynamic_variables: serde_json::from_value(vars).unwrap(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn medicos(n: usize) -> Vec<OutboundCallRecipient> {
    (0..n)
        .map(|i| recipient(format!("+5730022{i:05}"), json!({ "name": format!("Dra. {i}"), "especialidad": "Pediatría", "ciudad": "Cali" })))
        .collect()
}

fn submit_req(
    h: &SimHandle,
    name: &str,
    recipients: Vec<OutboundCallRecipient>,
) -> SubmitBatchRequest {
    SubmitBatchRequest {
        call_name: name.into(),
        agent_id: h.first_agent_id(),
        agent_phone_number_id: Some(h.phone_number_ids()[0].clone()),
        recipients,
        ..Default::default()
    }
}

async fn wait_final(c: &ElevenLabsClient, id: &str) -> BatchCallDetailedResponse {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let b = c.get_batch(id).await.unwrap();
        if b.batch.status.is_final() && b.recipients.iter().all(|r| r.status.is_final()) {
            return b;
        }
        assert!(
            Instant::now() < deadline,
            "never finished: {:?}",
            b.batch.status
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn rank(s: &RecipientStatus) -> usize {
    RecipientStatus::KNOWN
        .iter()
        .position(|k| k == s)
        .unwrap_or(usize::MAX)
}

#[tokio::test]
async fn recipients_follow_the_lifecycle_within_the_concurrency_limit() {
    let h = start(SimOptions {
        seed: 3,
        speed: 400.0,
        ..Default::default()
    })
    .await;
    let c = client(&h);
    let req = SubmitBatchRequest {
        target_concurrency_limit: Some(3),
        ..submit_req(&h, "orden", medicos(12))
    };
    let b = c.submit_batch(&req).await.unwrap();
    assert_eq!(b.status, BatchStatus::Pending);
    let mut seen: HashMap<String, Vec<RecipientStatus>> = HashMap::new();
    let mut max_live = 0;
    let deadline = Instant::now() + Duration::from_secs(30);
    let last = loop {
        let d = c.get_batch(&b.id).await.unwrap();
        let live = d
            .recipients
            .iter()
            .filter(|r| {
                matches!(
                    r.status,
                    RecipientStatus::Dispatched
                        | RecipientStatus::Initiated
                        | RecipientStatus::InProgress
                )
            })
            .count();
        max_live = max_live.max(live);
        assert!(live <= 3, "{live} live calls with a limit of 3");
        for r in &d.recipients {
            let v = seen.entry(r.id.clone()).or_default();
            if v.last() != Some(&r.status) {
                v.push(r.status.clone());
            }
            // A conversation id exists exactly from the moment the call is placed.
            let placed = rank(&r.status) >= rank(&RecipientStatus::Initiated);
            assert_eq!(r.conversation_id.is_some(), placed, "{:?}", r.status);
        }
        let finished = d.recipients.iter().filter(|r| r.status.is_final()).count() as u64;
        assert_eq!(d.batch.total_calls_finished, finished);
        if d.batch.status == BatchStatus::Completed {
            break d;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert!(max_live >= 1);
    for (id, statuses) in &seen {
        let ranks: Vec<usize> = statuses.iter().map(rank).collect();
        let mut sorted = ranks.clone();
        sorted.sort();
        assert_eq!(ranks, sorted, "{id} went backwards: {statuses:?}");
        assert!(statuses.last().unwrap().is_final());
    }
    assert_eq!(last.batch.total_calls_dispatched, 12);
    assert_eq!(last.batch.total_calls_finished, 12);
    assert!(last.batch.last_updated_at_unix >= last.batch.created_at_unix);
    h.shutdown().await;
}

#[tokio::test]
async fn a_missing_variable_fails_the_call_and_names_the_variable() {
    let h = start(SimOptions {
        speed: 2000.0,
        pickup_rate: 1.0,
        voicemail_rate: 0.0,
        ..Default::default()
    })
    .await;
    let c = client(&h);
    let ventas = h.agent_ids()[1].clone();
    let agent = c.get_agent(&ventas).await.unwrap();
    assert!(agent.placeholders().contains("empresa") && agent.placeholders().contains("cargo"));
    let req = SubmitBatchRequest {
        agent_id: ventas,
        ..submit_req(
            &h,
            "ventas",
            vec![
                recipient(
                    "+573001000001".into(),
                    json!({ "name": "Ana", "empresa": "Acme", "cargo": "Gerente" }),
                ),
                recipient(
                    "+573001000002".into(),
                    json!({ "name": "Luis", "empresa": "Acme" }),
                ),
            ],
        )
    };
    let id = c.submit_batch(&req).await.unwrap().id;
    let d = wait_final(&c, &id).await;
    assert_eq!(d.recipients[0].status, RecipientStatus::Completed);
    assert_eq!(d.recipients[1].status, RecipientStatus::Failed);
    let conv = c
        .get_conversation(d.recipients[1].conversation_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(conv.status, ConversationStatus::Failed);
    assert!(
        conv.metadata.termination_reason.contains("'cargo'"),
        "{}",
        conv.metadata.termination_reason
    );
    let reason = conv.metadata.error.unwrap().reason.unwrap();
    assert!(
        reason.starts_with("Missing required dynamic variables") && reason.contains("cargo"),
        "{reason}"
    );
    assert!(conv.transcript.is_empty());
    h.shutdown().await;
}

#[tokio::test]
async fn scheduled_batches_wait_then_run() {
    let h = start(SimOptions {
        speed: 1000.0,
        ..Default::default()
    })
    .await;
    let c = client(&h);
    let at = h.now_unix() + 300; // 0.3 s of real time
    let req = SubmitBatchRequest {
        scheduled_time_unix: Some(at),
        ..submit_req(&h, "programado", medicos(2))
    };
    let b = c.submit_batch(&req).await.unwrap();
    assert_eq!(b.scheduled_time_unix, at);
    let d = c.get_batch(&b.id).await.unwrap();
    assert_eq!(d.batch.status, BatchStatus::Pending);
    assert!(
        d.recipients
            .iter()
            .all(|r| r.status == RecipientStatus::Pending)
    );
    let d = wait_final(&c, &b.id).await;
    assert_eq!(d.batch.status, BatchStatus::Completed);
    h.shutdown().await;
}

#[tokio::test]
async fn cancel_stops_what_has_not_started_and_lets_live_calls_finish() {
    let h = start(SimOptions {
        speed: 60.0,
        ..Default::default()
    })
    .await;
    let c = client(&h);
    let req = SubmitBatchRequest {
        target_concurrency_limit: Some(2),
        ..submit_req(&h, "cancelar", medicos(10))
    };
    let id = c.submit_batch(&req).await.unwrap().id;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = c.get_batch(&id).await.unwrap();
    let cancelled = c.cancel_batch(&id).await.unwrap();
    assert_eq!(cancelled.status, BatchStatus::Cancelled);
    let after = c.get_batch(&id).await.unwrap();
    // Nothing waits to be dialled any more; calls that were ringing or talking go on.
    assert!(
        after.recipients.iter().all(|r| !matches!(
            r.status,
            RecipientStatus::Pending | RecipientStatus::Dispatched
        )),
        "every call not yet placed is cancelled"
    );
    let started_before = before
        .recipients
        .iter()
        .filter(|r| {
            !matches!(
                r.status,
                RecipientStatus::Pending | RecipientStatus::Dispatched
            )
        })
        .count();
    let not_cancelled = after
        .recipients
        .iter()
        .filter(|r| r.status != RecipientStatus::Cancelled)
        .count();
    // Between the two reads at most one more call per slot can have started.
    assert!(
        not_cancelled <= started_before + 2,
        "{not_cancelled} calls went on, {started_before} had started"
    );
    assert!(not_cancelled < 10, "the cancel stopped something");
    for (b, a) in before.recipients.iter().zip(&after.recipients) {
        if b.status == RecipientStatus::InProgress || b.status == RecipientStatus::Initiated {
            assert_ne!(
                a.status,
                RecipientStatus::Cancelled,
                "a live call is not cut"
            );
        }
    }
    assert_eq!(c.cancel_batch(&id).await.unwrap_err().status(), Some(409));
    assert_eq!(
        c.retry_batch(&id).await.unwrap_err().status(),
        Some(409),
        "a cancelled batch is not retried"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn retry_redials_failed_and_voicemail_recipients() {
    let h = start(SimOptions {
        speed: 3000.0,
        pickup_rate: 0.0,
        voicemail_rate: 0.5,
        ..Default::default()
    })
    .await;
    let c = client(&h);
    let id = c
        .submit_batch(&submit_req(&h, "reintento", medicos(8)))
        .await
        .unwrap()
        .id;
    assert_eq!(
        c.retry_batch(&id).await.unwrap_err().status(),
        Some(409),
        "not finished yet"
    );
    let first = wait_final(&c, &id).await;
    assert!(first.recipients.iter().all(|r| matches!(
        r.status,
        RecipientStatus::Failed | RecipientStatus::Voicemail
    )));
    let retried = c.retry_batch(&id).await.unwrap();
    assert_eq!(retried.retry_count, 1);
    assert!(matches!(
        retried.status,
        BatchStatus::InProgress | BatchStatus::Pending
    ));
    let now = c.get_batch(&id).await.unwrap();
    assert!(
        now.recipients.iter().all(|r| !r.status.is_final()),
        "all re-queued"
    );
    let second = wait_final(&c, &id).await;
    assert_eq!(second.batch.retry_count, 1);
    for (a, b) in first.recipients.iter().zip(&second.recipients) {
        assert_eq!(a.id, b.id, "recipients keep their id");
        assert_ne!(
            a.conversation_id, b.conversation_id,
            "a new call is a new conversation"
        );
        assert!(
            c.get_conversation(a.conversation_id.as_deref().unwrap())
                .await
                .is_ok()
        );
    }
    h.shutdown().await;
}

async fn outcomes(seed: u64, speed: f64) -> BTreeMap<String, (RecipientStatus, i64)> {
    let h = start(SimOptions {
        seed,
        speed,
        ..Default::default()
    })
    .await;
    let c = client(&h);
    let id = c
        .submit_batch(&submit_req(&h, "determinismo", medicos(30)))
        .await
        .unwrap()
        .id;
    let d = wait_final(&c, &id).await;
    let mut out = BTreeMap::new();
    for r in &d.recipients {
        let conv = c
            .get_conversation(r.conversation_id.as_deref().unwrap())
            .await
            .unwrap();
        out.insert(
            r.phone_number.clone().unwrap(),
            (r.status.clone(), conv.metadata.call_duration_secs),
        );
    }
    h.shutdown().await;
    out
}

#[tokio::test]
async fn same_seed_same_outcomes() {
    let a = outcomes(42, 3000.0).await;
    let b = outcomes(42, 3000.0).await;
    assert_eq!(a, b);
    let kinds: std::collections::BTreeSet<_> = a.values().map(|(s, _)| s.clone()).collect();
    assert!(kinds.len() >= 2, "a mix of outcomes: {kinds:?}");
    let other = outcomes(43, 3000.0).await;
    assert_ne!(a, other, "another seed, another mix");
}
