//! Fan-out: N SSE viewers of one live batch (default 5,000; `BENCH_VIEWERS`), the viewers
//! as tasks inside this bench's process (see `sse_e2e` for the end-to-end driver).
//! callboard: `callboard serve` as its own process, one upstream poll per interval,
//! one serialisation per change. Baseline (same run): a naive SSE server that polls
//! ElevenLabs once per connection per interval, as the seed's per-request design does.
//! Reports upstream polls per interval, p50/p99 delay from the snapshot's timestamp to
//! each viewer, and the service's RSS.
//!
//! cargo bench --bench service_fanout

#[path = "service_common/mod.rs"]
mod common;

use axum::response::sse::{Event, Sse};
use common::*;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

const INTERVAL_MS: u64 = 1000;
const WINDOW: Duration = Duration::from_secs(12);

/// Opens `n` raw SSE connections; every `status-update` after the first reports its delay.
async fn viewers(
    addr: &str,
    path: &str,
    n: usize,
) -> (
    mpsc::UnboundedReceiver<f64>,
    Vec<tokio::task::JoinHandle<()>>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let (tx, addr, path) = (tx.clone(), addr.to_string(), path.to_string());
        tasks.push(tokio::spawn(async move {
            let Ok(mut s) = tokio::net::TcpStream::connect(&addr).await else {
                return;
            };
            let req =
                format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
            if s.write_all(req.as_bytes()).await.is_err() {
                return;
            }
            let mut buf = vec![0u8; 64 * 1024];
            let mut pending = String::new();
            let mut updates = 0;
            loop {
                let n = match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let now = now_ms();
                pending.push_str(&String::from_utf8_lossy(&buf[..n]));
                while let Some(pos) = pending.find("\n\n") {
                    let block: String = pending.drain(..pos + 2).collect();
                    if !block.contains("event: status-update") {
                        continue;
                    }
                    updates += 1;
                    if updates == 1 {
                        continue; // the snapshot on connect is old by design
                    }
                    if let Some(t) = block.find("\"timestamp\":\"").map(|p| &block[p + 13..])
                        && let Some(ts) = t.split('"').next().and_then(ts_ms)
                    {
                        let _ = tx.send((now - ts) as f64);
                    }
                }
            }
        }));
        if i % 500 == 499 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    (rx, tasks)
}

async fn sim_polls(sim: &str) -> u64 {
    let c = json(&format!("{sim}/_sim/counters")).await;
    let key = "GET /v1/convai/batch-calling/{batch_id}";
    c.get(key)
        .or_else(|| c.get("counters").and_then(|m| m.get(key)))
        .and_then(|v| v.as_u64())
        .unwrap_or(0)
}

fn report(label: &str, polls: u64, mut delays: Vec<f64>, rss: Option<(f64, f64)>, n: usize) {
    delays.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let intervals = WINDOW.as_millis() as f64 / INTERVAL_MS as f64;
    println!(
        "{label:<10} viewers={n:<5} upstream polls/interval={:>8.1} deliveries={:<7} delay p50={:>6.0} ms p99={:>6.0} ms{}",
        polls as f64 / intervals,
        delays.len(),
        percentile(&delays, 0.5),
        percentile(&delays, 0.99),
        rss.map(|(r, p)| format!(" rss={r:.0} MB peak={p:.0} MB"))
            .unwrap_or_default()
    );
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("BENCH_VIEWERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let dir = tempfile::tempdir().unwrap();
    let sim = spawn(
        &[
            "sim",
            "--addr",
            "127.0.0.1:0",
            "--speed",
            "3",
            "--seed",
            "3",
        ],
        &[],
    );
    let svc = serve_for_viewers(dir.path(), &sim.url, INTERVAL_MS, n + 100, &[]);
    let phones = json(&format!("{}/api/phone-numbers", svc.url)).await;
    let phone = phones["data"][0]["phone_number_id"]
        .as_str()
        .unwrap()
        .to_string();
    let started = post(
        &format!("{}/api/groups/55/call", svc.url),
        serde_json::json!({"userId": 19, "agentPhoneNumberId": phone}),
    )
    .await;
    let batch = started["data"]["batchId"]
        .as_str()
        .expect("batch started")
        .to_string();

    // callboard: connect everyone, then measure a window.
    let addr = svc.url.trim_start_matches("http://").to_string();
    let (mut rx, tasks) =
        viewers(&addr, &format!("/api/batch-calls/{batch}/status/stream"), n).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    while rx.try_recv().is_ok() {}
    let before = sim_polls(&sim.url).await;
    tokio::time::sleep(WINDOW).await;
    let polls = sim_polls(&sim.url).await - before;
    let mut delays = Vec::new();
    while let Ok(d) = rx.try_recv() {
        delays.push(d);
    }
    let rss = rss_mb(svc.child.id());
    report("callboard", polls, delays, Some(rss), n);
    for t in tasks {
        t.abort();
    }
    drop(svc);

    // Baseline: a naive server, one upstream poll per connection per interval.
    let mut el = callboard::config::Config::defaults().elevenlabs;
    el.base_url = sim.url.clone();
    el.api_key = Some(callboard::secret::Secret::new("sk_bench"));
    el.max_retries = 0;
    let client = Arc::new(callboard::elevenlabs::ElevenLabsClient::new(&el).unwrap());
    let naive = axum::Router::new().route(
        "/stream/{id}",
        axum::routing::get(move |axum::extract::Path(id): axum::extract::Path<String>| {
            let client = client.clone();
            async move {
                let s = async_stream::stream! {
                    loop {
                        if let Ok(d) = client.get_batch(&id).await {
                            let body = serde_json::json!({"success": true, "data": d, "timestamp": callboard::api::timestamp_now()});
                            yield Ok::<_, std::convert::Infallible>(Event::default().event("status-update").data(body.to_string()));
                        }
                        tokio::time::sleep(Duration::from_millis(INTERVAL_MS)).await;
                    }
                };
                Sse::new(s.boxed())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let naddr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, naive).await.ok() });
    let (mut rx, tasks) = viewers(&naddr, &format!("/stream/{batch}"), n).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    while rx.try_recv().is_ok() {}
    let before = sim_polls(&sim.url).await;
    tokio::time::sleep(WINDOW).await;
    let polls = sim_polls(&sim.url).await - before;
    let mut delays = Vec::new();
    while let Ok(d) = rx.try_recv() {
        delays.push(d);
    }
    // Naive delays are poll-to-delivery per connection (each has its own snapshot).
    report("naive", polls, delays, None, n);
    for t in tasks {
        t.abort();
    }
}
