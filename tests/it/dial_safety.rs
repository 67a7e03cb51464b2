//! The promise to supervisors, tried against real `callboard serve` and `callboard sim`
//! processes with the simulator's fault injection and `kill -9`: nobody is dialled twice,
//! "stop" stops, a batch is final only when its last call ended, and an opt-out reaches
//! calls already queued.

use crate::support::process::*;
use reqwest::Method;
use serde_json::{Value, json};

fn start_body(phone: &str) -> Value {
    json!({"userId": 19, "agentPhoneNumberId": phone})
}

async fn batches_named(sim: &str, prefix: &str) -> Vec<Value> {
    upstream_batches(sim)
        .await
        .into_iter()
        .filter(|b| b["name"].as_str().unwrap_or_default().starts_with(prefix))
        .collect()
}

/// `kill -9` while the submit is in flight (the batch already exists upstream, its answer
/// has not come back): after a restart the batch is recorded and watched, and a repeat of
/// the same key answers with it instead of dialling the group again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_during_the_submit_never_dials_the_group_twice() {
    let sim = sim(&["--seed", "3", "--speed", "30"]);
    let dir = tempfile::tempdir().unwrap();
    let mut svc = serve(dir.path(), &sim.url, "");
    let gid = group(&svc.url, "Caida", 5, 1_000_000).await;
    let phone = phone_id(&svc.url).await;
    set_faults(&sim.url, json!({"latency_ms": 4000, "endpoints": [SUBMIT]})).await;

    let base = svc.url.clone();
    let body = start_body(&phone);
    let first = tokio::spawn({
        let body = body.clone();
        async move {
            call(
                &base,
                Method::POST,
                &format!("/api/groups/{gid}/call"),
                Some(body),
                Some("k-crash"),
            )
            .await
        }
    });
    until(20, "the batch exists upstream", || async {
        (!batches_named(&sim.url, "Llamada Caida").await.is_empty()).then_some(())
    })
    .await;
    svc.kill9();
    let (status, _) = first.await.unwrap();
    assert_eq!(status, 0, "the first answer was lost with the process");
    set_faults(&sim.url, json!({})).await;

    let svc = serve(dir.path(), &sim.url, "");
    let (status, again) = call(
        &svc.url,
        Method::POST,
        &format!("/api/groups/{gid}/call"),
        Some(body.clone()),
        Some("k-crash"),
    )
    .await;
    assert_eq!(status, 200, "{again:?}");
    let upstream = batches_named(&sim.url, "Llamada Caida").await;
    assert_eq!(upstream.len(), 1, "one batch for the group: {upstream:?}");
    let id = upstream[0]["id"].as_str().unwrap();
    assert_eq!(again["data"]["batchId"], id);
    assert_eq!(again["data"]["recipientsCount"], 5);

    // Recorded and watched: its status answers, and the group is busy while it runs.
    let (s, st) = get(&svc.url, &format!("/api/batch-calls/{id}/status")).await;
    assert_eq!(s, 200, "{st:?}");
    let (s, busy) = post(&svc.url, &format!("/api/groups/{gid}/call"), body).await;
    assert_eq!(s, 409, "{busy:?}");
    assert_eq!(busy["code"], "batch_active");
    assert_eq!(counters(&sim.url).await[SUBMIT], 1);
}

