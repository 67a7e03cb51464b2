//! Rule packs through the real service and binary: a number answered this week is left
//! out by the pre-flight (Ley 2300), a closed day is named as it is, and `GET /api/rules`
//! and `callboard rules show` list a pack's hours and festivos.

use crate::support::service::*;
use callboard::domain::rules::RulePack;
use chrono::{Datelike, Utc};
use serde_json::json;
use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

/// Open every day, all day, with the weekly limit only (no daily one), so that only the
/// answered calls of the first batch are left out of the second.
const WEEKLY: &str = "name='semana'\ntitle='Semanal'\ntimezone='America/Bogota'\n\
max_successful_contacts_per_week=1\n[[hours]]\n\
days=['mon','tue','wed','thu','fri','sat','sun']\nstart='00:00'\nend='23:59'\n";

fn phones_where(status: &serde_json::Value, wanted: &[&str]) -> BTreeSet<String> {
    status["data"]["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| wanted.contains(&r["status"].as_str().unwrap_or("")))
        .map(|r| r["phone_number"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_answered_this_week_is_left_out() {
    let sim = sim(600.0, 11).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), Some(&sim.url()));
    cfg.campaign.rules = Some(RulePack::from_toml(WEEKLY).unwrap());
    let svc = serve(cfg, false, true).await;
    let token = svc.demo_token.as_ref().unwrap().expose().to_string();
    let api = Api::new(svc.url(), Some(&token));
    let phone = phone_id(&api).await;
    let body = json!({"userId": 19, "agentPhoneNumberId": phone});

    let first = api.post("/api/groups/55/call", body.clone()).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let batch = first.body["data"]["batchId"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        let s = api.get(&format!("/api/batch-calls/{batch}/status")).await;
        let st = s.body["data"]["status"].as_str().unwrap_or("").to_string();
        if st == "completed" || st == "partially_completed" {
            break s.body;
        }
        assert!(Instant::now() < deadline, "batch did not finish: {st}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let answered = phones_where(&status, &["completed"]);
    let unanswered = phones_where(&status, &["failed", "voicemail"]);
    assert!(
        !answered.is_empty() && !unanswered.is_empty(),
        "seed 11 answers some calls and not others: {status:?}"
    );

    // The outcome is saved once every answered call is enriched: wait for the dry run to
    // see all of them, then check it left out exactly those.
    let deadline = Instant::now() + Duration::from_secs(30);
    let plan = loop {
        let dry = api
            .post("/api/groups/55/call?dryRun=true", body.clone())
            .await;
        assert_eq!(dry.status, 200, "{:?}", dry.body);
        let reached = dry.body["data"]["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["code"] == "reached_this_week")
            .count();
        if reached == answered.len() {
            break dry.body["data"].clone();
        }
        assert!(
            Instant::now() < deadline,
            "the dry run never left out the {} answered numbers: {:?}",
            answered.len(),
            dry.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let skipped: Vec<&serde_json::Value> = plan["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["code"] == "reached_this_week")
        .collect();
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("ya fue contactado con éxito esta semana"),
        "{:?}",
        skipped[0]
    );
    let dialled: BTreeSet<String> = plan["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["phone_number"].as_str().unwrap().to_string())
        .collect();
    assert!(
        dialled.is_disjoint(&answered),
        "{dialled:?} vs {answered:?}"
    );
    assert!(
        unanswered.is_subset(&dialled),
        "unanswered are called again"
    );
    svc.shutdown().await;
    sim.shutdown().await;
}

/// `GET /api/rules`: hours and festivos of the year asked, in Spanish or in English; a
/// pack closed today names today's day in the dry run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rules_route_lists_hours_and_festivos() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), None);
    cfg.campaign.rules = Some(RulePack::colombia());
    let svc = serve(cfg, true, false).await;
    let api = Api::new(svc.url(), None);

    let r = api.get("/api/rules?year=2026").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let d = &r.body["data"];
    assert_eq!(d["enabled"], true);
    let p = &d["pack"];
    assert_eq!(p["name"], "co");
    assert_eq!(p["timezone"], "America/Bogota");
    assert_eq!(p["maxContactsPerDay"], 1);
    assert_eq!(p["maxSuccessfulContactsPerWeek"], 1);
    assert_eq!(
        p["hours"][0],
        json!({"day": "mon", "dayName": "lunes", "start": "07:00", "end": "19:00"})
    );
    assert_eq!(p["hours"][6], json!({"day": "sun", "dayName": "domingo"}));
    assert_eq!(p["holidays"].as_array().unwrap().len(), 18);
    assert_eq!(
        p["holidays"][1],
        json!({"date": "2026-01-12", "name": "Reyes Magos", "dayName": "lunes"})
    );
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Reglas de llamada"),
        "{:?}",
        r.body
    );

    // English by the request's language or by `lang=en`.
    let en = api
        .send(
            api.raw(reqwest::Method::GET, "/api/rules?year=2025")
                .header("accept-language", "en-US,en;q=0.9"),
        )
        .await;
    assert_eq!(en.status, 200, "{:?}", en.body);
    assert_eq!(en.body["data"]["pack"]["hours"][0]["dayName"], "Monday");
    assert_eq!(en.body["data"]["pack"]["holidays"][0]["date"], "2025-01-01");
    assert!(
        en.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Calling rules")
    );
    let en = api.get("/api/rules?lang=en").await;
    assert_eq!(en.body["data"]["pack"]["hours"][6]["dayName"], "Sunday");
    // This year by default, in the pack's zone.
    let this_year = Utc::now().with_timezone(&chrono_tz::America::Bogota).year();
    assert_eq!(
        api.get("/api/rules").await.body["data"]["pack"]["year"],
        this_year
    );
    assert_error(&api.get("/api/rules?year=1800").await, 400, "invalid_query");
    assert_error(&api.get("/api/rules?year=next").await, 400, "invalid_query");
    svc.shutdown().await;

    // Windows off: said so, no pack.
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), None), true, false).await;
    let off = Api::new(svc.url(), None).get("/api/rules").await;
    assert_eq!(off.status, 200, "{:?}", off.body);
    assert_eq!(off.body["data"], json!({"enabled": false}));
    svc.shutdown().await;
}

/// A pack closed on today's weekday (in Bogotá): the dry run's reason names that day,
/// not "domingo" whatever the day.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_day_is_named_in_the_dry_run() {
    let sim = sim(600.0, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), Some(&sim.url()));
    let today = Utc::now()
        .with_timezone(&chrono_tz::America::Bogota)
        .weekday();
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let open: Vec<String> = days
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != today.num_days_from_monday() as usize)
        .map(|(_, d)| format!("'{d}'"))
        .collect();
    cfg.campaign.rules = Some(
        RulePack::from_toml(&format!(
            "name='x'\ntitle='x'\ntimezone='America/Bogota'\n[[hours]]\ndays=[{}]\nstart='00:00'\nend='23:59'\n",
            open.join(",")
        ))
        .unwrap(),
    );
    let svc = serve(cfg, false, true).await;
    let token = svc.demo_token.as_ref().unwrap().expose().to_string();
    let api = Api::new(svc.url(), Some(&token));
    let phone = phone_id(&api).await;
    let dry = api
        .post(
            "/api/groups/55/call?dryRun=true",
            json!({"userId": 19, "agentPhoneNumberId": phone}),
        )
        .await;
    assert_eq!(dry.status, 200, "{:?}", dry.body);
    // The day may turn while the test runs: either day's name is right, "domingo" on
    // another day is not.
    let names = [
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
    ];
    let now = Utc::now()
        .with_timezone(&chrono_tz::America::Bogota)
        .weekday();
    let reason = dry.body["data"]["window"]["reason"].as_str().unwrap_or("");
    assert!(
        [today, now].iter().any(|d| reason
            == format!(
                "día sin llamadas permitidas ({})",
                names[d.num_days_from_monday() as usize]
            )),
        "{reason}"
    );
    svc.shutdown().await;
    sim.shutdown().await;
}

