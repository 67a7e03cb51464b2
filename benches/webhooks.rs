//! Post-call webhooks against polling only: one batch of 1,000 recipients (BENCH_RECIPIENTS)
//! run twice on a fresh simulator and service, same seed, default settings
//! (`service.poll_interval_ms` 3,000; with webhooks `webhooks.poll_interval_ms` 15,000 and
//! `reconcile_after_secs` 60). One SSE viewer watches the batch. Measured per run:
//! conversation GETs at the simulator; for every answered call, the time from its
//! conversation being done upstream (analysis finished: the moment a transcript can first
//! be read, and its webhook is sent) to the viewer receiving it with its transcript; and
//! upstream requests per minute of the batch (submit to `batch-completed`).
//!
//! cargo bench --bench webhooks       (BENCH_RECIPIENTS, BENCH_SPEED to change 1,000 / 20)

#[path = "service_common/mod.rs"]
mod common;

use callboard::config::Config;
use callboard::secret::Secret;
use callboard::service::ServeOptions;
use callboard::sim::{SimHandle, SimOptions, WebhookTarget};
use futures::StreamExt;
use serde::Deserialize;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const CONV: &str = "GET /v1/convai/conversations/{conversation_id}";
const SECRET: &str = "wsec_bench_0123456789abcdef";

#[derive(Deserialize)]
struct Frame {
    data: Option<View>,
}
#[derive(Deserialize)]
struct View {
    recipients: Vec<Recipient>,
}
#[derive(Deserialize)]
struct Recipient {
    conversation_id: Option<String>,
    status: String,
    transcript: Option<serde::de::IgnoredAny>,
}

struct Outcome {
    conv_gets: u64,
    upstream: u64,
    minutes: f64,
    latencies_ms: Vec<f64>,
    answered: usize,
}

fn env_or<T: std::str::FromStr>(k: &str, d: T) -> T {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

#[tokio::main]
async fn main() {
    let n: usize = env_or("BENCH_RECIPIENTS", 1000);
    let speed: f64 = env_or("BENCH_SPEED", 20.0);
    println!("{n} recipients, simulator speed x{speed}, concurrency 100, one SSE viewer");
    for webhooks in [false, true] {
        let o = run(n, speed, webhooks).await;
        let mut l = o.latencies_ms.clone();
        l.sort_by(f64::total_cmp);
        println!(
            "{:<18} conversation GETs {:>5}  end→transcript on SSE p50 {:>6.0} ms p95 {:>6.0} ms max {:>6.0} ms ({} answered)  upstream requests {:>5} in {:.2} min = {:>6.1}/min",
            if webhooks {
                "webhooks"
            } else {
                "baseline (polling)"
            },
            o.conv_gets,
            common::percentile(&l, 0.5),
            common::percentile(&l, 0.95),
            l.last().copied().unwrap_or(f64::NAN),
            o.answered,
            o.upstream,
            o.minutes,
            o.upstream as f64 / o.minutes,
        );
    }
}

async fn run(n: usize, speed: f64, webhooks: bool) -> Outcome {
    let sim = callboard::sim::start(
        SimOptions {
            seed: 9,
            speed,
            pickup_rate: 0.8,
            voicemail_rate: 0.1,
            concurrency: 100,
            ..Default::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::defaults();
    cfg.campaign.rules = None;
    cfg.data_dir = dir.path().to_path_buf();
    cfg.elevenlabs.base_url = sim.url();
    cfg.elevenlabs.api_key = Some(Secret::new("sk_bench"));
    if webhooks {
        cfg.webhooks.secret = Some(Secret::new(SECRET));
    }
    let svc = callboard::service::start(
        cfg.service_options(),
        ServeOptions {
            addr: Some("127.0.0.1:0".parse().unwrap()),
            no_auth: true,
            demo_data: false,
            clock: None,
        },
    )
    .await
    .unwrap();
    if webhooks {
        sim.send_webhooks(WebhookTarget {
            url: format!("{}{}", svc.url(), cfg.webhooks.path),
            secret: Secret::new(SECRET),
            drop_rate: 0.0,
        });
    }
    let started = Instant::now();
    let batch = submit(&sim, &cfg, n).await;
    let url = format!("{}/api/batch-calls/{batch}/status/stream", svc.url());
    let resp = reqwest::get(url).await.unwrap();
    let shown = watch(resp).await;
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let counters = sim.counters();
    let upstream: u64 = counters
        .iter()
        .filter(|(k, _)| !k.starts_with("webhook"))
        .map(|(_, v)| *v)
        .sum();
    let mut latencies_ms = Vec::new();
    for (cid, at) in &shown {
        if let Some(done) = sim.conversation_done_at(cid) {
            latencies_ms.push(at.saturating_duration_since(done).as_secs_f64() * 1e3);
        }
    }
    let out = Outcome {
        conv_gets: sim.request_count(CONV),
        upstream,
        minutes,
        answered: shown.len(),
        latencies_ms,
    };
    svc.shutdown().await;
    sim.shutdown().await;
    out
}

/// When each answered call first reached the viewer with its transcript; returns at
/// `batch-completed`.
async fn watch(resp: reqwest::Response) -> HashMap<String, Instant> {
    let mut stream = resp.bytes_stream();
    let mut buf: Vec<u8> = Vec::new();
    let mut shown = HashMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1800);
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, stream.next()).await {
        buf.extend_from_slice(&chunk);
        while let Some(pos) = buf.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = buf.drain(..pos + 2).collect();
            let text = String::from_utf8_lossy(&block);
            let at = Instant::now();
            for line in text.lines() {
                let Some(data) = line.strip_prefix("data: ") else {
                    continue;
                };
                let Ok(Frame { data: Some(v) }) = serde_json::from_str::<Frame>(data) else {
                    continue;
                };
                for r in v.recipients {
                    if r.status == "completed"
                        && r.transcript.is_some()
                        && let Some(c) = r.conversation_id
                    {
                        shown.entry(c).or_insert(at);
                    }
                }
            }
            if text.contains("event: batch-completed") {
                return shown;
            }
        }
    }
    shown
}

/// A batch of `n` recipients, submitted straight upstream (the service watches it while
/// the viewer does).
async fn submit(sim: &SimHandle, cfg: &Config, n: usize) -> String {
    common::submit_bench_batch(sim, &cfg.elevenlabs, n).await
}
