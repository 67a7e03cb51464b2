//! Client overhead per request: `ElevenLabsClient::get_batch` (key header, error mapping,
//! retry loop, typed parse) against a bare `reqwest` GET of the same path that only reads
//! the bytes, both against an in-process simulator on loopback, interleaved in one run.
//!
//! Run: `cargo bench --bench elevenlabs_client` (release profile).

use callboard::config::Config;
use callboard::elevenlabs::*;
use callboard::secret::Secret;
use callboard::sim::{self, SimOptions};
use serde_json::json;
use std::time::{Duration, Instant};

const ROUNDS: usize = 3000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p90(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() * 9 / 10]
}

async fn run(recipients: usize) {
    // Speed 1: the batch barely changes, so the server side costs the same for both.
    let h = sim::start(
        SimOptions {
            speed: 1.0,
            ..SimOptions::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("sim");
    let mut cfg = Config::defaults().elevenlabs;
    cfg.api_key = Some(Secret::new("bench-key"));
    cfg.base_url = h.url();
    let client = ElevenLabsClient::new(&cfg).expect("client");
    let req = SubmitBatchRequest {
        call_name: "bench".into(),
        agent_id: h.first_agent_id(),
        agent_phone_number_id: Some(h.phone_number_ids()[0].clone()),
        recipients: (0..recipients)
            .map(|i| OutboundCallRecipient {
                phone_number: Some(format!("+57300{i:07}")),
                conversation_initiation_client_data: Some(ConversationInitiationClientData {
                    dynamic_variables: serde_json::from_value(json!({ "name": format!("Dr. {i}"), "especialidad": "Cardiología", "ciudad": "Cali", "email": "x@y.co" })).expect("vars"),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    let id = client.submit_batch(&req).await.expect("submit").id;
    let url = format!("{}/v1/convai/batch-calling/{id}", h.url());
    let bare = reqwest::Client::new();
    let mut size = 0;
    // Warm both connection pools and the server's cache.
    for _ in 0..50 {
        size = bare
            .get(&url)
            .header("xi-api-key", "bench-key")
            .send()
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body")
            .len();
        client.get_batch(&id).await.expect("get_batch");
    }
    let (mut base, mut ours, mut light) = (
        Vec::with_capacity(ROUNDS),
        Vec::with_capacity(ROUNDS),
        Vec::with_capacity(ROUNDS),
    );
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let b = bare
            .get(&url)
            .header("xi-api-key", "bench-key")
            .send()
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body");
        base.push(t.elapsed());
        std::hint::black_box(b);
        let t = Instant::now();
        let d = client.get_batch(&id).await.expect("get_batch");
        ours.push(t.elapsed());
        std::hint::black_box(d);
        let t = Instant::now();
        let d = client
            .get_batch_status(&id)
            .await
            .expect("get_batch_status");
        light.push(t.elapsed());
        std::hint::black_box(d);
    }
    // What the typed parse alone costs, on the same bytes: the bulk of the overhead.
    let body = bare
        .get(&url)
        .header("xi-api-key", "bench-key")
        .send()
        .await
        .expect("get")
        .bytes()
        .await
        .expect("body");
    let parse: Vec<Duration> = (0..300)
        .map(|_| {
            let t = Instant::now();
            let d: BatchCallDetailedResponse = serde_json::from_slice(&body).expect("parse");
            std::hint::black_box(d);
            t.elapsed()
        })
        .collect();
    let (mb, mo) = (median(base.clone()), median(ours.clone()));
    println!(
        "{recipients:>5} recipients ({size} B): bare reqwest median {:>8.1} µs p90 {:>8.1} µs | client median {:>8.1} µs p90 {:>8.1} µs | overhead median {:>8.1} µs (typed parse alone {:>8.1} µs) | get_batch_status overhead median {:>8.1} µs",
        mb.as_secs_f64() * 1e6,
        p90(base).as_secs_f64() * 1e6,
        mo.as_secs_f64() * 1e6,
        p90(ours).as_secs_f64() * 1e6,
        (mo.as_secs_f64() - mb.as_secs_f64()) * 1e6,
        median(parse).as_secs_f64() * 1e6,
        (median(light).as_secs_f64() - mb.as_secs_f64()) * 1e6,
    );
    h.shutdown().await;
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported here.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        for n in [1, 15, 100, 1000] {
            run(n).await;
        }
    });
}
