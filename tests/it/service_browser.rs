//! The web page in a real headless Chromium, driven through the DevTools protocol, against
//! `serve --no-auth` and the simulator on loopback: the pre-flight check before a call, the
//! seed's flow (EventSource progress, results with transcripts), "No llamar" on a
//! recipient, the KPI bars and their comparison, the exports and the audit log — each
//! checked against what the API itself answers. `web_sections.rs` covers the do-not-call
//! section; `web_circuit_breaker.rs` a stopped batch. Skips loudly when Chromium is not installed
//! (`apt-get install chromium`).

use crate::support::heavy;
use crate::support::service::*;
use crate::support::web_cdp::page::{open_preflight, wait_done};
use crate::support::web_cdp::{Browser, chromium, downloaded};
use serde_json::{Value, json};

/// `data-*` numbers the page writes: "" means no value (the API's null).
fn num(v: &Value) -> Option<f64> {
    v.as_str()
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

/// Equal JSON, numbers compared by value (JavaScript writes the service's `1.0` as `1`).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

const RATES: [&str; 5] = [
    "pickup_rate",
    "voicemail_rate",
    "failure_rate",
    "success_rate",
    "coverage",
];

/// Every KPI row of the page: key → {value, compare, delta, width, text}.
const READ_KPIS: &str = r#"Object.fromEntries([...document.querySelectorAll('#kpi-bars .kpi-row')].map((r) => [r.dataset.kpi, {
    value: r.dataset.value, compare: r.dataset.compareValue ?? null, delta: r.dataset.delta ?? null,
    width: r.querySelector('.bar.this .fill').style.width, text: r.innerText }]))"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_page_checks_calls_first_and_shows_optouts_kpis_exports_and_audit() {
    let Some(bin) = chromium() else {
        return;
    };
    let _alone = heavy().await;
    let sim = sim(900.0, 7).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), true, true).await;
    let api = Api::new(svc.url(), None);
    let phone_id = api.get("/api/phone-numbers").await.body["data"][0]["phone_number_id"]
        .as_str()
        .unwrap()
        .to_string();
    // A group with one phone that cannot be dialled and one client without `especialidad`,
    // which the demo agent's prompt uses.
    let g = api
        .post(
            "/api/groups",
            json!({"name": "Prueba Web", "variables": {"ciudad": "Cali"}}),
        )
        .await;
    assert_eq!(g.status, 201, "{:?}", g.body);
    let gid = g.body["data"]["id"].as_u64().unwrap();
    let added = api
        .post(
            &format!("/api/groups/{gid}/clients"),
            json!([
                {"name": "Ana Web", "phone": "3001230001", "variables": {"especialidad": "Cardiología"}},
                {"name": "Beto Web", "phone": "300-123-0002", "variables": {"especialidad": "Pediatría"}},
                {"name": "Carla Web", "phone": "12", "variables": {"especialidad": "Dermatología"}},
                {"name": "Darío Web", "phone": "3001230004"}
            ]),
        )
        .await;
    assert_eq!(added.status, 201, "{:?}", added.body);

    let downloads = tempfile::tempdir().unwrap();
    let b = Browser::launch(&bin, downloads.path()).await;
    b.goto(&svc.url()).await;
    b.wait_for(
        &format!("document.querySelector('#groups li[data-group-id=\"{gid}\"]') && document.getElementById('phone-number').value"),
        "groups and phone numbers",
    )
    .await;

    // 1. Pre-flight: the panel says what the dry run says, and nothing is dialled.
    let shown = open_preflight(&b, gid).await;
    let dry = api
        .post(
            &format!("/api/groups/{gid}/call?dryRun=true"),
            json!({"userId": 19, "agentPhoneNumberId": phone_id}),
        )
        .await;
    let d = &dry.body["data"];
    assert_eq!(
        sim.request_count(SUBMIT_ENDPOINT),
        0,
        "a dry run dials nobody"
    );
    assert_eq!(shown["count"], d["recipients"].as_array().unwrap().len());
    assert_eq!(shown["count"], 2, "{shown}");
    assert_eq!(shown["skipped"], 1, "{shown}");
    assert_eq!(shown["byCode"]["invalid_phone"][0], 1, "{shown}");
    assert!(
        shown["byCode"]["invalid_phone"][1]
            .as_str()
            .unwrap()
            .contains("Carla Web")
    );
    assert_eq!(
        shown["incomplete"],
        d["incomplete"].as_array().unwrap().len()
    );
    assert_eq!(shown["missing"][0][1], "especialidad", "{shown}");
    assert!(
        shown["missing"][0][0]
            .as_str()
            .unwrap()
            .contains("Darío Web")
    );
    for v in d["agentVariables"].as_array().unwrap() {
        assert!(
            shown["vars"]
                .as_str()
                .unwrap()
                .contains(v.as_str().unwrap())
        );
    }
    assert_eq!(
        shown["open"], "true",
        "calling windows are off in this config"
    );
    assert!(
        shown["estimate"]
            .as_str()
            .unwrap()
            .contains("Duración estimada")
    );
    assert_eq!(
        shown["confirmDisabled"], true,
        "with incomplete recipients the user must choose to skip them first"
    );
    b.click("#pf-skip-incomplete").await;
    // One real click, then more clicks and direct handler calls in the same instant: the
    // page must send the start once.
    b.click("#preflight-confirm").await;
    b.eval("(() => { const x = document.getElementById('preflight-confirm'); if (x) { x.click(); x.onclick && x.onclick(); } return true; })()").await;
    let small = wait_done(&b, "").await;
    let starts = b.requests_matching(&format!("/api/groups/{gid}/call"));
    assert_eq!(
        starts.iter().filter(|r| !r.contains("dryRun")).count(),
        1,
        "{starts:?}"
    );
    assert_eq!(sim.request_count(SUBMIT_ENDPOINT), 1, "one batch submitted");

    // 2. The seed's flow on "Médicos Test": pre-flight, confirm, live progress, results.
    let shown = open_preflight(&b, 55).await;
    assert_eq!(shown["count"], 14, "{shown}");
    assert_eq!(shown["byCode"]["invalid_phone"][0], 1, "{shown}");
    assert_eq!(shown["incomplete"], 0, "{shown}");
    assert_eq!(shown["confirmDisabled"], false, "{shown}");
    b.click("#preflight-confirm").await;
    let batch = wait_done(&b, &small).await;
    assert_eq!(sim.request_count(SUBMIT_ENDPOINT), 2);
    let page = b
        .eval("({ btn: document.getElementById('call-group-btn').innerText, bar: document.getElementById('batch-progress').innerText, html: document.body.innerHTML, banner: document.getElementById('stop-banner').hidden, attempts: [...document.querySelectorAll('#recipients tbody tr')].map((r) => [r.dataset.phone, r.querySelector('.attempts').innerText]) })")
        .await;
    assert!(
        page["btn"]
            .as_str()
            .unwrap()
            .contains("Llamadas Completadas"),
        "{}",
        page["btn"]
    );
    // The bar counts what the KPIs count: every call that ended (14 of 14), then how
    // many were completed.
    assert!(
        page["bar"]
            .as_str()
            .unwrap()
            .starts_with("14/14 terminadas · "),
        "{}",
        page["bar"]
    );
    let html = page["html"].as_str().unwrap();
    assert!(
        html.contains("<details class=\"transcript\">"),
        "transcripts listed"
    );
    assert!(html.contains("<audio controls"), "audio player present");
    assert_eq!(
        page["banner"], true,
        "no stop banner for a batch that ran to its end"
    );
    let status = api.get(&format!("/api/batch-calls/{batch}/status")).await;
    let recipients = status.body["data"]["recipients"].as_array().unwrap();
    assert_eq!(page["attempts"].as_array().unwrap().len(), recipients.len());
    for r in recipients {
        let row = page["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a[0] == r["phone_number"])
            .unwrap_or_else(|| panic!("no row for {}", r["phone_number"]));
        assert_eq!(
            row[1],
            r["attempts"].to_string(),
            "Intentos of {}",
            r["phone_number"]
        );
    }

    // 3. KPIs: the bars say what the report says, alone and compared with the small batch.
    b.wait_for(
        &format!("document.getElementById('kpi-section').dataset.kpiFor === '{batch}' && document.getElementById('kpi-section').dataset.final === 'true'"),
        "final KPIs",
    )
    .await;
    let report = api.get(&format!("/api/batch-calls/{batch}/report")).await;
    let k = &report.body["data"];
    let bars = b.eval(READ_KPIS).await;
    for key in RATES {
        let v = num(&bars[key]["value"]);
        assert!(
            close(v, k[key].as_f64()),
            "{key}: page {v:?}, report {}",
            k[key]
        );
        let width: f64 = bars[key]["width"]
            .as_str()
            .unwrap()
            .trim_end_matches('%')
            .parse()
            .unwrap();
        assert!(
            (width - v.unwrap_or(0.0) * 100.0).abs() < 0.01,
            "{key} bar width {width}"
        );
    }
    let numbers = b
        .eval("Object.fromEntries([...document.querySelectorAll('#kpi-numbers [data-kpi]')].map((x) => [x.dataset.kpi, x.dataset.value]))")
        .await;
    for key in ["average_duration_secs", "calls_per_hour"] {
        assert!(
            close(num(&numbers[key]), k[key].as_f64()),
            "{key}: {numbers}"
        );
    }
    b.select("#kpi-compare", &small).await;
    b.wait_for(
        &format!("document.getElementById('kpi-section').dataset.compareWith === '{small}'"),
        "the comparison",
    )
    .await;
    let cmp = api
        .get(&format!("/api/batch-calls/{batch}/report?compare={small}"))
        .await;
    let c = &cmp.body["data"];
    let bars = b.eval(READ_KPIS).await;
    for key in RATES {
        let (this, other) = (c["b"][key].as_f64(), c["a"][key].as_f64());
        assert!(close(num(&bars[key]["value"]), this), "{key} this: {bars}");
        assert!(
            close(num(&bars[key]["compare"]), other),
            "{key} other: {bars}"
        );
        let delta = c[format!("{key}_delta")]
            .as_f64()
            .or_else(|| Some(this? - other?));
        assert!(
            close(num(&bars[key]["delta"]), delta),
            "{key} delta: {bars}"
        );
        assert!(bars[key]["text"].as_str().unwrap().contains("vs"), "{bars}");
    }

    // 4. "No llamar" asks first; cancelling adds nothing, confirming adds the phone.
    let phones: Vec<String> = b
        .eval("[...document.querySelectorAll('#recipients tbody tr .optout-btn')].map((x) => x.dataset.phone)")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    assert_eq!(phones.len(), 14, "a No llamar button on every row");
    let (kept, blocked) = (&phones[1], &phones[0]);
    b.click(&format!(
        "#recipients tr[data-phone=\"{kept}\"] .optout-btn"
    ))
    .await;
    b.wait_for(
        "document.getElementById('confirm-dialog').open",
        "the confirmation",
    )
    .await;
    b.click("#confirm-cancel").await;
    b.click(&format!(
        "#recipients tr[data-phone=\"{blocked}\"] .optout-btn"
    ))
    .await;
    b.wait_for(
        "document.getElementById('confirm-dialog').open",
        "the confirmation",
    )
    .await;
    b.click("#confirm-ok").await;
    b.wait_for(
        &format!("document.querySelector('#recipients tr[data-phone=\"{blocked}\"] .optout-tag') && document.querySelector('#optouts tr[data-phone=\"{blocked}\"]')"),
        "the row and the list to show the opt-out",
    )
    .await;
    let listed: Vec<String> = api.get("/api/optouts").await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["phoneNumber"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, vec![blocked.clone()], "only the confirmed one");

    // 5. Exports: the files the buttons save are the API's.
    b.click("#export-csv").await;
    let csv =
        String::from_utf8(downloaded(downloads.path(), &format!("{batch}.csv")).await).unwrap();
    let api_csv = api
        .raw(
            reqwest::Method::GET,
            &format!("/api/batch-calls/{batch}/export?format=csv"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("recipient_id,name,phone_number,status,attempts"),
        "{csv}"
    );
    assert_eq!(csv, api_csv);
    b.click("#export-json").await;
    let saved: Value =
        serde_json::from_slice(&downloaded(downloads.path(), &format!("{batch}.json")).await)
            .unwrap();
    let api_json = api
        .get(&format!("/api/batch-calls/{batch}/export?format=json"))
        .await;
    assert!(
        same_json(&saved, &api_json.body["data"]),
        "saved JSON differs from the API's:\n{saved}\n{}",
        api_json.body["data"]
    );
    assert_eq!(saved["recipients"].as_array().unwrap().len(), 14);

    // 6. The audit section lists both starts and the opt-out, as the API does.
    b.wait_for(
        &format!("document.querySelector('#audit tr[data-action=\"batch.start\"][data-target=\"{batch}\"]') && document.querySelector('#audit tr[data-action=\"batch.start\"][data-target=\"{small}\"]') && document.querySelector('#audit tr[data-action=\"optout.add\"][data-target=\"{blocked}\"]')"),
        "the audit rows",
    )
    .await;
    let audit = api.get("/api/audit").await;
    let rows = b
        .eval("[...document.querySelectorAll('#audit tbody tr')].map((r) => r.dataset.action + ' ' + r.dataset.target)")
        .await;
    let expected: Vec<String> = audit.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| {
            format!(
                "{} {}",
                e["action"].as_str().unwrap(),
                e["target"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        rows,
        json!(expected),
        "newest first, as many as the API has"
    );

    assert_eq!(
        b.js_errors(),
        Vec::<String>::new(),
        "uncaught errors in the page"
    );
    let shot = std::env::temp_dir().join(format!("callboard-web-{}.png", std::process::id()));
    let png = b.screenshot().await;
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(&shot, &png).unwrap();
    eprintln!(
        "screenshot of the web page: {} ({} bytes)",
        shot.display(),
        png.len()
    );
    b.close().await;
    svc.shutdown().await;
    sim.shutdown().await;
}
