//! How the KPI pane writes its figures: durations, numbers, signed differences (B − A),
//! and names cut in the middle to fit a column.

use super::super::i18n::{Strings, short_duration};

/// `text` in `width` columns, cut in the middle: batch names of one group differ at the
/// end (their date), so the end is kept.
pub fn fit(text: &str, width: u16) -> String {
    let w = usize::from(width);
    let n = text.chars().count();
    if n <= w || w < 4 {
        return text.to_string();
    }
    let tail = (w / 2).min(10);
    let head: String = text.chars().take(w - tail - 1).collect();
    let end: String = text.chars().skip(n - tail).collect();
    format!("{head}…{end}")
}

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
    use super::{fit, rate_delta, secs_delta};

    #[test]
    fn names_keep_their_distinguishing_end_and_deltas_their_sign() {
        assert_eq!(
            fit("Llamada Cardiología - 23/8/2025", 24),
            "Llamada Cardi… 23/8/2025"
        );
        assert_eq!(fit("corto", 24), "corto");
        assert_eq!(rate_delta(Some(0.53), Some(0.76)), "+23 pp");
        assert_eq!(rate_delta(Some(0.26), Some(0.12)), "−14 pp");
        assert_eq!(rate_delta(Some(0.5), Some(0.5)), "±0 pp");
        assert_eq!(rate_delta(None, Some(0.5)), "—");
        assert_eq!(secs_delta(Some(60.0), Some(129.0)), "+1m09s");
    }
}
