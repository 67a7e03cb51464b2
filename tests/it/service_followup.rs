//! Continuations, against the real simulator and service on loopback: automatic retry
//! rounds, a batch stopped at the calling window's close and resubmitted for the next
//! opening, and a supervisor's "resume" of a cancelled batch. Each dials a person at most
//! once per round: the tests count the submits the simulator received.

use crate::support::service::*;
use callboard::domain::rules::RulePack;
use callboard::monitor::Clock;
use callboard::service::ServeOptions;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// Polls the status route until `done` holds (or fails after a minute, saying why).
async fn wait_status(api: &Api, batch: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = api.get(&format!("/api/batch-calls/{batch}/status")).await;
        assert_eq!(s.status, 200, "{:?}", s.body);
        if done(&s.body["data"]) {
            return s.body["data"].clone();
        }
        assert!(
            Instant::now() < deadline,
            "{what}: never happened; last {:?}",
            s.body["data"]["counts"]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn phones(view: &Value, keep: impl Fn(&Value) -> bool) -> HashSet<String> {
    view["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| keep(r))
        .map(|r| r["phone_number"].as_str().unwrap().to_string())
        .collect()
}

fn is_final(v: &Value) -> bool {
    matches!(
        v["status"].as_str(),
        Some("completed" | "partially_completed" | "failed" | "cancelled")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automatic_retry_redials_only_the_failed_and_stops_at_max_attempts() {
    // Nobody answers: every call fails, in every round.
    let sim = sim_with(9, 0.0, 0.0, 10, 120.0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), Some(&sim.url()));
    cfg.campaign.breaker = None;
    let svc = serve(cfg, false, true).await;
    let token = svc.demo_token.as_ref().unwrap().expose().to_string();
    let api = Api::new(svc.url(), Some(&token));
    let admin = api.with_token(Some(ADMIN));
    let phone = phone_id(&api).await;
    let gid = group(&api, "Reintentos", 6, 6_000_000).await;

    // A policy that retries voicemail only is refused for `completed`.
    let bad = api
        .post(
            &format!("/api/groups/{gid}/call"),
            json!({"userId": 19, "agentPhoneNumberId": phone,
                   "retryPolicy": {"outcomes": ["completed"], "maxAttempts": 2, "spacingSecs": 0}}),
        )
        .await;
    assert_error(&bad, 422, "invalid_retry_policy");
    let policy = json!({"outcomes": ["failed"], "maxAttempts": 2, "spacingSecs": 0});
    let dry = api
        .post(
            &format!("/api/groups/{gid}/call/preflight"),
            json!({"userId": 19, "agentPhoneNumberId": phone, "retryPolicy": policy}),
        )
        .await;
    assert_eq!(
        dry.body["data"]["retryPolicy"]["maxAttempts"], 2,
        "{:?}",
        dry.body
    );

    let start = api
        .post(
            &format!("/api/groups/{gid}/call"),
            json!({"userId": 19, "agentPhoneNumberId": phone, "retryPolicy": policy}),
        )
        .await;
    assert_eq!(start.status, 200, "{:?}", start.body);
    let first = start.body["data"]["batchId"].as_str().unwrap().to_string();

    let a = wait_status(&api, &first, "continuation of the first batch", |v| {
        is_final(v) && v["continued_by"].is_string()
    })
    .await;
    assert_eq!(a["counts"]["failed"], 6, "{:?}", a["counts"]);
    assert_eq!(a["auto_retry"]["max_attempts"], 2);
    assert_eq!(a["auto_retry"]["rounds"], 0);
    assert!(
        a["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["attempts"] == 1)
    );
    let second = a["continued_by"].as_str().unwrap().to_string();

    let b = wait_status(&api, &second, "end of the retry round", is_final).await;
    assert_eq!(b["continues"], first.as_str());
    assert_eq!(b["auto_retry"]["rounds"], 1);
    assert_eq!(
        phones(&b, |_| true),
        phones(&a, |_| true),
        "the same six people"
    );
    assert!(
        b["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["attempts"] == 2),
        "{:?}",
        b["recipients"]
    );

    // Two attempts each: no third round. Give the poller time to decide, then check.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let b = api
        .get(&format!("/api/batch-calls/{second}/status"))
        .await
        .body["data"]
        .clone();
    assert!(b["continued_by"].is_null(), "{b:?}");
    assert_eq!(
        sim.request_count(SUBMIT_ENDPOINT),
        2,
        "one submit per round"
    );

    // The first batch's people already continue elsewhere: a manual retry would dial
    // them twice, so it is refused and points to the round that has them.
    let retry = api
        .post_empty(&format!("/api/batch-calls/{first}/retry"))
        .await;
    assert_error(&retry, 409, "batch_continued");
    assert_eq!(retry.body["details"]["batchId"], second.as_str());

    let list = api.get("/api/batch-calls").await;
    let item = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["batch_id"] == first.as_str())
        .cloned()
        .unwrap();
    assert_eq!(item["continued_by"], second.as_str());
    let audit = admin.get(&format!("/api/audit?target={second}")).await;
    let entry = audit.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "batch.auto_retry")
        .cloned()
        .unwrap_or_else(|| panic!("{:?}", audit.body));
    assert_eq!(entry["actor"], "system");
    assert_eq!(entry["details"]["from"], first.as_str());
    assert_eq!(entry["details"]["recipients"], 6);
    svc.shutdown().await;
    sim.shutdown().await;
}

/// Bogotá local time on Wednesday 25 November 2026 (a working day).
fn bogota(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    chrono_tz::America::Bogota
        .with_ymd_and_hms(2026, 11, day, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_running_at_the_window_close_is_stopped_and_resumed_at_the_next_opening() {
    // One line, slow calls: most recipients are still queued when the window closes.
    let sim = sim_with(9, 1.0, 0.0, 1, 30.0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), Some(&sim.url()));
    cfg.campaign.rules = Some(RulePack::colombia());
    cfg.campaign.breaker = None;
    let fake_now = Arc::new(AtomicI64::new(bogota(25, 18, 50).timestamp()));
    let read = fake_now.clone();
    let clock =
        Clock::from_fn(move || DateTime::from_timestamp(read.load(Ordering::SeqCst), 0).unwrap());
    let svc = callboard::service::start(
        cfg.service_options(),
        ServeOptions {
            addr: Some("127.0.0.1:0".parse().unwrap()),
            no_auth: false,
            demo_data: true,
            clock: Some(clock),
        },
    )
    .await
    .unwrap();
    let token = svc.demo_token.as_ref().unwrap().expose().to_string();
    let api = Api::new(svc.url(), Some(&token));
    let admin = api.with_token(Some(ADMIN));
    let phone = phone_id(&api).await;
    let gid = group(&api, "Cierre", 8, 7_000_000).await;

    let start = api
        .post(
            &format!("/api/groups/{gid}/call"),
            json!({"userId": 19, "agentPhoneNumberId": phone}),
        )
        .await;
    assert_eq!(start.status, 200, "{:?}", start.body);
    assert!(
        start.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Llamadas iniciadas"),
        "18:50 is inside the window: dial now; {:?}",
        start.body["message"]
    );
    let first = start.body["data"]["batchId"].as_str().unwrap().to_string();
    wait_status(&api, &first, "a first call", |v| {
        v["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| !matches!(r["status"].as_str(), Some("pending")))
    })
    .await;

    // 19:01: the window is closed. The poller stops the batch at its next poll.
    fake_now.store(bogota(25, 19, 1).timestamp(), Ordering::SeqCst);
    let a = wait_status(&api, &first, "stop and planned continuation", |v| {
        is_final(v) && v["planned"]["due_unix"].is_i64()
    })
    .await;
    assert_eq!(a["status"], "cancelled");
    assert_eq!(a["stop_reason"]["code"], "window_closed");
    assert!(
        a["stop_reason"]["pending"].is_null(),
        "the stop is confirmed: {:?}",
        a["stop_reason"]
    );
    assert!(
        a["stop_reason"]["message"]
            .as_str()
            .unwrap()
            .contains("26/11/2026 a las 07:00"),
        "{:?}",
        a["stop_reason"]
    );
    // The round waits in the journal for Thursday's opening, not at ElevenLabs.
    assert_eq!(
        a["planned"]["due_unix"].as_i64(),
        Some(bogota(26, 7, 0).timestamp()),
        "Thursday's opening"
    );
    assert!(a["continued_by"].is_null(), "{:?}", a["continued_by"]);
    assert_eq!(sim.request_count(SUBMIT_ENDPOINT), 1);
    let dialled = phones(&a, |r| r["conversation_id"].is_string());
    let undialled = phones(&a, |r| r["conversation_id"].is_null());
    assert!(
        !dialled.is_empty() && !undialled.is_empty(),
        "{:?}",
        a["counts"]
    );
    assert_eq!(
        a["planned"]["recipients"].as_u64(),
        Some(undialled.len() as u64)
    );

    // Thursday 07:00: the sweeper submits the round, to dial at once.
    fake_now.store(bogota(26, 7, 0).timestamp() + 5, Ordering::SeqCst);
    let a = wait_status(&api, &first, "the planned round submitted", |v| {
        v["continued_by"].is_string()
    })
    .await;
    assert!(a["planned"].is_null(), "{:?}", a["planned"]);
    let second = a["continued_by"].as_str().unwrap().to_string();
    let b = api
        .get(&format!("/api/batch-calls/{second}/status"))
        .await
        .body["data"]
        .clone();
    assert_eq!(b["continues"], first.as_str());
    assert_eq!(
        phones(&b, |_| true),
        undialled,
        "exactly the undialled, nobody twice"
    );
    // Dialled at once (the clock says Thursday 07:00): at most this round's call each.
    assert!(
        b["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["attempts"].as_u64() <= Some(1)),
        "nobody in it was called before this round: {:?}",
        b["recipients"]
    );
    assert_eq!(sim.request_count(SUBMIT_ENDPOINT), 2);

    let audit = admin.get("/api/audit").await;
    let actions: Vec<&str> = audit.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"batch.window_closed"), "{actions:?}");
    assert!(actions.contains(&"batch.resume"), "{actions:?}");
    // The list says why the first batch stopped.
    let list = api.get("/api/batch-calls").await;
    let item = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["batch_id"] == first.as_str())
        .cloned()
        .unwrap();
    assert_eq!(item["stop_reason"]["code"], "window_closed");
    svc.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_batch_resumes_its_undialled_recipients_once() {
    let sim = sim_with(9, 0.7, 0.1, 1, 20.0).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), false, true).await;
    let token = svc.demo_token.as_ref().unwrap().expose().to_string();
    let api = Api::new(svc.url(), Some(&token));
    let phone = phone_id(&api).await;
    let gid = group(&api, "Pausa", 6, 8_000_000).await;
    let start = api
        .post(
            &format!("/api/groups/{gid}/call"),
            json!({"userId": 19, "agentPhoneNumberId": phone}),
        )
        .await;
    let first = start.body["data"]["batchId"].as_str().unwrap().to_string();

    let early = api
        .post_empty(&format!("/api/batch-calls/{first}/resume"))
        .await;
    assert_error(&early, 409, "batch_in_progress");
    let c = api
        .post_empty(&format!("/api/batch-calls/{first}/cancel"))
        .await;
    assert_eq!(c.status, 200, "{:?}", c.body);
    let a = wait_status(&api, &first, "cancelled", is_final).await;
    let undialled = phones(&a, |r| r["conversation_id"].is_null());
    assert!(undialled.len() >= 2, "{:?}", a["counts"]);

    // One of them asked not to be called meanwhile: the resumed batch leaves them out.
    let gone = undialled.iter().next().unwrap().clone();
    let o = api
        .post(
            "/api/optouts",
            json!({"phone": gone, "reason": "pidió no ser llamado"}),
        )
        .await;
    assert_eq!(o.status, 200, "{:?}", o.body);
    let mut expected = undialled.clone();
    expected.remove(&gone);

    let r = api
        .post_empty(&format!("/api/batch-calls/{first}/resume"))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["data"]["recipients_count"], expected.len());
    let second = r.body["data"]["new_batch_id"].as_str().unwrap().to_string();
    let b = api
        .get(&format!("/api/batch-calls/{second}/status"))
        .await
        .body["data"]
        .clone();
    assert_eq!(
        phones(&b, |_| true),
        expected,
        "exactly the undialled, without the opted-out number"
    );
    assert_eq!(b["continues"], first.as_str());

    // Twice is refused: those people are already in the second batch.
    let again = api
        .post_empty(&format!("/api/batch-calls/{first}/resume"))
        .await;
    assert_error(&again, 409, "batch_continued");
    assert_eq!(sim.request_count(SUBMIT_ENDPOINT), 2);
    // Unknown batches are a clear 404.
    assert_error(
        &api.post_empty("/api/batch-calls/btcal_nope/resume").await,
        404,
        "batch_not_found",
    );
    svc.shutdown().await;
    sim.shutdown().await;
}

/// The service stopped after submitting an automatic retry round but before linking it:
/// on start it finds that round by the name its marker kept, links it, and submits
/// nothing. Dialling those people again would be the double dial this must never make.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continuation_submitted_before_a_crash_is_found_not_submitted_again() {
    crash_after_submit(false).await;
}

/// The same, when the round's own record had been saved too (only the first batch's link
/// was lost): the store, not the upstream list, says where those people went.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continuation_saved_before_a_crash_is_linked_not_submitted_again() {
    crash_after_submit(true).await;
}

