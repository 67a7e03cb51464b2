//! The pre-flight check's unit tests: every reason to skip, the window, the estimate,
//! history, other countries.

use chrono::{DateTime, TimeZone, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::*;
use crate::domain::model::{Client, Group};
use crate::domain::phone::{Region, normalize};
use crate::domain::rules::RulePack;

fn group() -> Group {
    Group {
        id: 55,
        name: "Médicos Test".into(),
        variables: BTreeMap::from([("ciudad".into(), "Cali".into())]),
        created_at: Utc::now(),
        owner: None,
        other_countries: false,
        setup: Default::default(),
    }
}

fn client(id: u64, name: &str, phone: &str, especialidad: Option<&str>) -> Client {
    Client {
        id,
        group_id: 55,
        name: name.into(),
        email: None,
        empresa: None,
        cargo: None,
        phone: phone.into(),
        phone_e164: normalize(phone, Region::COLOMBIA),
        extra: especialidad
            .map(|e| BTreeMap::from([("especialidad".to_string(), e.to_string())]))
            .unwrap_or_default(),
    }
}

fn bogota(d: u32, h: u32) -> DateTime<Utc> {
    chrono_tz::America::Bogota
        .with_ymd_and_hms(2026, 11, d, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn every_reason_to_skip_is_reported() {
    let clients = vec![
        client(1, "Ana", "3001234567", Some("Cardiología")),
        client(2, "Beto", "300-123-4567", Some("Pediatría")),
        client(3, "Carla", "12", Some("x")),
        client(4, "David", "3001234568", None),
        client(5, "Eva", "3001234569", Some("x")),
        client(6, "Fabio", "3001234570", Some("x")),
        client(7, "Gina", "+12125550123", Some("x")),
        client(8, "Hugo", "+34612345678", Some("x")),
    ];
    let required = BTreeSet::from(["name".to_string(), "especialidad".into(), "ciudad".into()]);
    let opted = HashMap::from([("+573001234569".to_string(), "RNE".to_string())]);
    let today = HashSet::from(["+573001234570".to_string()]);
    let rules = RulePack::colombia();
    let p = run(&PreflightInput {
        group: &group(),
        clients: &clients,
        required_variables: &required,
        opted_out: Some(&opted),
        contacted_today: Some(&today),
        reached: None,
        rules: Some(&rules),
        now: bogota(25, 10),
        scheduled: None,
        concurrency: 10,
        history: History::default(),
        region: Region::COLOMBIA,
        other_countries: false,
    });
    assert_eq!(p.recipients.len(), 1);
    assert_eq!(p.recipients[0].variables["ciudad"], "Cali");
    let codes: Vec<&str> = p.skipped.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(
        codes,
        vec![
            "duplicate_phone",
            "invalid_phone",
            "opted_out",
            "contacted_today",
            "other_country",
            "other_country"
        ]
    );
    let foreign = &p.skipped[4];
    assert!(
        foreign.reason.contains("otro país (+1)") && foreign.reason.contains("(+57)"),
        "{}",
        foreign.reason
    );
    assert_eq!(p.incomplete.len(), 1);
    assert!(p.incomplete[0].reason.contains("especialidad"));
    assert_eq!(p.incomplete[0].missing, vec!["especialidad"]);
    assert!(p.window.open_at_start);
    assert_eq!(p.window.closes_at, Some(bogota(25, 19)));
    assert_eq!(p.estimate.duration_secs, 90);
}

#[test]
fn closed_window_moves_the_start_and_estimates_past_close() {
    let clients: Vec<Client> = (0..200)
        .map(|i| client(i, "X", &format!("300{:07}", i), Some("x")))
        .collect();
    let rules = RulePack::colombia();
    let p = run(&PreflightInput {
        group: &group(),
        clients: &clients,
        required_variables: &BTreeSet::new(),
        opted_out: None,
        contacted_today: None,
        reached: None,
        rules: Some(&rules),
        now: bogota(28, 16), // Saturday after 15:00
        scheduled: None,
        concurrency: 2,
        history: History {
            avg_call_secs: 600.0,
            pickup_rate: 0.5,
            avg_cost: Some(100.0),
            batches: 3,
        },
        region: Region::COLOMBIA,
        other_countries: false,
    });
    assert!(!p.window.open_at_start);
    assert!(p.window.reason.as_deref().unwrap().contains("08:00–15:00"));
    assert_eq!(p.window.start_at, bogota(30, 7));
    assert_eq!(p.estimate.duration_secs, 100 * 600);
    assert!(p.estimate.exceeds_window);
    assert_eq!(p.estimate.cost_min, Some(200.0 * 0.3 * 100.0));
    assert_eq!(p.estimate.cost_max, Some(200.0 * 0.7 * 100.0));
}

#[test]
fn without_rules_the_start_is_the_request() {
    let at = bogota(29, 3);
    let p = run(&PreflightInput {
        group: &group(),
        clients: &[],
        required_variables: &BTreeSet::new(),
        opted_out: None,
        contacted_today: None,
        reached: None,
        rules: None,
        now: at,
        scheduled: None,
        concurrency: 0,
        history: History::default(),
        region: Region::COLOMBIA,
        other_countries: false,
    });
    assert!(p.window.open_at_start);
    assert_eq!(p.window.start_at, at);
    assert_eq!(p.estimate.duration_secs, 0);
}

#[test]
fn history_comes_from_finished_batches_only() {
    use crate::domain::BatchOutcome;
    assert_eq!(History::from_outcomes(&[]), History::default());
    let empty = BatchOutcome::default();
    assert_eq!(History::from_outcomes([&empty]), History::default());
    let a = BatchOutcome {
        finished: 10,
        completed: 5,
        avg_duration_secs: Some(100.0),
        cost_total: Some(50.0),
        cost_known_for: 5,
    };
    let b = BatchOutcome {
        finished: 10,
        completed: 3,
        avg_duration_secs: Some(60.0),
        cost_total: None,
        cost_known_for: 0,
    };
    let h = History::from_outcomes([&a, &b, &empty]);
    assert_eq!(h.batches, 2);
    assert!((h.pickup_rate - 0.4).abs() < 1e-9);
    // Talk: (5×100 + 3×60) / 8 = 85 s; line time 0.4×85 + 0.6×30 = 52 s.
    assert!((h.avg_call_secs - 52.0).abs() < 1e-9, "{h:?}");
    assert_eq!(h.avg_cost, Some(10.0));
}

#[test]
fn other_countries_only_when_allowed() {
    let clients = vec![
        client(1, "Ana", "+12125550123", Some("x")),
        client(2, "Beto", "+34612345678", Some("x")),
        client(3, "Carla", "3001234567", Some("x")),
    ];
    let none = BTreeSet::new();
    let mut g = group();
    let p = run(&PreflightInput::new(&g, &clients, &none, Utc::now()));
    assert_eq!(p.recipients.len(), 1);
    assert_eq!(p.skipped.len(), 2);
    g.other_countries = true;
    let p = run(&PreflightInput::new(&g, &clients, &none, Utc::now()));
    assert_eq!(p.recipients.len(), 3, "{:?}", p.skipped);
    let p = run(&PreflightInput {
        other_countries: true,
        ..PreflightInput::new(&group(), &clients, &none, Utc::now())
    });
    assert_eq!(p.recipients.len(), 3);
}

#[test]
fn a_start_at_the_end_of_time_does_not_panic() {
    let clients = vec![client(1, "Ana", "3001234567", Some("x"))];
    let none = BTreeSet::new();
    let g = group();
    let reached = Reached::default();
    let p = run(&PreflightInput {
        scheduled: Some(DateTime::<Utc>::MAX_UTC),
        rules: Some(&RulePack::colombia()),
        reached: Some(&reached),
        concurrency: 1,
        ..PreflightInput::new(&g, &clients, &none, Utc::now())
    });
    assert_eq!(p.recipients.len(), 1);
}

/// Ley 2300: a number answered this week (Monday to Sunday, Bogotá) is left out; one
/// answered last week, or only called without an answer, is dialled; a batch that would
/// start next week counts next week.
#[test]
fn a_number_reached_this_week_is_left_out() {
    let clients = vec![
        client(1, "Ana", "3001234567", Some("x")),
        client(2, "Beto", "3001234568", Some("x")),
        client(3, "Carla", "3001234569", Some("x")),
    ];
    // Wednesday 25 Nov 2026; the week runs from Monday 23 00:00 to Monday 30 00:00.
    let monday = chrono_tz::America::Bogota
        .with_ymd_and_hms(2026, 11, 23, 0, 0, 0)
        .unwrap();
    let answered = BTreeMap::from([
        ("+573001234567".to_string(), monday.timestamp()), // this week
        ("+573001234568".to_string(), monday.timestamp() - 1), // last Sunday 23:59:59
    ]);
    let since = (monday - chrono::Duration::days(7)).with_timezone(&Utc);
    let reached = Reached::from_answered([&answered], since);
    assert_eq!(
        Reached::from_answered([&answered], monday.with_timezone(&Utc)).count_between(
            "+573001234568",
            since,
            bogota(30, 0)
        ),
        0,
        "older than `since`: not kept"
    );
    let rules = RulePack::colombia();
    assert_eq!(rules.max_successful_contacts_per_week, Some(1));
    let input = |now, scheduled| PreflightInput {
        reached: Some(&reached),
        rules: Some(&rules),
        scheduled,
        ..PreflightInput::new(group_static(), &clients, &NO_VARS, now)
    };
    let p = run(&input(bogota(25, 10), None));
    let names: Vec<&str> = p.recipients.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Beto", "Carla"]);
    assert_eq!(p.skipped.len(), 1);
    assert_eq!(p.skipped[0].code, "reached_this_week");
    assert_eq!(
        p.skipped[0].reason,
        "ya fue contactado con éxito esta semana (Ley 2300: máximo una vez por semana, de lunes a domingo)"
    );
    // Scheduled for Monday 30 Nov: a new week.
    let p = run(&input(bogota(25, 10), Some(bogota(30, 9))));
    assert_eq!(p.recipients.len(), 3, "{:?}", p.skipped);
    // Without the limit in the pack nobody is left out.
    let mut lax = RulePack::colombia();
    lax.max_successful_contacts_per_week = None;
    let p = run(&PreflightInput {
        rules: Some(&lax),
        ..input(bogota(25, 10), None)
    });
    assert_eq!(p.recipients.len(), 3);
}

static NO_VARS: BTreeSet<String> = BTreeSet::new();

fn group_static() -> &'static Group {
    static G: std::sync::OnceLock<Group> = std::sync::OnceLock::new();
    G.get_or_init(group)
}
