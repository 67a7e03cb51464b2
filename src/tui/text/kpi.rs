//! Messages with values for the KPI pane: numbers and rates as each language writes them,
//! counts, cost, retries and the comparison's title.

use crate::api::AutoRetryView;

use super::strings::Strings;

impl Strings {
    fn kpi_es(&self) -> bool {
        self.lang == crate::domain::Lang::Es
    }

    /// A number as the language writes it: `12,5` in Spanish, `12.5` in English; whole
    /// numbers without decimals.
    pub fn number(&self, x: f64) -> String {
        let s = if x.fract().abs() < 0.05 {
            format!("{x:.0}")
        } else {
            format!("{x:.1}")
        };
        if self.kpi_es() {
            s.replace('.', ",")
        } else {
            s
        }
    }

    /// A rate as a whole percentage, `—` when there is nothing to divide by.
    pub fn percent(&self, x: Option<f64>) -> String {
        x.map_or_else(|| "—".into(), |v| format!("{:.0}%", v * 100.0))
    }

    pub fn kpi_counts(&self, finished: usize, total: usize) -> String {
        if self.kpi_es() {
            format!("{finished} de {total} {}", self.kpi_finished)
        } else {
            format!("{finished} of {total} {}", self.kpi_finished)
        }
    }

    pub fn cost_value(&self, total: Option<f64>, known_for: usize) -> String {
        match (total, self.kpi_es()) {
            (None, _) => "—".into(),
            (Some(t), true) => {
                format!("{} {} ({known_for} llamadas)", self.number(t), self.credits)
            }
            (Some(t), false) => format!("{} {} ({known_for} calls)", self.number(t), self.credits),
        }
    }

    /// Retries asked by hand or by the service, plus automatic rounds when known.
    pub fn retries_value(&self, retry_count: u32, auto: Option<&AutoRetryView>) -> String {
        match (auto, self.kpi_es()) {
            (Some(a), true) => format!("{retry_count} (automáticos {})", a.rounds),
            (Some(a), false) => format!("{retry_count} ({} automatic)", a.rounds),
            (None, _) => retry_count.to_string(),
        }
    }

    pub fn comparing(&self, other: &str) -> String {
        if self.kpi_es() {
            format!("Comparación con «{other}»")
        } else {
            format!("Comparison with “{other}”")
        }
    }
}
