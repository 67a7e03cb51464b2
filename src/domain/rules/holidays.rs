//! Public holidays: fixed dates and dates relative to Easter, moved to the next Monday
//! where the law says so (Ley Emiliani).

use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;

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

/// The dates of `holidays` in `year`, sorted, with their names (two may share a date).
pub(super) fn dates_in(holidays: &[Holiday], year: i32) -> Vec<(NaiveDate, &str)> {
    let mut out: Vec<(NaiveDate, &str)> = holidays
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
