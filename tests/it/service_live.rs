//! The live hub under load and across restarts: many SSE viewers share one upstream
//! poller; upstream faults become `error` events while the stream continues; a restart
//! with the same data dir neither resubmits nor refetches; shutdown ends open streams.

use crate::support::service::*;
use serde_json::json;
use std::time::{Duration, Instant};

async fn start_batch(api: &Api, group: u64, phone_id: &str) -> String {
    let r = api
        .post(
            &format!("/api/groups/{group}/call"),
            json!({"userId": 19, "agentPhoneNumberId": phone_id}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["data"]["batchId"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn many_viewers_share_one_poller_and_all_see_the_end() {
    let sim = sim(300.0, 11).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), true, true).await;
    let api = Api::new(svc.url(), None);
    let phone = sim.phone_number_ids()[0].clone();
    let batch = start_batch(&api, 55, &phone).await;
    let started = Instant::now();
    let viewers = 60;
    let mut tasks = Vec::new();
    for _ in 0..viewers {
        let api = api.clone();
        let batch = batch.clone();
        tasks.push(tokio::spawn(async move {
            read_sse(open_stream(&api, &batch).await, Duration::from_secs(60))
                .await
                .0
        }));
    }
    let mut finals = Vec::new();
    for t in tasks {
        let events = t.await.unwrap();
        let last = events.last().expect("events").clone();
        assert_eq!(
            last.event,
            "batch-completed",
            "{:?}",
            events.iter().map(|e| &e.event).collect::<Vec<_>>()
        );
        finals.push(last.data["data"].clone());
    }
    assert!(
        finals.windows(2).all(|w| w[0] == w[1]),
        "every viewer saw the same final state"
    );
    // One poller: polls follow the clock, not the number of viewers (100 ms interval).
    let elapsed = started.elapsed().as_millis() as u64;
    let polls = sim.request_count(BATCH_ENDPOINT);
    assert!(
        polls <= elapsed / 100 + 10,
        "{polls} polls in {elapsed} ms for {viewers} viewers"
    );
    assert_eq!(
        svc.state().hub().ok().map(|h| h.active_pollers()),
        Some(0),
        "poller stopped when final and unwatched"
    );
    svc.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn upstream_faults_become_error_events_and_the_stream_goes_on() {
    let sim = sim(300.0, 5).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), Some(&sim.url()));
    cfg.elevenlabs.max_retries = 0;
    let svc = serve(cfg, true, true).await;
    let api = Api::new(svc.url(), None);
    let phone = sim.phone_number_ids()[0].clone();
    let batch = start_batch(&api, 55, &phone).await;
    sim.set_faults(callboard::sim::FaultConfig {
        error_503_rate: 1.0,
        endpoints: vec![BATCH_ENDPOINT.into(), CONV_ENDPOINT.into()],
        max_faults: Some(3),
        ..Default::default()
    });
    let (events, _) = read_sse(open_stream(&api, &batch).await, Duration::from_secs(60)).await;
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert!(names.contains(&"error"), "{names:?}");
    let err = events.iter().find(|e| e.event == "error").unwrap();
    assert!(
        err.data["message"].as_str().unwrap().contains("ElevenLabs"),
        "{:?}",
        err.data
    );
    assert_eq!(names.last(), Some(&"batch-completed"), "{names:?}");
    // Every completed call ends up enriched although fetches failed on the way.
    let st = api.get(&format!("/api/batch-calls/{batch}/status")).await;
    for r in st.body["data"]["recipients"].as_array().unwrap() {
        if r["status"] == "completed" {
            assert!(
                r["transcript"].is_array() && r.get("enrichment_error").is_none(),
                "{r:?}"
            );
        }
    }
    svc.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn restart_mid_batch_resumes_without_resubmitting_or_refetching() {
    let sim = sim(60.0, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), Some(&sim.url()));
    let svc = serve(cfg.clone(), true, true).await;
    let api = Api::new(svc.url(), None);
    let phone = sim.phone_number_ids()[0].clone();
    let batch = start_batch(&api, 55, &phone).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mid = api.get(&format!("/api/batch-calls/{batch}/status")).await;
    assert_eq!(
        mid.body["data"]["status"], "in_progress",
        "restart happens mid-batch"
    );
    svc.shutdown().await;

    // Same data dir: the batch is known, watched again, and nobody is dialled twice.
    let svc = serve(cfg.clone(), true, true).await;
    let api = Api::new(svc.url(), None);
    // Recovery runs behind the service's start: the batch is adopted within moments.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while svc.state().hub().ok().map(|h| h.active_pollers()) != Some(1) {
        assert!(std::time::Instant::now() < deadline, "resumed watching");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (events, _) = read_sse(open_stream(&api, &batch).await, Duration::from_secs(90)).await;
    assert_eq!(events.last().unwrap().event, "batch-completed");
    assert_eq!(sim.request_count(SUBMIT_ENDPOINT), 1, "no resubmission");
    let fetched = sim.request_count(CONV_ENDPOINT);
    assert!(fetched > 0);
    svc.shutdown().await;

    // Another restart: the enriched status comes from the cache, no conversation refetched.
    let svc = serve(cfg, true, true).await;
    let st = Api::new(svc.url(), None)
        .get(&format!("/api/batch-calls/{batch}/status"))
        .await;
    let completed = st.body["data"]["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "completed")
        .count();
    assert!(completed > 0);
    assert!(
        st.body["data"]["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == "completed")
            .all(|r| r["transcript"].is_array())
    );
    assert_eq!(
        sim.request_count(CONV_ENDPOINT),
        fetched,
        "cache kept across restarts"
    );
    svc.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_open_streams_promptly_and_limits_streams_per_token() {
    let sim = sim(1.0, 9).await; // slow: the batch stays in progress
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), Some(&sim.url()));
    cfg.service.max_streams_per_token = 2;
    cfg.service.sse_timeout_secs = 3600;
    let svc = serve(cfg, false, true).await;
    let token = svc.demo_token.as_ref().unwrap().expose().to_string();
    let api = Api::new(svc.url(), Some(&token));
    let phone = sim.phone_number_ids()[0].clone();
    let batch = start_batch(&api, 55, &phone).await;
    let s1 = open_stream(&api, &batch).await;
    let s2 = open_stream(&api, &batch).await;
    let third = api
        .get(&format!("/api/batch-calls/{batch}/status/stream"))
        .await;
    assert_error(&third, 429, "too_many_streams");
    let readers = [s1, s2].map(|s| tokio::spawn(read_sse(s, Duration::from_secs(30))));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let t = Instant::now();
    svc.shutdown().await;
    for r in readers {
        let (events, comments) = r.await.unwrap();
        assert_eq!(events[0].event, "connected");
        assert!(events.iter().any(|e| e.event == "status-update"));
        assert!(comments >= 1, "keep-alive comments sent (1 s in this test)");
    }
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "streams ended with the service: {:?}",
        t.elapsed()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn stream_times_out_with_the_seed_event() {
    let sim = sim(1.0, 9).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), Some(&sim.url()));
    cfg.service.sse_timeout_secs = 1;
    let svc = serve(cfg, true, true).await;
    let api = Api::new(svc.url(), None);
    let phone = sim.phone_number_ids()[0].clone();
    let batch = start_batch(&api, 55, &phone).await;
    let (events, _) = read_sse(open_stream(&api, &batch).await, Duration::from_secs(10)).await;
    let last = events.last().unwrap();
    assert_eq!(last.event, "timeout");
    assert!(last.data["message"].as_str().unwrap().contains("timeout"));
    svc.shutdown().await;
    sim.shutdown().await;
}
