//! Enrichment: a finished batch of 1,000 answered calls, 50 ms upstream latency on every
//! conversation fetch. callboard's first `GET /status` fetches them with bounded
//! concurrency (service.enrich_concurrency 16 = default, and 64); the second makes no
//! fetch at all. Baseline (same run): the seed's way, one conversation after another.
//!
//! cargo bench --bench service_enrich     (BENCH_RECIPIENTS to change 1,000)

#[path = "service_common/mod.rs"]
mod common;

use callboard::config::Config;
use callboard::service::ServeOptions;
use callboard::sim::{FaultConfig, SimOptions};
use std::time::{Duration, Instant};

const CONV: &str = "GET /v1/convai/conversations/{conversation_id}";

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("BENCH_RECIPIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let sim = callboard::sim::start(
        SimOptions {
            seed: 2,
            speed: 100_000.0,
            pickup_rate: 1.0,
            voicemail_rate: 0.0,
            concurrency: 500,
            ..Default::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let mut el = Config::defaults().elevenlabs;
    el.base_url = sim.url();
    el.api_key = Some(callboard::secret::Secret::new("sk_bench"));
    let client = callboard::elevenlabs::ElevenLabsClient::new(&el).unwrap();

    // A batch of n answered calls, submitted straight upstream (no service cache yet).
    let batch = common::submit_bench_batch(&sim, &el, n).await;
    loop {
        let d = client.get_batch(&batch).await.unwrap();
        if d.batch.status.is_final() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await; // conversations settle ("done")
    sim.set_faults(FaultConfig {
        latency_ms: 50,
        endpoints: vec![CONV.into()],
        ..Default::default()
    });
    println!("batch of {n} completed calls, 50 ms latency per conversation fetch");

    for concurrency in [16usize, 64] {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = Config::defaults();
        cfg.campaign.rules = None;
        cfg.data_dir = dir.path().to_path_buf();
        cfg.elevenlabs = el.clone();
        cfg.service.enrich_concurrency = concurrency;
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
        let url = format!("{}/api/batch-calls/{batch}/status", svc.url());
        let http = reqwest::Client::new();
        let before = sim.request_count(CONV);
        let t = Instant::now();
        let body: serde_json::Value = http.get(&url).send().await.unwrap().json().await.unwrap();
        let first = t.elapsed();
        let enriched = body["data"]["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["transcript"].is_array())
            .count();
        let fetched = sim.request_count(CONV) - before;
        let t = Instant::now();
        http.get(&url).send().await.unwrap().bytes().await.unwrap();
        let second = t.elapsed();
        let refetched = sim.request_count(CONV) - before - fetched;
        println!(
            "callboard  enrich_concurrency={concurrency:<3} first status {:>7.0} ms ({enriched} enriched, {fetched} fetches); second status {:>5.1} ms, {refetched} fetches",
            first.as_secs_f64() * 1e3,
            second.as_secs_f64() * 1e3
        );
        svc.shutdown().await;
    }

    // Baseline: sequential fetches, as the seed's loop does.
    let detail = client.get_batch(&batch).await.unwrap();
    let ids: Vec<String> = detail
        .recipients
        .iter()
        .filter_map(|r| r.conversation_id.clone())
        .collect();
    let t = Instant::now();
    for id in &ids {
        let _ = client.get_conversation(id).await;
    }
    println!(
        "baseline   sequential        first status {:>7.0} ms ({} fetches)",
        t.elapsed().as_secs_f64() * 1e3,
        ids.len()
    );
    sim.shutdown().await;
}