/// The submit and the lookup both lose their answers (late 502s): the start says the
/// outcome is unknown rather than failing or dialling again; a repeat with the key gets
/// the batch once the lookup works; another body with the same key is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_are_settled_by_lookup_never_by_a_second_submit() {
    let sim = sim(&["--seed", "4", "--speed", "30"]);
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(dir.path(), &sim.url, "");
    let gid = group(&svc.url, "Perdida", 4, 2_000_000).await;
    let phone = phone_id(&svc.url).await;
    let path = format!("/api/groups/{gid}/call");
    set_faults(
        &sim.url,
        json!({"late_502_rate": 1.0, "endpoints": [SUBMIT, LIST]}),
    )
    .await;
    let body = start_body(&phone);
    let (status, first) = call(
        &svc.url,
        Method::POST,
        &path,
        Some(body.clone()),
        Some("k-502"),
    )
    .await;
    assert_eq!(status, 503, "{first:?}");
    assert_eq!(first["code"], "submission_state_unknown");
    assert_eq!(
        batches_named(&sim.url, "Llamada Perdida").await.len(),
        0,
        "listing fails"
    );

    // While unknown, no other start may submit for the group.
    let (s, other) = post(&svc.url, &path, body.clone()).await;
    assert_eq!(s, 409, "{other:?}");
    assert_eq!(other["code"], "submission_unsettled");
    let (s, reused) = call(
        &svc.url,
        Method::POST,
        &path,
        Some(json!({"userId": 19, "agentPhoneNumberId": phone, "skipIncomplete": true})),
        Some("k-502"),
    )
    .await;
    assert_eq!(s, 422, "{reused:?}");
    assert_eq!(reused["code"], "idempotency_key_reused");

    set_faults(&sim.url, json!({})).await;
    let (status, again) = call(
        &svc.url,
        Method::POST,
        &path,
        Some(body.clone()),
        Some("k-502"),
    )
    .await;
    assert_eq!(status, 200, "{again:?}");
    let upstream = batches_named(&sim.url, "Llamada Perdida").await;
    assert_eq!(upstream.len(), 1, "{upstream:?}");
    assert_eq!(again["data"]["batchId"], upstream[0]["id"]);
    let (status, replay) = call(
        &svc.url,
        Method::POST,
        &path,
        Some(body.clone()),
        Some("k-502"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(replay["data"]["batchId"], upstream[0]["id"]);
    // A dry run with the key is a dry run: nothing replayed, nothing dialled.
    let (s, dry) = call(
        &svc.url,
        Method::POST,
        &format!("{path}?dryRun=true"),
        Some(json!({"userId": 19, "agentPhoneNumberId": phone, "force": true})),
        Some("k-502"),
    )
    .await;
    assert_eq!(s, 200, "{dry:?}");
    assert!(dry["data"]["batchId"].is_null(), "{dry:?}");
    assert!(dry["data"]["recipients"].is_array(), "{dry:?}");
    assert_eq!(counters(&sim.url).await[SUBMIT], 1);
}

/// The breaker trips after seven failed calls while ElevenLabs answers the first four
/// cancels with 503: the cancel is retried until confirmed, and the batch shows
/// "stopping" until then. The fourteenth recipient is never dialled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_is_retried_until_elevenlabs_confirms_it() {
    // One line, nobody answers; a failed call lasts about a second.
    let sim = sim(&[
        "--seed",
        "5",
        "--speed",
        "20",
        "--pickup-rate",
        "0",
        "--voicemail-rate",
        "0",
        "--concurrency",
        "1",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(
        dir.path(),
        &sim.url,
        "breaker_window = 7\nbreaker_threshold = 0.6\n",
    );
    let gid = group(&svc.url, "Disyuntor", 40, 3_000_000).await;
    let phone = phone_id(&svc.url).await;
    set_faults(
        &sim.url,
        json!({"error_503_rate": 1.0, "endpoints": [CANCEL], "max_faults": 4}),
    )
    .await;
    let (s, start) = post(
        &svc.url,
        &format!("/api/groups/{gid}/call"),
        start_body(&phone),
    )
    .await;
    assert_eq!(s, 200, "{start:?}");
    let id = start["data"]["batchId"].as_str().unwrap().to_string();

    let saw_stopping = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let view = until(120, "the stop confirmed and the batch final", || async {
        let (_, st) = get(&svc.url, &format!("/api/batch-calls/{id}/status")).await;
        let d = st["data"].clone();
        if d["stop_reason"]["pending"] == true {
            saw_stopping.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        let ended = d["recipients"].as_array().is_some_and(|r| {
            r.iter().all(|r| {
                !matches!(
                    r["status"].as_str(),
                    Some("in_progress" | "initiated" | "dispatched")
                )
            })
        });
        (d["stop_reason"]["code"] == "circuit_breaker"
            && d["stop_reason"]["pending"].is_null()
            && d["status"] == "cancelled"
            && ended)
            .then_some(d)
    })
    .await;
    assert!(
        saw_stopping.load(std::sync::atomic::Ordering::SeqCst),
        "\"stopping\" was shown before the confirmation"
    );
    let dialled = view["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["conversation_id"].is_string())
        .count();
    assert!((7..14).contains(&dialled), "dialled {dialled} of 40");
    let cancels = counters(&sim.url).await[CANCEL].as_u64().unwrap_or(0);
    assert!(cancels >= 5, "four refused, then confirmed: {cancels}");
}

/// An opt-out reaches a batch already at ElevenLabs that has not dialled the number: the
/// batch is cancelled and its recipients resubmitted without her, at the same time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opt_out_reaches_a_scheduled_batch() {
    let sim = sim(&["--seed", "6", "--speed", "1"]);
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(dir.path(), &sim.url, "");
    let gid = group(&svc.url, "Programado", 4, 4_000_000).await;
    let phone = phone_id(&svc.url).await;
    let at = chrono::Utc::now().timestamp() + 3600;
    let (s, start) = post(
        &svc.url,
        &format!("/api/groups/{gid}/call"),
        json!({"userId": 19, "agentPhoneNumberId": phone, "scheduledTimeUnix": at}),
    )
    .await;
    assert_eq!(s, 200, "{start:?}");
    let first = start["data"]["batchId"].as_str().unwrap().to_string();
    let out = "+573004000002";
    let (s, r) = post(&svc.url, "/api/optouts", json!({"phone": out})).await;
    assert_eq!(s, 200, "{r:?}");
    assert!(
        r["message"].as_str().unwrap().contains(&first),
        "the answer says which batch is replaced: {r:?}"
    );
    // Stopped at ElevenLabs, and planned again in the journal for the same time,
    // without her (checked once more when due).
    let view = until(60, "the replacement planned", || async {
        let (_, st) = get(&svc.url, &format!("/api/batch-calls/{first}/status")).await;
        st["data"]["planned"]["due_unix"]
            .is_i64()
            .then(|| st["data"].clone())
    })
    .await;
    assert_eq!(view["status"], "cancelled");
    assert_eq!(view["stop_reason"]["code"], "opt_out");
    assert!(
        view["stop_reason"]["pending"].is_null(),
        "{:?}",
        view["stop_reason"]
    );
    assert_eq!(
        view["planned"]["due_unix"].as_i64(),
        Some(at),
        "same time as before"
    );
    assert_eq!(view["planned"]["recipients"], 3);
    assert_eq!(view["planned"]["kind"], "resume");
    let detail = upstream(&sim.url, &format!("/v1/convai/batch-calling/{first}")).await;
    let dialled = detail["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["conversation_id"].is_string())
        .count();
    assert_eq!(dialled, 0, "nobody was dialled: {detail:?}");
    assert_eq!(
        counters(&sim.url).await[SUBMIT],
        1,
        "nothing resubmitted before its time"
    );
}

/// `kill -9` while a supervisor's retry is in flight (done upstream, answer not back):
/// after the restart a second press is refused while the round runs (the retry's
/// journal intent is read back, not sent again); the batch shows exactly one retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_cut_by_a_crash_is_read_back_not_sent_again() {
    let sim = sim(&[
        "--seed",
        "8",
        "--speed",
        "6",
        "--pickup-rate",
        "0",
        "--voicemail-rate",
        "0",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let mut svc = serve(dir.path(), &sim.url, "");
    let gid = group(&svc.url, "Reintento", 3, 6_000_000).await;
    let phone = phone_id(&svc.url).await;
    let (s, start) = post(
        &svc.url,
        &format!("/api/groups/{gid}/call"),
        start_body(&phone),
    )
    .await;
    assert_eq!(s, 200, "{start:?}");
    let id = start["data"]["batchId"].as_str().unwrap().to_string();
    let path = format!("/v1/convai/batch-calling/{id}");
    until(60, "the batch ends", || async {
        let d = upstream(&sim.url, &path).await;
        (d["status"] == "completed").then_some(())
    })
    .await;
    let retry_endpoint = "POST /v1/convai/batch-calling/{batch_id}/retry";
    set_faults(
        &sim.url,
        json!({"latency_ms": 4000, "endpoints": [retry_endpoint]}),
    )
    .await;
    let base = svc.url.clone();
    let retry = format!("/api/batch-calls/{id}/retry");
    let pressed = tokio::spawn({
        let retry = retry.clone();
        async move { call(&base, Method::POST, &retry, None, None).await }
    });
    until(20, "the retry done upstream", || async {
        (upstream(&sim.url, &path).await["retry_count"] == 1).then_some(())
    })
    .await;
    svc.kill9();
    assert_eq!(
        pressed.await.unwrap().0,
        0,
        "the answer was lost with the process"
    );
    set_faults(&sim.url, json!({})).await;

    let svc = serve(dir.path(), &sim.url, "");
    let (s, again) = call(&svc.url, Method::POST, &retry, None, None).await;
    assert_eq!(s, 409, "the retry round is running: {again:?}");
    assert_eq!(upstream(&sim.url, &path).await["retry_count"], 1);
    assert_eq!(counters(&sim.url).await[retry_endpoint], 1, "sent once");
}
