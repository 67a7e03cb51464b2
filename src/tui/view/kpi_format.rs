//! How the KPI pane writes its figures: durations, numbers, signed differences (B − A).
//! Names are fitted by `view::names`.

use crate::tui::text::duration::short_duration;
use crate::tui::text::strings::Strings;

pub fn duration(secs: Option<f64>) -> String {
    secs.map_or_else(|| "—".into(), |x| short_duration(x.round() as i64))
}

pub fn number(s: &Strings, x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| s.number(v))
}

fn sign(x: f64) -> &'static str {
    if x > 0.0 {
        "+"
    } else if x < 0.0 {
        "−"
    } else {
        "±"
    }
}

/// Percentage points, `b − a`.
pub fn rate_delta(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => {
            let pp = ((b - a) * 100.0).round();
            format!("{}{} pp", sign(pp), pp.abs())
        }
        _ => "—".into(),
    }
}

pub fn secs_delta(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => {
            let d = (b - a).round();
            format!("{}{}", sign(d), short_duration(d.abs() as i64))
        }
        _ => "—".into(),
    }
}

pub fn num_delta(s: &Strings, a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => {
            let d = b - a;
            let shown = s.number(d.abs());
            let zero = shown == "0";
            format!("{}{shown}", if zero { "±" } else { sign(d) })
        }
        _ => "—".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::{rate_delta, secs_delta};

    #[test]
    fn deltas_keep_their_sign() {
        assert_eq!(rate_delta(Some(0.53), Some(0.76)), "+23 pp");
        assert_eq!(rate_delta(Some(0.26), Some(0.12)), "−14 pp");
        assert_eq!(rate_delta(Some(0.5), Some(0.5)), "±0 pp");
        assert_eq!(rate_delta(None, Some(0.5)), "—");
        assert_eq!(secs_delta(Some(60.0), Some(129.0)), "+1m09s");
    }
}
