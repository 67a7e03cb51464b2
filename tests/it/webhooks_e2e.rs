//! Post-call webhooks end to end: a real `callboard sim` posting signed webhooks to a real
//! `callboard serve`. Every transcript arrives pushed, with no conversation fetched from
//! the simulator; with 30 % of the webhooks dropped, the poller's reconciliation still
//! fills every transcript; and a call's end reaches SSE viewers because of its webhook,
//! not because of a poll (the timing numbers are in `benches/webhooks.rs`).

use crate::support::process::{self, counters, get, group, phone_id, post, until};
use crate::support::service::{Api, BATCH_ENDPOINT, config, open_stream, serve};
use futures::StreamExt;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const SECRET: &str = "wsec_e2e_secret_0123456789abcdef";
const CONV_GETS: &str = "GET /v1/convai/conversations/{conversation_id}";

fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// A simulator posting to a service started next on `addr`, and that service.
fn pair(
    dir: &std::path::Path,
    drop_rate: &str,
    webhooks_toml: &str,
) -> (process::Proc, process::Proc) {
    let addr = free_addr();
    let sim = process::sim(&[
        "--seed",
        "21",
        "--speed",
        "120",
        "--pickup-rate",
        "0.7",
        "--voicemail-rate",
        "0.15",
        "--webhook-url",
        &format!("http://{addr}/api/webhooks/elevenlabs"),
        "--webhook-secret",
        SECRET,
        "--webhook-drop-rate",
        drop_rate,
    ]);
    let toml =
        format!("[webhooks]\nsecret = \"{SECRET}\"\npoll_interval_ms = 1000\n{webhooks_toml}");
    let svc = process::serve_on(dir, &sim.url, &addr, 1, &toml);
    (sim, svc)
}

/// Starts the group's batch and waits until the service shows it final and enriched.
async fn run_batch(svc: &str, name: &str, n: usize, first: usize) -> Value {
    let gid = group(svc, name, n, first).await;
    let phone = phone_id(svc).await;
    let (s, r) = post(
        svc,
        &format!("/api/groups/{gid}/call"),
        json!({"userId": 19, "agentPhoneNumberId": phone}),
    )
    .await;
    assert_eq!(s, 200, "{r:?}");
    let id = r["data"]["batchId"].as_str().unwrap().to_string();
    until(
        120,
        "the batch is final with every call enriched",
        || async {
            let (_, st) = get(svc, &format!("/api/batch-calls/{id}/status")).await;
            let d = st["data"].clone();
            let recipients = d["recipients"].as_array()?.clone();
            let done = ["completed", "partially_completed", "failed"]
                .contains(&d["status"].as_str()?)
                && recipients.iter().all(|r| {
                    ["completed", "failed", "voicemail"]
                        .contains(&r["status"].as_str().unwrap_or(""))
                        && r["enrichment_error"].is_null()
                });
            done.then_some(d)
        },
    )
    .await
}