async fn crash_after_submit(round_record_saved: bool) {
    use callboard::domain::policy::RetryPolicy;
    use callboard::domain::{
        BatchRecord, BatchStatus, FollowUpKind, PendingFollowUp, SubmittedRecipient, Variables,
    };
    let sim = sim_with(9, 0.0, 0.0, 10, 600.0).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), Some(&sim.url()));
    let client = callboard::elevenlabs::ElevenLabsClient::new(&cfg.elevenlabs).unwrap();
    let agent = sim.first_agent_id();
    let phone = sim.phone_number_ids()[0].clone();
    let tz = chrono_tz::America::Bogota;
    let recipients: Vec<SubmittedRecipient> = (0..4u64)
        .map(|i| {
            let mut variables = Variables::new();
            variables.insert("name".into(), format!("C{i}"));
            SubmittedRecipient {
                client_id: i + 1,
                name: format!("C{i}"),
                phone_number: format!("+57300900000{i}"),
                variables,
                prior_attempts: 0,
            }
        })
        .collect();
    let base = "Llamada Caída - 25/11/2026";
    let first = client
        .submit_batch(&callboard::journal::submit_request(
            &recipients,
            base.into(),
            &agent,
            &phone,
            None,
            tz,
        ))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !client
        .get_batch(&first.id)
        .await
        .unwrap()
        .batch
        .status
        .is_final()
    {
        assert!(Instant::now() < deadline, "the first batch never ended");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The round the crashed service had submitted: everyone failed, one attempt each.
    let again: Vec<SubmittedRecipient> = recipients
        .iter()
        .map(|r| SubmittedRecipient {
            prior_attempts: 1,
            ..r.clone()
        })
        .collect();
    let round_name = format!("{base} · reintento 1");
    let round = client
        .submit_batch(&callboard::journal::submit_request(
            &again,
            round_name.clone(),
            &agent,
            &phone,
            None,
            tz,
        ))
        .await
        .unwrap();
    {
        let store = callboard::store::Store::open(dir.path()).unwrap();
        store
            .put_batch(&BatchRecord {
                batch_id: first.id.clone(),
                group_id: 55,
                group_name: "Caída".into(),
                user_id: 19,
                agent_id: agent.clone(),
                phone_number_id: phone.clone(),
                call_name: base.into(),
                created_at: Utc::now(),
                recipients: recipients.clone(),
                last_status: Some(BatchStatus::PartiallyCompleted),
                retry_policy: Some(RetryPolicy {
                    max_attempts: 2,
                    spacing_secs: 0,
                    ..RetryPolicy::default()
                }),
                pending_follow_up: Some(PendingFollowUp {
                    kind: FollowUpKind::Retry,
                    call_name: round_name.clone(),
                    since_unix: Utc::now().timestamp() - 120,
                    // Written before the journal existed: no intent behind it.
                    intent_id: None,
                    due_unix: None,
                    recipients: 4,
                }),
                ..Default::default()
            })
            .await
            .unwrap();
        if round_record_saved {
            store
                .put_batch(&BatchRecord {
                    batch_id: round.id.clone(),
                    group_id: 55,
                    group_name: "Caída".into(),
                    user_id: 19,
                    agent_id: agent.clone(),
                    phone_number_id: phone.clone(),
                    call_name: format!("{base} · reintento 1"),
                    created_at: Utc::now(),
                    recipients: again.clone(),
                    last_status: Some(BatchStatus::Pending),
                    continues: Some(first.id.clone()),
                    follow_up_kind: Some(FollowUpKind::Retry),
                    retry_round: 1,
                    retry_policy: Some(RetryPolicy {
                        max_attempts: 2,
                        spacing_secs: 0,
                        ..RetryPolicy::default()
                    }),
                    ..Default::default()
                })
                .await
                .unwrap();
        }
        // Someone opted out meanwhile: the round's people differ from what was
        // submitted, and it must still be recognised (by its unique name).
        store
            .add_optouts(&[callboard::store::optouts::OptOut {
                phone_number: recipients[0].phone_number.clone(),
                reason: "pidió no ser llamado".into(),
                source: "test".into(),
                added_at: Utc::now(),
            }])
            .await
            .unwrap();
    }
    let submits = sim.request_count(SUBMIT_ENDPOINT);
    let svc = serve(cfg, false, false).await;
    let admin = Api::new(svc.url(), Some(ADMIN));
    let a = wait_status(&admin, &first.id, "the round found and linked", |v| {
        v["continued_by"].is_string()
    })
    .await;
    assert_eq!(
        a["continued_by"],
        round.id.as_str(),
        "linked to the round that exists"
    );
    assert_eq!(
        sim.request_count(SUBMIT_ENDPOINT),
        submits,
        "nothing submitted again"
    );
    let b = admin
        .get(&format!("/api/batch-calls/{}/status", round.id))
        .await;
    assert_eq!(b.body["data"]["continues"], first.id.as_str());
    assert_eq!(b.body["data"]["auto_retry"]["rounds"], 1);
    svc.shutdown().await;
    sim.shutdown().await;
}
