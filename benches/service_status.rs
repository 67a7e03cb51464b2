//! Cached `GET /api/batch-calls/:id/status` for a 1,000-recipient enriched batch: requests
//! per second with 32 keep-alive clients for 5 s. callboard answers from the snapshot's
//! body rendered once per change. Baseline (same run, same server, same data): a route
//! that serialises the same view on every request. Also measured: the same status for a
//! client that accepts gzip (the snapshot's gzipped copy), and revalidation (304).
//!
//! cargo bench --bench service_status

#[path = "service_common/mod.rs"]
mod common;

use callboard::config::Config;
use callboard::service::ServeOptions;
use callboard::sim::SimOptions;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const CLIENTS: usize = 32;
const RUN: Duration = Duration::from_secs(5);

async fn load(url: String) -> (f64, usize) {
    load_with(url, None, false).await
}

/// `gzip`: ask for the gzipped body (counted as it comes, compressed).
async fn load_with(url: String, etag: Option<String>, gzip: bool) -> (f64, usize) {
    let done = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let stop = Instant::now() + RUN;
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (url, done, bytes, etag) = (url.clone(), done.clone(), bytes.clone(), etag.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            while Instant::now() < stop {
                let mut req = http.get(&url);
                if let Some(t) = &etag {
                    req = req.header("if-none-match", t);
                }
                if gzip {
                    req = req.header("accept-encoding", "gzip");
                }
                if let Ok(r) = req.send().await
                    && (r.status().is_success() || r.status().as_u16() == 304)
                    && let Ok(b) = r.bytes().await
                {
                    bytes.store(b.len() as u64, Ordering::Relaxed);
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    (
        done.load(Ordering::Relaxed) as f64 / RUN.as_secs_f64(),
        bytes.load(Ordering::Relaxed) as usize,
    )
}

#[tokio::main]
async fn main() {
    let sim = callboard::sim::start(
        SimOptions {
            seed: 4,
            speed: 100_000.0,
            pickup_rate: 0.8,
            voicemail_rate: 0.1,
            concurrency: 500,
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
    cfg.elevenlabs.api_key = Some(callboard::secret::Secret::new("sk_bench"));
    cfg.service.enrich_concurrency = 64;
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
    // 1,000 clients in one group, called through the service.
    let base = svc.url();
    let http = reqwest::Client::new();
    let g: serde_json::Value = http
        .post(format!("{base}/api/groups"))
        .json(&serde_json::json!({"name": "Bench", "variables": {"especialidad": "Pediatría", "ciudad": "Cali"}}))
        .send().await.unwrap().json().await.unwrap();
    let gid = g["data"]["id"].as_u64().unwrap();
    let clients: Vec<_> = (0..1000).map(|i| serde_json::json!({"name": format!("Cliente {i}"), "phone": format!("30{:08}", 10_000_000 + i)})).collect();
    http.post(format!("{base}/api/groups/{gid}/clients"))
        .json(&clients)
        .send()
        .await
        .unwrap();
    http.post(format!("{base}/api/users"))
        .json(&serde_json::json!({"name": "B", "agentId": sim.first_agent_id(), "id": 1}))
        .send()
        .await
        .unwrap();
    let phone = sim.phone_number_ids()[0].clone();
    let r: serde_json::Value = http
        .post(format!("{base}/api/groups/{gid}/call"))
        .json(&serde_json::json!({"userId": 1, "agentPhoneNumberId": phone}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let batch = r["data"]["batchId"].as_str().expect("batch").to_string();
    let url = format!("{base}/api/batch-calls/{batch}/status");
    loop {
        let v: serde_json::Value = http.get(&url).send().await.unwrap().json().await.unwrap();
        let s = v["data"]["status"].as_str().unwrap_or_default().to_string();
        if s == "completed" || s == "partially_completed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let polls_before = sim.request_count("GET /v1/convai/batch-calling/{batch_id}");
    let (rps, size) = load(url.clone()).await;
    let polls = sim.request_count("GET /v1/convai/batch-calling/{batch_id}") - polls_before;
    println!(
        "callboard  cached status: {rps:>8.0} req/s  ({size} bytes per answer, {polls} upstream polls during the run)"
    );
    let etag = http.get(&url).send().await.unwrap().headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    let (rps, size) = load_with(url.clone(), None, true).await;
    println!(
        "callboard  cached status, gzip accepted: {rps:>8.0} req/s  ({size} bytes per answer)"
    );
    let (rps, size) = load_with(url.clone(), Some(etag), false).await;
    println!(
        "callboard  revalidation (If-None-Match, 304): {rps:>8.0} req/s  ({size} bytes per answer)"
    );

    // Baseline: same view, serialised per request.
    let view: callboard::api::BatchStatusView = {
        let v: serde_json::Value = http.get(&url).send().await.unwrap().json().await.unwrap();
        serde_json::from_value(v["data"].clone()).unwrap()
    };
    let view = Arc::new(view);
    let app = axum::Router::new().route(
        "/status",
        axum::routing::get(move || {
            let view = view.clone();
            async move {
                axum::Json(callboard::api::Envelope::ok(
                    "Estado del batch call obtenido exitosamente",
                    (*view).clone(),
                ))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    let (rps, size) = load(format!("http://{addr}/status")).await;
    println!("baseline   serialise per request: {rps:>8.0} req/s  ({size} bytes per answer)");
    svc.shutdown().await;
    sim.shutdown().await;
}
