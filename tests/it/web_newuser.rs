//! Issue 14 on the web page, in a real headless Chromium against `serve --demo-data` with
//! auth on: the token is asked once, in one place, with nothing failing behind it; times
//! are in the campaign's zone and say so; `?batch=ID` opens that batch; status chips are
//! Spanish; the progress bar counts what the KPIs count. Skips loudly without Chromium
//! (fails when CI=true).

use crate::support::heavy;
use crate::support::service::*;
use crate::support::web_cdp::page::open_preflight;
use crate::support::web_cdp::{Browser, chromium};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_page_asks_for_the_token_once_and_speaks_the_supervisors_language() {
    let Some(bin) = chromium() else {
        return;
    };
    let _alone = heavy().await;
    let sim = sim(900.0, 7).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), false, true).await;
    let token = svc.demo_token.clone().expect("the demo user was created");
    // The token can be had again, from a file only its owner reads.
    let kept = std::fs::read_to_string(dir.path().join("demo-user-19.token")).unwrap();
    assert_eq!(kept.trim(), token.expose());

    let downloads = tempfile::tempdir().unwrap();
    let b = Browser::launch(&bin, downloads.path()).await;
    b.goto(&svc.url()).await;
    b.wait_for(
        "!document.getElementById('auth-panel').hidden",
        "the token panel",
    )
    .await;
    // Give the sections behind it time to fail: nothing red may show.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let before = b
        .eval("({ main: getComputedStyle(document.querySelector('main')).display, notes: document.getElementById('notifications').children.length, fields: document.querySelectorAll('input[type=password]').length, text: document.getElementById('auth-panel').innerText })")
        .await;
    assert_eq!(before["main"], "none", "{before}");
    assert_eq!(
        before["notes"], 0,
        "no error toasts behind the panel: {before}"
    );
    assert_eq!(
        before["fields"], 1,
        "one place asks for the token: {before}"
    );
    assert!(
        before["text"]
            .as_str()
            .unwrap()
            .contains("demo-user-19.token"),
        "{before}"
    );
    std::fs::write(dir.path().join("auth-panel.png"), b.screenshot().await).unwrap();

    // A wrong token is said so, and the panel stays.
    b.type_into("#auth-token", "cb_wrong").await;
    b.click("#auth-form button[type=submit]").await;
    b.wait_for(
        "document.getElementById('auth-msg').innerText.includes('no es válido')",
        "the refusal",
    )
    .await;
    // A saved token that no longer works (revoked, or another service's) is said so, with
    // nothing red behind the panel, and a new one replaces it: the stale one is not sent
    // in its place.
    b.eval("localStorage.setItem('callboard.token', 'cb_stale')")
        .await;
    b.goto(&svc.url()).await;
    b.wait_for(
        "!document.getElementById('auth-panel').hidden && document.getElementById('auth-msg').innerText.includes('ya no sirve')",
        "the stale token said so",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let stale = b
        .eval("document.getElementById('notifications').children.length")
        .await;
    assert_eq!(
        stale, 0,
        "no error toasts behind the panel for a stale token"
    );
    b.type_into("#auth-token", token.expose()).await;
    b.click("#auth-form button[type=submit]").await;
    b.wait_for(
        "document.getElementById('auth-panel').hidden && document.querySelectorAll('#groups li[data-group-id]').length >= 4",
        "the groups after the token",
    )
    .await;
    let tz = b.eval("document.getElementById('tz-note').innerText").await;
    assert!(tz.as_str().unwrap().contains("hora de Bogotá"), "{tz}");

    // A group whose valid phones all lack the agent's data: how many are ready now,
    // and why the rest are not, in plain words (finding 9).
    let shown = open_preflight(&b, 57).await;
    let text = shown["text"].as_str().unwrap();
    assert!(text.contains("Listos para llamar ahora: 0 de 5"), "{text}");
    assert!(
        text.contains("les faltan datos que usa el agente"),
        "{text}"
    );
    assert!(
        !text.contains("skipIncomplete") && !text.contains("Se marcará"),
        "{text}"
    );
    assert_eq!(shown["confirmDisabled"], true, "{shown}");
    b.click("#preflight-cancel").await;

    // A batch started elsewhere opens with ?batch=ID (the token is remembered).
    let api = Api::new(svc.url(), Some(token.expose()));
    let groups = api.get("/api/groups").await;
    let live = groups.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Seguimiento Cardiología")
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let phone = sim.phone_number_ids()[0].clone();
    let started = api
        .post(
            &format!("/api/groups/{live}/call"),
            json!({ "userId": 19, "agentPhoneNumberId": phone }),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    let batch = started.body["data"]["batchId"]
        .as_str()
        .unwrap()
        .to_string();
    b.goto(&format!("{}/?batch={batch}", svc.url())).await;
    b.wait_for(
        &format!("document.body.dataset.batchId === '{batch}' && document.body.dataset.batchState === 'done'"),
        "the batch asked for, finished",
    )
    .await;
    let page = b
        .eval("({ bar: document.getElementById('batch-progress').innerText, status: document.getElementById('batch-status').innerText, chips: [...document.querySelectorAll('#recipients .status')].map((c) => c.innerText), kpi: document.querySelector('#kpi-numbers') ? document.querySelector('#kpi-numbers').innerText : '' })")
        .await;
    let status = api.get(&format!("/api/batch-calls/{batch}/status")).await;
    let recipients = status.body["data"]["recipients"].as_array().unwrap();
    let ended = recipients
        .iter()
        .filter(|r| ["completed", "failed", "voicemail"].contains(&r["status"].as_str().unwrap()))
        .count();
    let bar = page["bar"].as_str().unwrap();
    assert!(
        bar.starts_with(&format!("{ended}/{} terminadas", recipients.len())),
        "{page}"
    );
    assert!(
        page["status"]
            .as_str()
            .unwrap()
            .starts_with("Estado del lote: "),
        "{page}"
    );
    for chip in page["chips"].as_array().unwrap() {
        let c = chip.as_str().unwrap();
        assert!(
            ["completada", "fallida", "buzón de voz", "cancelada"].contains(&c),
            "a status chip in English: {c}"
        );
    }
    std::fs::write(dir.path().join("batch.png"), b.screenshot().await).unwrap();
    if let Ok(keep) = std::env::var("CALLBOARD_KEEP_SCREENSHOTS") {
        for f in ["auth-panel.png", "batch.png"] {
            let _ = std::fs::copy(dir.path().join(f), std::path::Path::new(&keep).join(f));
        }
    }
    assert_eq!(
        b.js_errors(),
        Vec::<String>::new(),
        "uncaught errors in the page"
    );
    b.close().await;
    svc.shutdown().await;
    sim.shutdown().await;
}
