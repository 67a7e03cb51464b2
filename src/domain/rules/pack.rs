//! `RulePack`: a country's calling rules loaded from its TOML file (the Colombian one is
//! built in), and its holidays by year.

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

use super::error::RuleError;
use super::holidays::{Holiday, dates_in};

/// The built-in Colombian pack.
pub const COLOMBIA_TOML: &str = include_str!("../../../assets/rules/co.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    name: String,
    title: String,
    timezone: String,
    #[serde(default)]
    max_contacts_per_day: Option<u32>,
    #[serde(default)]
    max_successful_contacts_per_week: Option<u32>,
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

/// A loaded rule pack.
#[derive(Debug, Clone)]
pub struct RulePack {
    pub name: String,
    pub title: String,
    pub timezone: Tz,
    pub max_contacts_per_day: Option<u32>,
    /// Answered calls a person may get per calendar week (Monday to Sunday in the pack's
    /// time zone); Ley 2300: once reached, not again the same week on the same channel.
    pub max_successful_contacts_per_week: Option<u32>,
    /// Opening hours per weekday, Monday first.
    pub(super) hours: [Option<(NaiveTime, NaiveTime)>; 7],
    pub holidays: Vec<Holiday>,
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
        if f.max_successful_contacts_per_week == Some(0) {
            return Err(invalid(
                "max_successful_contacts_per_week must be at least 1 (leave it out for no limit)"
                    .into(),
            ));
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
            max_successful_contacts_per_week: f.max_successful_contacts_per_week,
            hours,
            holidays: f.holidays,
        })
    }

    /// The holidays of `year`, sorted, with their names (two may share a date).
    pub fn holidays_of(&self, year: i32) -> Vec<(NaiveDate, &str)> {
        dates_in(&self.holidays, year)
    }

    /// The holiday on `date`, if any.
    pub fn holiday(&self, date: NaiveDate) -> Option<&str> {
        self.holidays_of(date.year())
            .into_iter()
            .find(|(d, _)| *d == date)
            .map(|(_, n)| n)
    }
}
