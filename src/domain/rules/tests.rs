//! Rule packs' unit tests: Easter, the Colombian festivos of 2025 and 2026, contact
//! hours, next openings, and packs refused with reasons.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn bogota(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::America::Bogota
        .with_ymd_and_hms(y, m, day, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn easter_dates() {
    assert_eq!(easter(2024), d(2024, 3, 31));
    assert_eq!(easter(2025), d(2025, 4, 20));
    assert_eq!(easter(2026), d(2026, 4, 5));
    assert_eq!(easter(2027), d(2027, 3, 28));
}

/// The official list of Colombian festivos for 2025, checked by hand.
#[test]
fn festivos_2025() {
    let pack = RulePack::colombia();
    let got: Vec<NaiveDate> = pack.holidays_of(2025).into_iter().map(|(x, _)| x).collect();
    let want = vec![
        d(2025, 1, 1),
        d(2025, 1, 6),
        d(2025, 3, 24),
        d(2025, 4, 17),
        d(2025, 4, 18),
        d(2025, 5, 1),
        d(2025, 6, 2),
        d(2025, 6, 23),
        d(2025, 6, 30), // Sagrado Corazón
        d(2025, 6, 30), // San Pedro y San Pablo, moved onto the same Monday
        d(2025, 7, 20),
        d(2025, 8, 7),
        d(2025, 8, 18),
        d(2025, 10, 13),
        d(2025, 11, 3),
        d(2025, 11, 17),
        d(2025, 12, 8),
        d(2025, 12, 25),
    ];
    assert_eq!(got, want);
}

/// The official list of Colombian festivos for 2026, checked by hand.
#[test]
fn festivos_2026() {
    let pack = RulePack::colombia();
    let got: Vec<NaiveDate> = pack.holidays_of(2026).into_iter().map(|(x, _)| x).collect();
    let want = vec![
        d(2026, 1, 1),
        d(2026, 1, 12),
        d(2026, 3, 23),
        d(2026, 4, 2),
        d(2026, 4, 3),
        d(2026, 5, 1),
        d(2026, 5, 18),
        d(2026, 6, 8),
        d(2026, 6, 15),
        d(2026, 6, 29),
        d(2026, 7, 20),
        d(2026, 8, 7),
        d(2026, 8, 17),
        d(2026, 10, 12),
        d(2026, 11, 2),
        d(2026, 11, 16),
        d(2026, 12, 8),
        d(2026, 12, 25),
    ];
    assert_eq!(got, want);
    assert_eq!(pack.holiday(d(2026, 4, 3)), Some("Viernes Santo"));
}

#[test]
fn contact_hours() {
    let p = RulePack::colombia();
    // Wednesday 25 Nov 2026.
    assert!(!p.is_open(bogota(2026, 11, 25, 6, 59)));
    assert!(p.is_open(bogota(2026, 11, 25, 7, 0)));
    assert!(p.is_open(bogota(2026, 11, 25, 18, 59)));
    assert!(!p.is_open(bogota(2026, 11, 25, 19, 0)));
    // Saturday 28 Nov: 8:00–15:00.
    assert!(!p.is_open(bogota(2026, 11, 28, 7, 30)));
    assert!(p.is_open(bogota(2026, 11, 28, 14, 0)));
    assert!(!p.is_open(bogota(2026, 11, 28, 15, 0)));
    // Sunday and a festivo (Monday 16 Nov 2026).
    assert!(!p.is_open(bogota(2026, 11, 29, 10, 0)));
    assert!(!p.is_open(bogota(2026, 11, 16, 10, 0)));
    assert_eq!(
        p.closed_reason(bogota(2026, 11, 16, 10, 0)).unwrap(),
        "festivo (Independencia de Cartagena)"
    );
    assert!(
        p.closed_reason(bogota(2026, 11, 29, 10, 0))
            .unwrap()
            .contains("domingo")
    );
    assert!(
        p.closed_reason(bogota(2026, 11, 25, 20, 0))
            .unwrap()
            .contains("07:00–19:00")
    );
}

#[test]
fn next_opening_and_window_close() {
    let p = RulePack::colombia();
    // Saturday 16:00 → Monday 7:00 (Sunday closed).
    assert_eq!(
        p.next_opening(bogota(2026, 11, 28, 16, 0)),
        Some(bogota(2026, 11, 30, 7, 0))
    );
    // Friday 13 Nov 20:00 → Saturday 14 Nov 8:00.
    assert_eq!(
        p.next_opening(bogota(2026, 11, 13, 20, 0)),
        Some(bogota(2026, 11, 14, 8, 0))
    );
    // Saturday 14 Nov 15:30 → skips Sunday and the festivo Monday 16 → Tuesday 17.
    assert_eq!(
        p.next_opening(bogota(2026, 11, 14, 15, 30)),
        Some(bogota(2026, 11, 17, 7, 0))
    );
    // Holy week 2026: Thursday 2 and Friday 3 April closed.
    assert_eq!(
        p.next_opening(bogota(2026, 4, 1, 19, 30)),
        Some(bogota(2026, 4, 4, 8, 0))
    );
    let at = bogota(2026, 11, 25, 10, 0);
    assert_eq!(p.next_opening(at), Some(at));
    assert_eq!(p.close_of_window(at), Some(bogota(2026, 11, 25, 19, 0)));
    // Bogotá is UTC−5 all year.
    assert_eq!(
        bogota(2026, 11, 25, 19, 0).to_rfc3339(),
        "2026-11-26T00:00:00+00:00"
    );
}

#[test]
fn bad_packs_are_refused_with_reasons() {
    let base = "name='x'\ntitle='x'\ntimezone='America/Bogota'\n";
    let e = RulePack::from_toml(&format!(
        "{base}[[hours]]\ndays=['mon']\nstart='19:00'\nend='07:00'\n"
    ))
    .unwrap_err();
    assert!(e.to_string().contains("not before"), "{e}");
    let e = RulePack::from_toml(&format!(
        "{base}[[hours]]\ndays=['lunes']\nstart='07:00'\nend='19:00'\n"
    ))
    .unwrap_err();
    assert!(e.to_string().contains("unknown day"), "{e}");
    let e = RulePack::from_toml(&format!(
        "{base}hours=[]\n[[holidays]]\nname='h'\nfixed={{month=1,day=1}}\neaster_offset=2\n"
    ))
    .unwrap_err();
    assert!(e.to_string().contains("exactly one"), "{e}");
    let p = RulePack::from_toml(&format!("{base}hours=[]\n")).unwrap();
    assert_eq!(p.next_opening(Utc::now()), None);
}

/// A custom pack closed on Mondays names Monday, in both languages (it said "domingo" for
/// every closed weekday); Sunday in the Colombian pack is still "domingo".
#[test]
fn a_closed_weekday_is_named() {
    let p = RulePack::from_toml(
        "name='x'\ntitle='x'\ntimezone='America/Bogota'\n[[hours]]\ndays=['tue','wed','thu','fri','sat','sun']\nstart='08:00'\nend='18:00'\n",
    )
    .unwrap();
    // Monday 23 Nov 2026, 10:00 in Bogotá (not a festivo).
    let monday = bogota(2026, 11, 23, 10, 0);
    assert_eq!(
        p.closed_reason(monday).as_deref(),
        Some("día sin llamadas permitidas (lunes)")
    );
    assert_eq!(
        p.closed_reason_in(monday, crate::domain::Lang::En)
            .as_deref(),
        Some("no calls allowed on Monday")
    );
    // 04:00 UTC on Tuesday is still Monday 23:00 in Bogotá: the pack's own day counts.
    let late = Utc.with_ymd_and_hms(2026, 11, 24, 4, 0, 0).unwrap();
    assert!(p.closed_reason(late).unwrap().contains("lunes"));
    assert_eq!(
        p.closed_reason_in(bogota(2026, 11, 24, 20, 0), crate::domain::Lang::En)
            .as_deref(),
        Some("outside the allowed hours (08:00–18:00)")
    );
    assert_eq!(
        RulePack::colombia()
            .closed_reason(bogota(2026, 11, 29, 10, 0))
            .as_deref(),
        Some("día sin llamadas permitidas (domingo)")
    );
}

/// The week of the weekly contact limit: Monday 00:00 to the next Monday, local time.
#[test]
fn weeks_run_from_monday_in_the_packs_zone() {
    let p = RulePack::colombia();
    let week = (bogota(2026, 11, 23, 0, 0), bogota(2026, 11, 30, 0, 0));
    assert_eq!(p.week_of(bogota(2026, 11, 23, 0, 0)), week);
    assert_eq!(p.week_of(bogota(2026, 11, 29, 23, 59)), week);
    // 03:00 UTC on Monday 30 is still Sunday 29 in Bogotá.
    assert_eq!(
        p.week_of(Utc.with_ymd_and_hms(2026, 11, 30, 3, 0, 0).unwrap()),
        week
    );
    assert_eq!(p.week_of(bogota(2026, 11, 30, 0, 0)).0, week.1);
    let e = RulePack::from_toml(
        "name='x'\ntitle='x'\ntimezone='America/Bogota'\nmax_successful_contacts_per_week=0\nhours=[]\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("at least 1"), "{e}");
}
