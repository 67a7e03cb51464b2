//! The web page's live stream in a real headless Chromium (issue 15, item 4): a batch the
//! service does not have is refused with a 404 before any stream opens and the page says so
//! and stops, instead of reconnecting every 5 s for ever; after a fatal `error` event (the
//! batch vanished upstream) the page stops too. Skips loudly when Chromium is not installed.

use crate::support::heavy;
use crate::support::service::*;
use crate::support::web_cdp::{Browser, chromium};
use std::time::Duration;

/// Longer than the 5 s a browser (and the seed's code) waits before reconnecting.
const LONGER_THAN_A_RECONNECT: Duration = Duration::from_secs(7);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_page_stops_following_a_batch_that_is_refused_or_gone() {
    let Some(bin) = chromium() else {
        return;
    };
    let _alone = heavy().await;
    let sim = sim(1.0, 9).await; // slow: the batch stays in progress
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), true, true).await;
    let api = Api::new(svc.url(), None);
    let downloads = tempfile::tempdir().unwrap();
    let b = Browser::launch(&bin, downloads.path()).await;

    // 1. A batch nobody has: one refused request, the service's words, no reconnection.
    b.goto(&format!("{}/?batch=btcal_nadie", svc.url())).await;
    b.wait_for(
        "document.body.dataset.streamState === 'stopped'",
        "the page to give up on the stream",
    )
    .await;
    let notes = b
        .eval("document.getElementById('notifications').innerText")
        .await;
    assert!(
        notes
            .as_str()
            .unwrap()
            .contains("No se encontró el batch call"),
        "{notes}"
    );
    tokio::time::sleep(LONGER_THAN_A_RECONNECT).await;
    let tries = b.requests_matching("/api/batch-calls/btcal_nadie/status/stream");
    assert_eq!(tries.len(), 1, "no reconnection: {tries:?}");

    // 2. A live batch that vanishes upstream: a fatal `error` event, then nothing more.
    let phone = phone_id(&api).await;
    let started = api
        .post(
            "/api/groups/55/call",
            serde_json::json!({"userId": 19, "agentPhoneNumberId": phone}),
        )
        .await;
    assert_eq!(started.status, 200, "{:?}", started.body);
    let batch = started.body["data"]["batchId"]
        .as_str()
        .unwrap()
        .to_string();
    b.goto(&format!("{}/?batch={batch}", svc.url())).await;
    b.wait_for(
        "document.body.dataset.streamState === 'open' && document.querySelectorAll('#recipients tbody tr').length > 0",
        "the batch live on the page",
    )
    .await;
    sim.set_faults(callboard::sim::FaultConfig {
        not_found_rate: 1.0,
        endpoints: vec![BATCH_ENDPOINT.into()],
        ..Default::default()
    });
    b.wait_for(
        "document.body.dataset.streamState === 'stopped'",
        "the page to stop after the fatal error",
    )
    .await;
    let notes = b
        .eval("document.getElementById('notifications').innerText")
        .await;
    assert!(
        notes.as_str().unwrap().contains("ElevenLabs no encuentra"),
        "{notes}"
    );
    sim.set_faults(callboard::sim::FaultConfig::default());
    tokio::time::sleep(LONGER_THAN_A_RECONNECT).await;
    let tries = b.requests_matching(&format!("/api/batch-calls/{batch}/status/stream"));
    assert_eq!(
        tries.len(),
        1,
        "no reconnection after a fatal error: {tries:?}"
    );
    assert!(b.js_errors().is_empty(), "{:?}", b.js_errors());
    b.close().await;
    svc.shutdown().await;
    sim.shutdown().await;
}