fn callboard(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(args)
        .env("CALLBOARD_DATA_DIR", dir)
        .env("CALLBOARD_CONFIG", dir.join("config.toml"))
        .env_remove("CALLBOARD_LANG")
        .env_remove("CALLBOARD_RULES")
        .output()
        .expect("run callboard");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn rules_show_prints_the_calendar() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "").unwrap();
    let (ok, out, err) = callboard(dir.path(), &["rules", "show", "--year", "2026"]);
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("Colombia — Ley 2300 de 2023"), "{out}");
    assert!(out.contains("lunes      07:00–19:00"), "{out}");
    assert!(out.contains("sábado     08:00–15:00"), "{out}");
    assert!(out.contains("domingo    sin llamadas"), "{out}");
    assert!(out.contains("Festivos de 2026 (18)"), "{out}");
    assert!(
        out.contains("2026-04-03  viernes    Viernes Santo"),
        "{out}"
    );
    assert!(out.contains("a la semana (de lunes a domingo)"), "{out}");

    let (ok, out, err) = callboard(
        dir.path(),
        &["--lang", "en", "rules", "show", "--year", "2025"],
    );
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("Monday     07:00–19:00"), "{out}");
    assert!(out.contains("Sunday     no calls"), "{out}");
    assert!(out.contains("Public holidays of 2025 (18)"), "{out}");
    assert!(
        out.contains("2025-06-30  Monday     Sagrado Corazón"),
        "{out}"
    );

    let (ok, _, err) = callboard(dir.path(), &["rules", "show", "--year", "99999"]);
    assert!(!ok && err.contains("--year"), "{err}");

    std::fs::write(
        dir.path().join("config.toml"),
        "[campaign]\nrules = \"off\"\n",
    )
    .unwrap();
    let (ok, out, err) = callboard(dir.path(), &["rules", "show"]);
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("desactivadas"), "{out}");
}
