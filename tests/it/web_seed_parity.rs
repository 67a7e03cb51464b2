//! The web page's call button and monitoring as the seed's own code behaves, in a real
//! headless Chromium against `serve --no-auth` and the simulator: the button stays
//! disabled as "📞 Llamadas en Curso" until the batch ends; a failed start shows the
//! seed's "Error iniciando las llamadas" with the reason; without EventSource the polling
//! fallback stops at `partially_completed`. Skips loudly when Chromium is not installed.

use crate::support::heavy;
use crate::support::service::*;
use crate::support::web_cdp::page::{open_preflight, wait_done};
use crate::support::web_cdp::{Browser, chromium};
use serde_json::json;
use std::time::Duration;

const BUTTON: &str = "(() => { const b = document.getElementById('call-group-btn'); return { text: b.innerText, disabled: b.disabled }; })()";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_call_button_errors_and_polling_follow_the_seed() {
    let Some(bin) = chromium() else {
        return;
    };
    let _alone = heavy().await;
    // Half the calls fail, two lines, simulated time ×20: the batch runs for seconds and
    // ends partially completed.
    let sim = sim_with(11, 0.5, 0.0, 2, 20.0).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), true, true).await;
    let api = Api::new(svc.url(), None);
    let running = group(&api, "En curso", 6, 7_000_000).await;
    let refused = group(&api, "Rechazado", 2, 7_100_000).await;
    // A group with its own calling number: the workspace's second one.
    let numbers = api.get("/api/phone-numbers").await.body["data"].clone();
    let own_number = numbers[1]["phone_number_id"].as_str().unwrap().to_string();
    let own = api
        .post(
            "/api/groups",
            json!({"name": "Número propio", "agentPhoneNumberId": own_number}),
        )
        .await;
    assert_eq!(own.status, 201, "{:?}", own.body);
    let own = own.body["data"]["id"].as_u64().unwrap();

    let downloads = tempfile::tempdir().unwrap();
    let b = Browser::launch(&bin, downloads.path()).await;
    b.goto(&svc.url()).await;
    b.wait_for(
        &format!("document.querySelector('#groups li[data-group-id=\"{refused}\"]') && document.getElementById('phone-number').value"),
        "groups and phone numbers",
    )
    .await;

    // A confirmation cancelled and another opened at once (a quick supervisor): the first
    // one's late `close` must not answer the second.
    let answers = b
        .eval(
            "(async () => { const first = confirmAction('a', 'b', 'ok'); document.getElementById('confirm-cancel').click(); \
             const second = confirmAction('c', 'd', 'ok'); await new Promise((r) => setTimeout(r, 50)); \
             document.getElementById('confirm-ok').click(); return [await first, await second]; })()",
        )
        .await;
    assert_eq!(answers, json!([false, true]), "cancel, then confirm");

    // 0. Choosing a group with its own number preselects that number in the header (the
    //    number the page sends wins over the group's).
    let first = b
        .eval("document.getElementById('phone-number').value")
        .await;
    assert_ne!(first, own_number, "the header starts on the first number");
    b.click(&format!("#groups li[data-group-id=\"{own}\"]"))
        .await;
    let chosen = b
        .eval("({ number: document.getElementById('phone-number').value, info: document.getElementById('group-info').innerText })")
        .await;
    assert_eq!(chosen["number"], own_number, "{chosen}");
    assert!(
        chosen["info"].as_str().unwrap().contains(&own_number),
        "{chosen}"
    );

    // 1. While the calls run the button says so and cannot be pressed, even when the
    //    group is chosen again; it comes back with the seed's onBatchCompleted.
    open_preflight(&b, running).await;
    b.click("#preflight-confirm").await;
    let batch = b
        .wait_for(
            "document.body.dataset.batchId",
            "the started batch on screen",
        )
        .await;
    let batch = batch.as_str().unwrap().to_string();
    let during = b.eval(BUTTON).await;
    assert!(
        during["text"]
            .as_str()
            .unwrap()
            .contains("Llamadas en Curso"),
        "{during}"
    );
    assert_eq!(during["disabled"], true, "{during}");
    b.wait_for(
        &format!("selectedGroup && selectedGroup.lastBatch && selectedGroup.lastBatch.batchId === '{batch}'"),
        "the group list reloaded with the new batch",
    )
    .await;
    b.click(&format!("#groups li[data-group-id=\"{running}\"]"))
        .await;
    let again = b.eval(BUTTON).await;
    let view = api.get(&format!("/api/batch-calls/{batch}/status")).await;
    if !matches!(
        view.body["data"]["status"].as_str(),
        Some("completed" | "partially_completed" | "failed" | "cancelled")
    ) {
        assert_eq!(
            again["disabled"], true,
            "chosen again while running: {again}"
        );
    }
    wait_done(&b, "").await;
    let after = b.eval(BUTTON).await;
    assert!(
        after["text"]
            .as_str()
            .unwrap()
            .contains("Llamadas Completadas"),
        "{after}"
    );
    assert_eq!(after["disabled"], false, "{after}");
    let status = api.get(&format!("/api/batch-calls/{batch}/status")).await;
    assert_eq!(
        status.body["data"]["status"], "partially_completed",
        "the polling check below needs a partially completed batch"
    );

    // 2. A start the service refuses: the seed's words, then the service's reason.
    open_preflight(&b, refused).await;
    let first = api
        .post(
            &format!("/api/groups/{refused}/call"),
            json!({"userId": 19, "agentPhoneNumberId": phone_id(&api).await}),
        )
        .await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    b.click("#preflight-confirm").await;
    let error = b
        .wait_for(
            "(() => { const e = document.getElementById('pf-error'); return e && !e.hidden && e.innerText; })()",
            "the start's error",
        )
        .await;
    let error = error.as_str().unwrap();
    assert!(
        error.contains(
            "Error iniciando las llamadas: El grupo «Rechazado» ya tiene llamadas en curso"
        ),
        "{error}"
    );

    // 3. Without EventSource the page polls every 5 s; a partially completed batch ends
    //    the polling (the seed's own fallback only stops at completed/cancelled/failed).
    b.cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": "delete window.EventSource;"}),
    )
    .await;
    b.goto(&format!("{}/?batch={batch}", svc.url())).await;
    b.wait_for(
        "!('EventSource' in window) && document.body.dataset.batchState === 'done'",
        "the polled batch to finish on the page",
    )
    .await;
    let polls = || {
        b.requests_matching(&format!("/api/batch-calls/{batch}/status"))
            .into_iter()
            .filter(|r| !r.contains("/stream"))
            .count()
    };
    let at_end = polls();
    assert!(at_end >= 1, "the page polled the status");
    tokio::time::sleep(Duration::from_millis(6_000)).await;
    assert_eq!(polls(), at_end, "no status polls after the batch ended");
    assert!(b.js_errors().is_empty(), "{:?}", b.js_errors());
    b.close().await;
}
