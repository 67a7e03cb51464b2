//! Rule packs: when a country allows calling (contact hours per weekday, public holidays)
//! and how often a person may be contacted. A pack is a small TOML file; the Colombian one
//! (`assets/rules/co.toml`) is built in. All arithmetic is in the pack's time zone.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;
use thiserror::Error;

/// The built-in Colombian pack.
pub const COLOMBIA_TOML: &str = include_str!("../../assets/rules/co.toml");

#[derive(Debug, Error)]
pub enum RuleError {
    #[error("rule pack: {0}")]
    Parse(String),
    #[error("rule pack `{pack}`: {message}")]
    Invalid { pack: String, message: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    name: String,
    title: String,
    timezone: String,
    #[serde(default)]
    max_contacts_per_day: Option<u32>,
    hours: Vec<HoursFile>,
    #[serde(default)]
    holidays: Vec<Holiday>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct HoursFile {
    days: Vec<String>,
    start: String,
    end: String,
}

/// One public holiday rule.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub name: String,
    /// A fixed date of the year.
    #[serde(default)]
    pub fixed: Option<MonthDay>,
    /// Days after Easter Sunday (negative: before).
    #[serde(default)]
    pub easter_offset: Option<i64>,
    /// Moved to the following Monday when it does not fall on one (Ley Emiliani).
    #[serde(default)]
    pub next_monday: bool,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

/// A loaded rule pack.
#[derive(Debug, Clone)]
pub struct RulePack {
    pub name: String,
    pub title: String,
    pub timezone: Tz,
    pub max_contacts_per_day: Option<u32>,
    /// Opening hours per weekday, Monday first.
    hours: [Option<(NaiveTime, NaiveTime)>; 7],
    pub holidays: Vec<Holiday>,
}

/// Easter Sunday (Gregorian), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
pub fn easter(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or_default()
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s.to_ascii_lowercase().as_str() {
        "mon" | "lun" => Weekday::Mon,
        "tue" | "mar" => Weekday::Tue,
        "wed" | "mie" | "mié" => Weekday::Wed,
        "thu" | "jue" => Weekday::Thu,
        "fri" | "vie" => Weekday::Fri,
        "sat" | "sab" | "sáb" => Weekday::Sat,
        "sun" | "dom" => Weekday::Sun,
        _ => return None,
    })
}

impl RulePack {
    /// The built-in Colombian pack.
    pub fn colombia() -> Self {
        // The embedded file is tested; a failure here is a build defect, not user input.
        Self::from_toml(COLOMBIA_TOML).unwrap_or_else(|e| panic!("built-in rule pack: {e}"))
    }

    pub fn from_toml(text: &str) -> Result<Self, RuleError> {
        let f: PackFile = toml::from_str(text).map_err(|e| RuleError::Parse(e.to_string()))?;
        let invalid = |message: String| RuleError::Invalid {
            pack: f.name.clone(),
            message,
        };
        let timezone: Tz = f
            .timezone
            .parse()
            .map_err(|_| invalid(format!("unknown time zone `{}`", f.timezone)))?;
        let mut hours = [None; 7];
        for h in &f.hours {
            let parse = |t: &str| {
                NaiveTime::parse_from_str(t, "%H:%M")
                    .map_err(|_| invalid(format!("hour `{t}` is not HH:MM")))
            };
            let (start, end) = (parse(&h.start)?, parse(&h.end)?);
            if start >= end {
                return Err(invalid(format!("{} is not before {}", h.start, h.end)));
            }
            for d in &h.days {
                let wd = weekday(d).ok_or_else(|| invalid(format!("unknown day `{d}`")))?;
                hours[wd.num_days_from_monday() as usize] = Some((start, end));
            }
        }
        for h in &f.holidays {
            if h.fixed.is_some() == h.easter_offset.is_some() {
                return Err(invalid(format!(
                    "holiday `{}` needs exactly one of `fixed` or `easter_offset`",
                    h.name
                )));
            }
        }
        Ok(Self {
            name: f.name,
            title: f.title,
            timezone,
            max_contacts_per_day: f.max_contacts_per_day,
            hours,
            holidays: f.holidays,
        })
    }

    /// The holidays of `year`, sorted, with their names (two may share a date).
    pub fn holidays_of(&self, year: i32) -> Vec<(NaiveDate, &str)> {
        let mut out: Vec<(NaiveDate, &str)> = self
            .holidays
            .iter()
            .filter_map(|h| {
                let mut date = match (h.fixed, h.easter_offset) {
                    (Some(md), _) => NaiveDate::from_ymd_opt(year, md.month, md.day)?,
                    (None, Some(off)) => easter(year).checked_add_signed(Duration::days(off))?,
                    _ => return None,
                };
                if h.next_monday {
                    let to_monday = (7 - date.weekday().num_days_from_monday()) % 7;
                    date = date.checked_add_signed(Duration::days(to_monday as i64))?;
                }
                Some((date, h.name.as_str()))
            })
            .collect();
        out.sort();
        out
    }

    /// The holiday on `date`, if any.
    pub fn holiday(&self, date: NaiveDate) -> Option<&str> {
        self.holidays_of(date.year())
            .into_iter()
            .find(|(d, _)| *d == date)
            .map(|(_, n)| n)
    }

    /// Opening hours on a local date: none on closed weekdays and holidays.
    pub fn hours_on(&self, date: NaiveDate) -> Option<(NaiveTime, NaiveTime)> {
        if self.holiday(date).is_some() {
            return None;
        }
        self.hours[date.weekday().num_days_from_monday() as usize]
    }

    fn local(&self, date: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
        self.timezone
            .from_local_datetime(&date.and_time(t))
            .earliest()
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&date.and_time(t)))
    }

    /// Whether calling is allowed at `at`.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.close_of_window(at).is_some()
    }

    /// When the window that contains `at` closes (None when `at` is outside every window).
    pub fn close_of_window(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = at.with_timezone(&self.timezone);
        let (start, end) = self.hours_on(local.date_naive())?;
        let t = local.time();
        (t >= start && t < end).then(|| self.local(local.date_naive(), end))
    }

    /// The first moment at or after `at` when calling is allowed (`at` itself when open).
    /// None only if the pack has no opening hours at all.
    pub fn next_opening(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.is_open(at) {
            return Some(at);
        }
        let local = at.with_timezone(&self.timezone);
        let mut date = local.date_naive();
        // A year always holds an opening unless no weekday has hours.
        for _ in 0..400 {
            if let Some((start, _)) = self.hours_on(date) {
                let open = self.local(date, start);
                if open >= at {
                    return Some(open);
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// Why `at` is closed, in Spanish (for a pre-flight check), or None when open.
    pub fn closed_reason(&self, at: DateTime<Utc>) -> Option<String> {
        if self.is_open(at) {
            return None;
        }
        let local = at.with_timezone(&self.timezone);
        let date = local.date_naive();
        Some(if let Some(name) = self.holiday(date) {
            format!("festivo ({name})")
        } else if let Some((start, end)) =
            self.hours[date.weekday().num_days_from_monday() as usize]
        {
            format!(
                "fuera del horario permitido ({}–{})",
                start.format("%H:%M"),
                end.format("%H:%M")
            )
        } else {
            "día sin llamadas permitidas (domingo)".to_string()
        })
    }
}

#[cfg(test)]
mod tests {
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
}
