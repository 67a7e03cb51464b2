//! When a rule pack allows calling: opening hours per local date, whether an instant is
//! inside a window, when it closes, the next opening, and why an instant is closed.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};

use super::pack::RulePack;

impl RulePack {
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