fn completed_have_transcripts(view: &Value) -> usize {
    let mut n = 0;
    for r in view["recipients"].as_array().unwrap() {
        if r["status"] == "completed" {
            assert!(
                r["transcript"].as_array().is_some_and(|t| !t.is_empty())
                    && r["summary"].is_string(),
                "an answered call has its transcript and summary: {r:?}"
            );
            n += 1;
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_transcript_comes_pushed_and_no_conversation_is_fetched() {
    let dir = tempfile::tempdir().unwrap();
    // Reconciliation far away: any transcript seen came from a webhook.
    let (sim, svc) = pair(dir.path(), "0", "reconcile_after_secs = 600\n");
    let view = run_batch(&svc.url, "Empujada", 20, 3_000_000).await;
    let completed = completed_have_transcripts(&view);
    assert!(completed > 0, "some calls were answered: {view}");
    let c = counters(&sim.url).await;
    assert_eq!(
        c.get(CONV_GETS).and_then(Value::as_u64).unwrap_or(0),
        0,
        "no conversation fetched: {c}"
    );
    assert!(
        c["webhook sent"].as_u64().unwrap() >= completed as u64,
        "{c}"
    );
    assert!(
        c.get("webhook failed").is_none(),
        "every webhook accepted: {c}"
    );
    // Calls that never connected carry the reason their webhook gave.
    for r in view["recipients"].as_array().unwrap() {
        if r["status"] == "failed" {
            let why = r["termination_reason"].as_str().unwrap_or_default();
            assert!(
                why.starts_with("no-answer") || why.starts_with("busy"),
                "{r}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_webhooks_are_reconciled_by_polling() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, svc) = pair(dir.path(), "0.3", "reconcile_after_secs = 1\n");
    let view = run_batch(&svc.url, "Perdidos", 30, 4_000_000).await;
    let completed = completed_have_transcripts(&view) as u64;
    let c = counters(&sim.url).await;
    let dropped = c["webhook dropped"].as_u64().unwrap_or(0);
    let fetched = c.get(CONV_GETS).and_then(Value::as_u64).unwrap_or(0);
    assert!(dropped > 0, "some webhooks were dropped: {c}");
    assert!(fetched > 0, "the dropped transcripts were fetched: {c}");
    assert!(
        fetched < completed,
        "only what the webhooks did not bring was fetched ({fetched} of {completed}): {c}"
    );
}

/// Each SSE event's recipients (id → (status, has transcript)) and when it came.
type Seen = Vec<(Instant, HashMap<String, (String, bool)>)>;

async fn watch(resp: reqwest::Response, limit: Duration) -> Seen {
    let mut stream = resp.bytes_stream();
    let (mut buf, mut out) = (String::new(), Vec::new());
    let deadline = tokio::time::Instant::now() + limit;
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, stream.next()).await {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(pos) = buf.find("\n\n") {
            let block: String = buf.drain(..pos + 2).collect();
            let data: String = block
                .lines()
                .filter_map(|l| l.strip_prefix("data: "))
                .collect();
            let v: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
            let Some(rs) = v["data"]["recipients"].as_array() else {
                continue;
            };
            let map = rs
                .iter()
                .map(|r| {
                    let t = r["transcript"].as_array().is_some_and(|t| !t.is_empty());
                    (
                        r["conversation_id"].as_str().unwrap_or("").to_string(),
                        (r["status"].as_str().unwrap_or("").to_string(), t),
                    )
                })
                .collect();
            out.push((Instant::now(), map));
            if block.contains("event: batch-completed") {
                return out;
            }
        }
    }
    out
}

/// Polls are stretched to ten minutes once webhooks arrive: the calls that end after that
/// reach the stream, transcript included, after their webhook was posted and without the
/// simulator being polled for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calls_end_reaches_viewers_because_of_its_webhook() {
    let sim = callboard::sim::start(
        callboard::sim::SimOptions {
            seed: 5,
            speed: 60.0,
            pickup_rate: 1.0,
            voicemail_rate: 0.0,
            concurrency: 1,
            ..Default::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), Some(&sim.url()));
    cfg.webhooks.secret = Some(callboard::secret::Secret::new(SECRET));
    cfg.webhooks.poll_interval_ms = 600_000;
    cfg.webhooks.reconcile_after_secs = 600;
    let svc = serve(cfg, true, true).await;
    sim.send_webhooks(callboard::sim::WebhookTarget {
        url: format!("{}/api/webhooks/elevenlabs", svc.url()),
        secret: callboard::secret::Secret::new(SECRET),
        drop_rate: 0.0,
    });
    let api = Api::new(svc.url(), None);
    let gid = crate::support::service::group(&api, "Causal", 6, 5_000_000).await;
    let phone = sim.phone_number_ids()[0].clone();
    let r = api
        .post(
            &format!("/api/groups/{gid}/call"),
            json!({"userId": 19, "agentPhoneNumberId": phone}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let batch = r.body["data"]["batchId"].as_str().unwrap().to_string();
    let viewer = tokio::spawn(watch(
        open_stream(&api, &batch).await,
        Duration::from_secs(90),
    ));
    // The first webhook stretches the polls; one more poll picks the long interval up.
    until(60, "a first webhook", || async {
        (!sim.webhooks_posted().is_empty()).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (polls_before, since) = (sim.request_count(BATCH_ENDPOINT), Instant::now());
    let seen = viewer.await.unwrap();
    let polls_after = sim.request_count(BATCH_ENDPOINT);
    let posted = sim.webhooks_posted();
    // When each conversation was first shown completed, with its transcript.
    let mut shown: HashMap<String, Instant> = HashMap::new();
    for (at, map) in &seen {
        for (cid, (status, transcript)) in map {
            if status == "completed" && *transcript {
                shown.entry(cid.clone()).or_insert(*at);
            }
        }
    }
    let late: Vec<&String> = posted
        .iter()
        .filter(|(_, at)| **at > since)
        .map(|(c, _)| c)
        .collect();
    assert!(
        late.len() >= 3,
        "several calls ended after the polls stretched: {late:?}"
    );
    for cid in &late {
        let shown_at = shown
            .get(*cid)
            .unwrap_or_else(|| panic!("{cid} was never shown completed"));
        assert!(
            *shown_at >= posted[*cid],
            "{cid} shown only after its webhook was posted"
        );
    }
    // At most the poll that confirms the end: the screens moved on webhooks alone.
    assert!(
        polls_after - polls_before <= 2,
        "{} polls for {} calls ended meanwhile",
        polls_after - polls_before,
        late.len()
    );
    assert_eq!(sim.request_count(CONV_GETS), 0);
    svc.shutdown().await;
    sim.shutdown().await;
}
