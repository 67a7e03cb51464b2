//! The web page in a real headless Chromium when the circuit breaker stops a batch: the
//! stop must stay on screen as a banner, in the service's words, and reach the audit
//! section. Skips loudly when Chromium is not installed (`apt-get install chromium`).

use crate::support::heavy;
use crate::support::service::*;
use crate::support::web_cdp::page::{open_preflight, wait_done};
use crate::support::web_cdp::{Browser, chromium};

/// Every call fails: the circuit breaker cancels the batch, and the page says so in a
/// banner that stays after the batch ends (not in a toast that goes away).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_page_shows_a_circuit_breaker_stop_prominently() {
    let Some(bin) = chromium() else {
        return;
    };
    let _alone = heavy().await;
    let sim = sim_with(5, 0.0, 0.0, 10, 60.0).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), true, true).await;
    let api = Api::new(svc.url(), None);
    let gid = group(&api, "Lista mala", 60, 5_000_000).await;

    let downloads = tempfile::tempdir().unwrap();
    let b = Browser::launch(&bin, downloads.path()).await;
    b.goto(&svc.url()).await;
    b.wait_for(
        &format!("document.querySelector('#groups li[data-group-id=\"{gid}\"]') && document.getElementById('phone-number').value"),
        "groups and phone numbers",
    )
    .await;
    let shown = open_preflight(&b, gid).await;
    assert_eq!(shown["count"], 60, "{shown}");
    // Up to two attempts: checked again, and the service's echo is what is shown.
    b.select("#pf-retry", "2").await;
    b.wait_for(
        "(document.querySelector('.pf-retry') || {}).innerText && document.querySelector('.pf-retry').innerText.includes('hasta 2 intentos') && !document.getElementById('preflight-confirm').disabled",
        "the retry policy checked again",
    )
    .await;
    b.click("#preflight-confirm").await;
    b.wait_for(
        "document.querySelector('#stop-banner[data-code=\"circuit_breaker\"]:not([hidden])')",
        "the circuit breaker banner",
    )
    .await;
    let batch = wait_done(&b, "").await;
    let status = api.get(&format!("/api/batch-calls/{batch}/status")).await;
    assert_eq!(
        status.body["data"]["auto_retry"]["max_attempts"], 2,
        "the policy chosen on the page"
    );
    // Stopped by the breaker: no automatic round follows.
    assert!(status.body["data"]["continued_by"].is_null());
    let page = b
        .eval("({ hidden: document.getElementById('stop-banner').hidden, role: document.getElementById('stop-banner').getAttribute('role'), text: document.getElementById('stop-banner').innerText, status: document.body.dataset.batchStatus })")
        .await;
    assert_eq!(page["status"], "cancelled", "{page}");
    assert_eq!(
        page["hidden"], false,
        "the banner stays once the batch has ended"
    );
    assert_eq!(page["role"], "alert");
    let audit = api.get(&format!("/api/audit?target={batch}")).await;
    let trip = audit.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "batch.circuit_breaker")
        .unwrap_or_else(|| panic!("{:?}", audit.body));
    let text = page["text"].as_str().unwrap();
    assert!(
        text.contains("Lote detenido") && text.contains("disyuntor"),
        "{text}"
    );
    assert!(
        text.contains(trip["details"]["message"].as_str().unwrap()),
        "the service's own words: {text}"
    );
    b.wait_for(
        &format!("document.querySelector('#audit tr[data-action=\"batch.circuit_breaker\"][data-target=\"{batch}\"]')"),
        "the stop in the audit section",
    )
    .await;
    // "Reanudar" resubmits the calls the breaker stopped before they were dialled, once.
    let stopped = api.get(&format!("/api/batch-calls/{batch}/status")).await;
    let undialled = stopped.body["data"]["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["conversation_id"].is_null())
        .count();
    assert!(undialled > 0, "{:?}", stopped.body["data"]["counts"]);
    let label = b
        .wait_for(
            "document.getElementById('resume-btn') && document.getElementById('resume-btn').innerText",
            "the resume button",
        )
        .await;
    assert!(
        label
            .as_str()
            .unwrap()
            .contains(&format!("{undialled} nunca llamados")),
        "{label}"
    );
    let submits = sim.request_count(SUBMIT_ENDPOINT);
    b.click("#resume-btn").await;
    b.click("#confirm-ok").await;
    b.wait_for(
        &format!(
            "document.body.dataset.batchId && document.body.dataset.batchId !== '{batch}' || null"
        ),
        "the page follows the new batch",
    )
    .await;
    let after = api.get(&format!("/api/batch-calls/{batch}/status")).await;
    let next = after.body["data"]["continued_by"]
        .as_str()
        .unwrap()
        .to_string();
    let resumed = api.get(&format!("/api/batch-calls/{next}/status")).await;
    assert_eq!(resumed.body["data"]["total_recipients"], undialled);
    assert_eq!(
        sim.request_count(SUBMIT_ENDPOINT),
        submits + 1,
        "one submit"
    );
    assert_eq!(
        b.js_errors(),
        Vec::<String>::new(),
        "uncaught errors in the page"
    );
    b.close().await;
    svc.shutdown().await;
    sim.shutdown().await;
}
