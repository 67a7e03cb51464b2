//! The call dialog's schedule field read as a time: empty is now, `HH:MM` the next such
//! time, `YYYY-MM-DD HH:MM` a day and time, all in the dashboard's zone.

use chrono::{NaiveDateTime, NaiveTime, TimeZone};

/// The schedule field holds something that is not a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a time: expected HH:MM or YYYY-MM-DD HH:MM")]
pub struct InvalidTime;

/// Empty means now; `HH:MM` is the next such time; else `YYYY-MM-DD HH:MM` (local zone).
pub fn parse_schedule(
    text: &str,
    tz: chrono_tz::Tz,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<i64>, InvalidTime> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let local_now = now.with_timezone(&tz);
    let naive = if let Ok(time) = NaiveTime::parse_from_str(t, "%H:%M") {
        let today = local_now.date_naive().and_time(time);
        if today <= local_now.naive_local() {
            today + chrono::Duration::days(1)
        } else {
            today
        }
    } else {
        NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").map_err(|_| InvalidTime)?
    };
    let at = tz
        .from_local_datetime(&naive)
        .earliest()
        .ok_or(InvalidTime)?;
    Ok(Some(at.timestamp()))
}
