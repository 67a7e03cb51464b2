//! When a rule pack allows calling: opening hours per local date, whether an instant is
//! inside a window, when it closes, the next opening, and why an instant is closed.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};

use super::pack::RulePack;
use crate::domain::Lang;

impl RulePack {
    /// Opening hours on a local date: none on closed weekdays and holidays.
    pub fn hours_on(&self, date: NaiveDate) -> Option<(NaiveTime, NaiveTime)> {
        if self.holiday(date).is_some() {
            return None;
        }
        self.weekday_hours(date.weekday())
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

    /// The calendar week holding `at` in the pack's time zone: from Monday 00:00 to the
    /// next Monday 00:00 (the end excluded).
    pub fn week_of(&self, at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let date = at.with_timezone(&self.timezone).date_naive();
        let back = chrono::Duration::days(date.weekday().num_days_from_monday() as i64);
        // At the ends of the calendar the week is cut short rather than overflowing.
        let monday = date.checked_sub_signed(back).unwrap_or(NaiveDate::MIN);
        let next = monday
            .checked_add_signed(chrono::Duration::days(7))
            .unwrap_or(NaiveDate::MAX);
        (
            self.local(monday, NaiveTime::MIN),
            self.local(next, NaiveTime::MIN),
        )
    }

    /// Why `at` is closed, in Spanish (for a pre-flight check), or None when open.
    pub fn closed_reason(&self, at: DateTime<Utc>) -> Option<String> {
        self.closed_reason_in(at, Lang::Es)
    }

    /// Why `at` is closed, in `lang`: a festivo by its name, hours outside the day's
    /// window, or the local weekday the pack never opens on; None when open.
    pub fn closed_reason_in(&self, at: DateTime<Utc>, lang: Lang) -> Option<String> {
        if self.is_open(at) {
            return None;
        }
        let local = at.with_timezone(&self.timezone);
        let date = local.date_naive();
        let es = lang == Lang::Es;
        Some(if let Some(name) = self.holiday(date) {
            if es {
                format!("festivo ({name})")
            } else {
                format!("public holiday ({name})")
            }
        } else if let Some((start, end)) = self.weekday_hours(date.weekday()) {
            let (start, end) = (start.format("%H:%M"), end.format("%H:%M"));
            if es {
                format!("fuera del horario permitido ({start}–{end})")
            } else {
                format!("outside the allowed hours ({start}–{end})")
            }
        } else {
            let day = lang.weekday(date.weekday());
            if es {
                format!("día sin llamadas permitidas ({day})")
            } else {
                format!("no calls allowed on {day}")
            }
        })
    }

    /// The opening hours of a weekday, holidays aside (None: closed that day).
    pub fn weekday_hours(&self, day: Weekday) -> Option<(NaiveTime, NaiveTime)> {
        self.hours[day.num_days_from_monday() as usize]
    }
}
