//! Beyond the seed, against the real simulator and service on loopback: opt-outs excluded
//! at pre-flight, dry runs that dial nobody, batches outside the calling window scheduled
//! for the next opening, the audit log, reports and exports.

use crate::support::service::*;
use callboard::domain::rules::RulePack;
use chrono::{Datelike, Duration as ChronoDuration, Utc};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optouts_dry_run_audit_report_and_export() {
    let sim = sim(600.0, 11).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), false, true).await;
    let token = svc.demo_token.as_ref().unwrap().expose().to_string();
    let api = Api::new(svc.url(), Some(&token));
    let admin = api.with_token(Some(ADMIN));
    let phone = phone_id(&api).await;

    // Dr. García (3001112223) asks not to be called; a bad phone is refused clearly.
    let r = api
        .post(
            "/api/optouts",
            json!({"phone": "300 111 2223", "reason": "pidió no ser llamado"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["data"]["phoneNumber"], "+573001112223");
    assert_error(
        &api.post("/api/optouts", json!({"phone": "abc"})).await,
        422,
        "invalid_phone",
    );
    let imported = api
        .send(
            api.raw(reqwest::Method::POST, "/api/optouts/import")
                .header("content-type", "text/csv")
                .body("telefono;motivo\n300-444-5556;RNE\nxx;RNE\n"),
        )
        .await;
    assert_eq!(imported.status, 200, "{:?}", imported.body);
    assert_eq!(imported.body["data"]["added"], 1);
    assert_eq!(imported.body["data"]["rejected"][0]["line"], 3);

    // The dry run dials nobody and says who is left out and why.
    let before = sim.request_count("POST /v1/convai/batch-calling/submit");
    let dry = api
        .post(
            "/api/groups/55/call?dryRun=true",
            json!({"userId": 19, "agentPhoneNumberId": phone}),
        )
        .await;
    assert_eq!(dry.status, 200, "{:?}", dry.body);
    assert_eq!(
        sim.request_count("POST /v1/convai/batch-calling/submit"),
        before
    );
    let d = &dry.body["data"];
    assert_eq!(
        d["recipients"].as_array().unwrap().len(),
        12,
        "15 − invalid − 2 opted out"
    );
    let codes: Vec<&str> = d["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes.iter().filter(|c| **c == "opted_out").count(),
        2,
        "{codes:?}"
    );
    assert!(codes.contains(&"invalid_phone"));
    assert_eq!(
        d["agentVariables"],
        json!(["ciudad", "especialidad", "name"])
    );
    assert!(d["estimate"]["durationSecs"].as_u64().unwrap() > 0);
    assert_eq!(
        d["window"]["openAtStart"], true,
        "windows are off in this config"
    );

    // The real start leaves the opted-out out and is audited.
    let start = api
        .post(
            "/api/groups/55/call",
            json!({"userId": 19, "agentPhoneNumberId": phone}),
        )
        .await;
    assert_eq!(start.status, 200, "{:?}", start.body);
    assert_eq!(start.body["data"]["recipientsCount"], 12);
    let batch = start.body["data"]["batchId"].as_str().unwrap().to_string();
    let status = api.get(&format!("/api/batch-calls/{batch}/status")).await;
    let phones: Vec<&str> = status.body["data"]["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["phone_number"].as_str().unwrap())
        .collect();
    assert!(!phones.contains(&"+573001112223") && !phones.contains(&"+573004445556"));

    // Wait for the end, then the report and the exports.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let s = api.get(&format!("/api/batch-calls/{batch}/status")).await;
        let st = s.body["data"]["status"].as_str().unwrap_or("").to_string();
        if st == "completed" || st == "partially_completed" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "batch did not finish: {st}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Clients that accept gzip get the same status compressed (rendered once per change).
    let plain = api.get(&format!("/api/batch-calls/{batch}/status")).await;
    let gz = api
        .raw(
            reqwest::Method::GET,
            &format!("/api/batch-calls/{batch}/status"),
        )
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let bytes = gz.bytes().await.unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
        .unwrap();
    let unzipped: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(unzipped, plain.body);
    let report = api.get(&format!("/api/batch-calls/{batch}/report")).await;
    assert_eq!(report.status, 200, "{:?}", report.body);
    let k = &report.body["data"];
    assert_eq!(k["total"], 12);
    assert_eq!(k["finished"], 12);
    let completed = k["completed"].as_u64().unwrap();
    assert!(completed > 0);
    let pickup = k["pickupRate"]
        .as_f64()
        .unwrap_or_else(|| k["pickup_rate"].as_f64().unwrap());
    assert!((pickup - completed as f64 / 12.0).abs() < 1e-9);
    let csv = api
        .raw(
            reqwest::Method::GET,
            &format!("/api/batch-calls/{batch}/export?format=csv"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("recipient_id,name,phone_number,status,attempts"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 13, "header + 12 recipients");
    // `callboard export` writes the same rows from the command line.
    let out_file = dir.path().join("export.csv");
    let (url, tok, id, path) = (svc.url(), token.clone(), batch.clone(), out_file.clone());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_callboard"))
            .args(["export", &id, "--server", &url, "--token", &tok, "--output"])
            .arg(&path)
            .env("CALLBOARD_CONFIG", "/dev/null")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli_csv = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(cli_csv.lines().count(), 13);
    assert_eq!(cli_csv.lines().next(), text.lines().next());
    let bad = api
        .get(&format!("/api/batch-calls/{batch}/export?format=xml"))
        .await;
    assert_error(&bad, 400, "invalid_format");

    // Cancel of a finished batch is refused and not audited; the audit shows the start.
    let audit = admin.get("/api/audit").await;
    let actions: Vec<&str> = audit.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["optout.add", "optout.import", "batch.start"],
        "{:?}",
        audit.body
    );
    assert_eq!(audit.body["data"][2]["target"], batch.as_str());
    assert_eq!(audit.body["data"][2]["actor"], "user:19");
    // Removing an opt-out is for the admin only.
    let r = api
        .send(api.raw(reqwest::Method::DELETE, "/api/optouts/3001112223"))
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = admin
        .send(admin.raw(reqwest::Method::DELETE, "/api/optouts/3001112223"))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    svc.shutdown().await;
    sim.shutdown().await;
}

/// A rule pack open only tomorrow (Bogotá): a batch started now waits for tomorrow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_the_calling_window_the_batch_is_scheduled() {
    let sim = sim(600.0, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), Some(&sim.url()));
    let bogota = chrono_tz::America::Bogota;
    let tomorrow = (Utc::now().with_timezone(&bogota) + ChronoDuration::days(1)).date_naive();
    let day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        [tomorrow.weekday().num_days_from_monday() as usize];
    cfg.campaign.rules = Some(
        RulePack::from_toml(&format!(
            "name='test'\ntitle='t'\ntimezone='America/Bogota'\n[[hours]]\ndays=['{day}']\nstart='00:00'\nend='23:59'\n"
        ))
        .unwrap(),
    );
    let svc = serve(cfg, false, true).await;
    let token = svc.demo_token.as_ref().unwrap().expose().to_string();
    let api = Api::new(svc.url(), Some(&token));
    let phone = phone_id(&api).await;
    let r = api
        .post(
            "/api/groups/55/call",
            json!({"userId": 19, "agentPhoneNumberId": phone}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Llamadas programadas"),
        "{:?}",
        r.body
    );
    let opening = bogota
        .from_local_datetime(&tomorrow.and_hms_opt(0, 0, 0).unwrap())
        .unwrap()
        .timestamp();
    assert_eq!(r.body["data"]["batchData"]["scheduled_time_unix"], opening);
    svc.shutdown().await;
    sim.shutdown().await;
}

use chrono::TimeZone;

/// Every call fails: once 20 have, the breaker cancels the rest and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_circuit_breaker_stops_a_failing_batch() {
    let sim = sim_with(5, 0.0, 0.0, 10, 60.0).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), false, true).await;
    let token = svc.demo_token.as_ref().unwrap().expose().to_string();
    let api = Api::new(svc.url(), Some(&token));
    let admin = api.with_token(Some(ADMIN));
    let phone = phone_id(&api).await;
    let gid = group(&api, "Lista mala", 60, 5_000_000).await;
    let start = api
        .post(
            &format!("/api/groups/{gid}/call"),
            json!({"userId": 19, "agentPhoneNumberId": phone}),
        )
        .await;
    assert_eq!(start.status, 200, "{:?}", start.body);
    let batch = start.body["data"]["batchId"].as_str().unwrap().to_string();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let last = loop {
        let s = api.get(&format!("/api/batch-calls/{batch}/status")).await;
        if s.body["data"]["status"] == "cancelled" {
            break s;
        }
        assert!(
            s.body["data"]["status"] != "completed"
                && s.body["data"]["status"] != "partially_completed",
            "the batch ran to the end: {:?}",
            s.body["data"]["counts"]
        );
        assert!(
            std::time::Instant::now() < deadline,
            "no trip: {:?}",
            s.body["data"]["counts"]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let counts = &last.body["data"]["counts"];
    assert!(counts["cancelled"].as_u64().unwrap() > 0, "{counts:?}");
    assert_eq!(counts["completed"], 0);
    let audit = admin.get(&format!("/api/audit?target={batch}")).await;
    let trip = audit.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "batch.circuit_breaker")
        .unwrap_or_else(|| panic!("{:?}", audit.body));
    assert_eq!(trip["actor"], "system");
    assert!(
        trip["details"]["message"]
            .as_str()
            .unwrap()
            .contains("Lote detenido")
    );
    svc.shutdown().await;
    sim.shutdown().await;
}
