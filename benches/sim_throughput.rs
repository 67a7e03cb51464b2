//! Simulator throughput: batch-status GETs per second for a 1,000-recipient batch, from a
//! few keep-alive connections, against the tiny `GET /v1/convai/phone-numbers` measured in
//! the same run as the baseline. Once with the batch between changes (speed 1: the cached
//! view is served) and once changing every virtual second (speed 1000: re-rendered ~1,000
//! times a second).
//!
//! Run: `cargo bench --bench sim_throughput` (release profile).

use callboard::sim::{self, SimOptions};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 4;
const SECONDS: f64 = 4.0;

async fn load(url: String, gzip: bool) -> (f64, usize) {
    let done = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs_f64(SECONDS);
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (url, done, bytes) = (url.clone(), done.clone(), bytes.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            while Instant::now() < until {
                let mut req = http.get(&url).header("xi-api-key", "k");
                if gzip {
                    // Like wrk/oha: ask for gzip, count the bytes, do not inflate them.
                    req = req.header("accept-encoding", "gzip");
                }
                let resp = req.send().await.expect("get");
                assert!(resp.status().is_success());
                let b = resp.bytes().await.expect("body");
                bytes.store(b.len() as u64, Ordering::Relaxed);
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    (
        done.load(Ordering::Relaxed) as f64 / SECONDS,
        bytes.load(Ordering::Relaxed) as usize,
    )
}

async fn run(speed: f64) {
    let h = sim::start(
        SimOptions {
            speed,
            concurrency: 20,
            ..SimOptions::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("sim");
    let recipients: Vec<_> = (0..1000)
        .map(|i| json!({ "phone_number": format!("+57300{i:07}"), "conversation_initiation_client_data": {
            "dynamic_variables": { "name": format!("Dr. {i}"), "especialidad": "Cardiología", "ciudad": "Cali" } } }))
        .collect();
    let body = json!({ "call_name": "bench", "agent_id": h.first_agent_id(), "agent_phone_number_id": h.phone_number_ids()[0], "recipients": recipients });
    let resp = reqwest::Client::new()
        .post(format!("{}/v1/convai/batch-calling/submit", h.url()))
        .header("xi-api-key", "k")
        .json(&body)
        .send()
        .await
        .expect("submit");
    let b: serde_json::Value = resp.json().await.expect("json");
    let id = b["id"].as_str().expect("id").to_string();
    let (base, base_size) = load(format!("{}/v1/convai/phone-numbers", h.url()), false).await;
    let url = format!("{}/v1/convai/batch-calling/{id}", h.url());
    let (plain, size) = load(url.clone(), false).await;
    let (gz, gz_size) = load(url, true).await;
    println!(
        "speed {speed:>6}: baseline phone-numbers GET ({base_size} B) {base:>7.0}/s | batch GET plain ({size} B) {plain:>7.0}/s ratio {:.2} | batch GET gzip ({gz_size} B) {gz:>7.0}/s ratio {:.2}",
        plain / base,
        gz / base
    );
    h.shutdown().await;
}

/// Latency of single GETs of a 10,000-recipient batch and of the list with 100 batches.
async fn big(speed: f64) {
    let h = sim::start(
        SimOptions {
            speed,
            concurrency: 50,
            ..SimOptions::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("sim");
    let http = reqwest::Client::new();
    let submit = |n: usize, name: String| {
        let recipients: Vec<_> = (0..n)
            .map(|i| json!({ "phone_number": format!("+57300{i:07}"), "conversation_initiation_client_data": {
                "dynamic_variables": { "name": format!("Dr. {i}"), "especialidad": "Cardiología", "ciudad": "Cali" } } }))
            .collect();
        let body = json!({ "call_name": name, "agent_id": h.first_agent_id(), "agent_phone_number_id": h.phone_number_ids()[0], "recipients": recipients });
        let req = http
            .post(format!("{}/v1/convai/batch-calling/submit", h.url()))
            .header("xi-api-key", "k")
            .json(&body);
        async move {
            let v: serde_json::Value = req
                .send()
                .await
                .expect("submit")
                .json()
                .await
                .expect("json");
            v["id"].as_str().expect("id").to_string()
        }
    };
    let id = submit(10_000, "grande".into()).await;
    for i in 0..99 {
        submit(100, format!("lote {i}")).await;
    }
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..60 {
        let t = Instant::now();
        let b = http
            .get(format!("{}/v1/convai/batch-calling/{id}", h.url()))
            .header("xi-api-key", "k")
            .send()
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body");
        times.push(t.elapsed());
        size = b.len();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    times.sort();
    let mut list = Vec::new();
    for _ in 0..60 {
        let t = Instant::now();
        http.get(format!("{}/v1/convai/batch-calling/workspace", h.url()))
            .header("xi-api-key", "k")
            .send()
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body");
        list.push(t.elapsed());
    }
    list.sort();
    println!(
        "speed {speed:>6}: GET 10,000-recipient batch ({size} B, 100 batches in workspace) median {:.1} ms max {:.1} ms | workspace list median {:.2} ms max {:.2} ms",
        times[30].as_secs_f64() * 1e3,
        times[59].as_secs_f64() * 1e3,
        list[30].as_secs_f64() * 1e3,
        list[59].as_secs_f64() * 1e3,
    );
    h.shutdown().await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        run(1.0).await;
        run(1000.0).await;
        big(1.0).await;
        big(1000.0).await;
    });
}
