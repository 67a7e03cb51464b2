//! The page's sections that need no finished batch, in a real headless Chromium against
//! `serve --no-auth` and the simulator: the do-not-call list (a refused phone keeps what was
//! typed and shows the service's message; add, CSV import and removal after a confirmation
//! reach the API), and the status fields the service is about to fill (stop reason,
//! automatic retries, continuation), rendered from a view shaped as the API contract says.
//! Skips loudly when Chromium is not installed (`apt-get install chromium`).

use crate::support::heavy;
use crate::support::service::*;
use crate::support::web_cdp::{Browser, chromium};
use serde_json::json;
use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_page_manages_the_do_not_call_list_and_renders_stop_and_retry_fields() {
    let Some(bin) = chromium() else {
        return;
    };
    let _alone = heavy().await;
    let sim = sim(900.0, 7).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), true, true).await;
    let api = Api::new(svc.url(), None);
    let downloads = tempfile::tempdir().unwrap();
    let b = Browser::launch(&bin, downloads.path()).await;
    b.goto(&svc.url()).await;
    b.wait_for(
        "document.querySelector('#optouts tbody tr')",
        "the do-not-call list",
    )
    .await;
    // With no batch on screen there is nothing to export or measure.
    let shown = b
        .eval("['export-actions', 'kpi-section', 'stop-banner'].map((id) => getComputedStyle(document.getElementById(id)).display)")
        .await;
    assert_eq!(shown, json!(["none", "none", "none"]));
    optout_section(&b, &api, dir.path()).await;
    future_fields_render(&b).await;
    assert_eq!(
        b.js_errors(),
        Vec::<String>::new(),
        "uncaught errors in the page"
    );
    b.close().await;
    svc.shutdown().await;
    sim.shutdown().await;
}

/// The do-not-call section: a refused phone keeps what was typed and says why; add, CSV
/// import and removal (after a confirmation) reach the API.
async fn optout_section(b: &Browser, api: &Api, dir: &Path) {
    b.type_into("#optout-phone", "abc").await;
    b.click("#optout-add").await;
    b.wait_for("document.querySelector('#optout-msg.error')", "the refusal")
        .await;
    let refused = api.post("/api/optouts", json!({"phone": "abc"})).await;
    let state = b
        .eval("({ msg: document.getElementById('optout-msg').innerText, value: document.getElementById('optout-phone').value, invalid: document.getElementById('optout-phone').getAttribute('aria-invalid') })")
        .await;
    assert!(
        state["msg"]
            .as_str()
            .unwrap()
            .contains(refused.body["message"].as_str().unwrap()),
        "the service's message: {state}"
    );
    assert_eq!(state["value"], "abc", "what the user typed is kept");
    assert_eq!(state["invalid"], "true");

    b.type_into("#optout-phone", "310 555 0101").await;
    b.type_into("#optout-reason", "RNE").await;
    b.click("#optout-add").await;
    b.wait_for(
        "document.querySelector('#optouts tr[data-phone=\"+573105550101\"]')",
        "the added phone",
    )
    .await;
    assert_eq!(
        b.eval("document.getElementById('optout-phone').value")
            .await,
        ""
    );

    let csv = dir.join("no-llamar.csv");
    std::fs::write(&csv, "telefono;motivo\n3105550102;RNE\nxx;RNE\n").unwrap();
    b.set_files("#optout-file", &[&csv]).await;
    b.click("#optout-import").await;
    b.wait_for(
        "document.querySelector('#optouts tr[data-phone=\"+573105550102\"]')",
        "the imported phone",
    )
    .await;
    let msg = b
        .eval("document.getElementById('optout-msg').innerText")
        .await;
    assert!(msg.as_str().unwrap().contains("1 nuevos"), "{msg}");
    assert!(
        msg.as_str().unwrap().contains("Línea 3"),
        "rejected rows listed: {msg}"
    );

    b.click("#optouts tr[data-phone=\"+573105550101\"] .optout-remove")
        .await;
    b.wait_for(
        "document.getElementById('confirm-dialog').open",
        "the confirmation",
    )
    .await;
    b.click("#confirm-ok").await;
    b.wait_for(
        "!document.querySelector('#optouts tr[data-phone=\"+573105550101\"]')",
        "the removal",
    )
    .await;
    let listed = api.get("/api/optouts").await.body["data"].to_string();
    assert!(
        !listed.contains("+573105550101") && listed.contains("+573105550102"),
        "{listed}"
    );
}

/// Fields the service is about to fill (the sim gives none yet): rendered from a status
/// view shaped as the API contract says.
async fn future_fields_render(b: &Browser) {
    let shown = b
        .eval(r#"(() => {
            const at = Math.floor(Date.now() / 1000) + 3600;
            cbRenderBatchExtras({ batch_id: 'btcal_actual',
              stop_reason: { code: 'circuit_breaker', message: 'Lote detenido: 18 de 20 llamadas fallidas', at_unix: at - 3600 },
              auto_retry: { outcomes: ['failed', 'voicemail'], max_attempts: 3, spacing_secs: 1800, rounds: 0, next_at_unix: at },
              continued_by: 'btcal_siguiente' });
            const out = { banner: document.getElementById('stop-banner').innerText, bannerHidden: document.getElementById('stop-banner').hidden,
              role: document.getElementById('stop-banner').getAttribute('role'),
              retry: document.getElementById('auto-retry').innerText, expected: fmt.time(at),
              link: document.querySelector('#continuation a[data-watch]').dataset.watch };
            cbRenderBatchExtras({ batch_id: 'btcal_actual' });
            out.after = document.getElementById('stop-banner').hidden && document.getElementById('auto-retry').hidden
              && document.getElementById('continuation').hidden;
            return out; })()"#)
        .await;
    assert_eq!(shown["bannerHidden"], false, "{shown}");
    assert_eq!(shown["role"], "alert");
    assert!(
        shown["banner"].as_str().unwrap().contains("Lote detenido"),
        "{shown}"
    );
    let retry = shown["retry"].as_str().unwrap();
    let at = shown["expected"].as_str().unwrap();
    // Rounds are counted as the retry batches are named, and the time says its zone.
    assert!(
        retry.contains(&format!(
            "Reintento automático 1 (intento 2 de 3) a las {at} hora de Bogotá"
        )),
        "{retry}"
    );
    assert_eq!(shown["link"], "btcal_siguiente");
    assert_eq!(
        shown["after"], true,
        "a view without those fields hides them again"
    );
}
