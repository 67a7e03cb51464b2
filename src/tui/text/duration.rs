//! Durations as the dashboard writes them (`1 h 05 min`, `4 min 10 s`...).

/// `1h02m`, `3m05s`, `42s`: compact, for headers and tables.
pub fn short_duration(secs: i64) -> String {
    let s = secs.max(0);
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}
