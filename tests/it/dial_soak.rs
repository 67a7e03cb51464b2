//! The soak of the dial-safety promise: four groups started through a simulator that
//! fails 10 % of every endpoint's answers with a 5xx, 10 % with a 429, drops 5 % of the
//! connections after doing the work and loses 5 % of the answers behind a late 502. A
//! careful client repeats each start with its key until it gets a definite answer; viewers
//! follow each batch over SSE and reconnect every few seconds. Exactly one ElevenLabs
//! batch per group, each seen to its final state with the simulator's statuses and the
//! answered calls' transcripts; then two `kill -9` restarts lose nothing.

use crate::support::process::*;
use futures::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const GROUPS: usize = 4;
const PER_GROUP: usize = 6;

fn faults() -> Value {
    json!({
        "error_500_rate": 0.034, "error_502_rate": 0.033, "error_503_rate": 0.033,
        "rate_limit_rate": 0.05, "system_busy_rate": 0.05,
        "drop_rate": 0.05, "late_502_rate": 0.05,
    })
}

/// Repeats a start with its key until the answer is definite (2xx or a 4xx other than
/// "not settled yet"); returns the batch id.
async fn careful_start(base: &str, gid: u64, phone: &str) -> String {
    let key = format!("soak-{gid}");
    let path = format!("/api/groups/{gid}/call");
    let body = json!({"userId": 19, "agentPhoneNumberId": phone});
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let (status, r) = call(base, Method::POST, &path, Some(body.clone()), Some(&key)).await;
        if status == 200 {
            return r["data"]["batchId"].as_str().unwrap().to_string();
        }
        let retryable = matches!(status, 0 | 409 | 429 | 500..=599)
            && (status != 409 || r["code"] == "submission_unsettled");
        assert!(retryable, "definite failure {status}: {r:?}");
        assert!(
            Instant::now() < deadline,
            "group {gid} never started: {r:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Follows a batch's stream, reconnecting every 3 s (and after any cut), until it says
/// `batch-completed`; returns that event's view.
async fn follow(base: &str, id: &str) -> Value {
    let url = format!("{base}/api/batch-calls/{id}/status/stream?access_token={ADMIN}");
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        assert!(Instant::now() < deadline, "{id}: no batch-completed");
        let Ok(resp) = http().get(&url).send().await else {
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        };
        if resp.status() != 200 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        }
        let mut stream = resp.bytes_stream();
        let mut buf = String::new();
        let slice = tokio::time::Instant::now() + Duration::from_secs(3);
        while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(slice, stream.next()).await {
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(pos) = buf.find("\n\n") {
                let block: String = buf.drain(..pos + 2).collect();
                let event = block
                    .lines()
                    .find_map(|l| l.strip_prefix("event: "))
                    .unwrap_or("message");
                let data: String = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("data: "))
                    .collect();
                if event == "batch-completed" {
                    let v: Value = serde_json::from_str(&data).unwrap();
                    return v.get("data").cloned().unwrap_or(v);
                }
            }
        }
    }
}

async fn total_requests(sim: &str) -> u64 {
    counters(sim)
        .await
        .as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_u64)
        .sum()
}

/// Phone → status, as the simulator has it.
async fn sim_statuses(sim: &str, id: &str) -> BTreeMap<String, String> {
    statuses(&upstream(sim, &format!("/v1/convai/batch-calling/{id}")).await)
}

fn statuses(view: &Value) -> BTreeMap<String, String> {
    view["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["phone_number"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn check_final(view: &Value, sim: &BTreeMap<String, String>) {
    assert_eq!(&statuses(view), sim, "the simulator's statuses");
    for r in view["recipients"].as_array().unwrap() {
        if r["status"] == "completed" {
            assert!(
                r["transcript"].as_array().is_some_and(|t| !t.is_empty()),
                "an answered call has its transcript: {r:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_groups_through_faults_and_two_crashes_dial_once_and_lose_nothing() {
    let sim = sim(&["--seed", "11", "--speed", "60", "--pickup-rate", "0.7"]);
    let dir = tempfile::tempdir().unwrap();
    let mut svc = serve_retrying(dir.path(), &sim.url, 3, "");
    let phone = phone_id(&svc.url).await;
    let mut gids = Vec::new();
    for g in 0..GROUPS {
        gids.push(
            group(
                &svc.url,
                &format!("Soak {g}"),
                PER_GROUP,
                5_000_000 + g * 100,
            )
            .await,
        );
    }
    let before = total_requests(&sim.url).await;
    set_faults(&sim.url, faults()).await;

    let starts: Vec<_> = gids
        .iter()
        .map(|&gid| {
            let (base, phone) = (svc.url.clone(), phone.clone());
            tokio::spawn(async move { careful_start(&base, gid, &phone).await })
        })
        .collect();
    let mut ids = Vec::new();
    for s in starts {
        ids.push(s.await.unwrap());
    }
    let viewers: Vec<_> = ids
        .iter()
        .map(|id| {
            let (base, id) = (svc.url.clone(), id.clone());
            tokio::spawn(async move { follow(&base, &id).await })
        })
        .collect();
    let mut finals = Vec::new();
    for v in viewers {
        finals.push(v.await.unwrap());
    }
    set_faults(&sim.url, json!({})).await;
    // At 30 % faulty answers, 50 requests all answered well would happen once in 50
    // million runs: the faults were met.
    let faulted = total_requests(&sim.url).await - before;
    assert!(
        faulted >= 50,
        "only {faulted} requests went through the faults"
    );

    // Exactly one ElevenLabs batch per group.
    let all = upstream_batches(&sim.url).await;
    for (g, id) in ids.iter().enumerate() {
        let named: Vec<_> = all
            .iter()
            .filter(|b| {
                b["name"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with(&format!("Llamada Soak {g} "))
            })
            .collect();
        assert_eq!(named.len(), 1, "group {g}: {named:?}");
        assert_eq!(named[0]["id"], id.as_str());
    }
    for (id, view) in ids.iter().zip(&finals) {
        check_final(view, &sim_statuses(&sim.url, id).await);
    }

    // Two crashes: every batch is still there, final, with what the viewers saw.
    for _ in 0..2 {
        svc.kill9();
        svc = serve_retrying(dir.path(), &sim.url, 3, "");
        let (s, list) = get(&svc.url, "/api/batch-calls").await;
        assert_eq!(s, 200, "{list:?}");
        for (id, seen) in ids.iter().zip(&finals) {
            let (s, st) = get(&svc.url, &format!("/api/batch-calls/{id}/status")).await;
            assert_eq!(s, 200, "{st:?}");
            assert_eq!(
                statuses(&st["data"]),
                statuses(seen),
                "{id} after a restart"
            );
            check_final(&st["data"], &sim_statuses(&sim.url, id).await);
            assert!(
                list["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|b| b["batch_id"] == id.as_str() || b["batchId"] == id.as_str()),
                "{id} listed after a restart: {list:?}"
            );
        }
    }
    let submits = counters(&sim.url).await[SUBMIT].as_u64().unwrap();
    assert!(submits >= GROUPS as u64, "{submits}");
    let soak = upstream_batches(&sim.url)
        .await
        .into_iter()
        .filter(|b| {
            b["name"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Llamada Soak ")
        })
        .count();
    assert_eq!(soak, GROUPS, "nothing submitted after the crashes");
}
