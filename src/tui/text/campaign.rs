//! Messages with values for the campaign features: the pre-flight check, the do-not-call
//! list, KPIs, and why a batch stopped or goes on in another one. Both languages.

use crate::api::AutoRetryView;
use crate::domain::StopCode;
use crate::domain::policy::RetryPolicy;

use crate::tui::text::duration::short_duration;
use crate::tui::text::strings::Strings;

impl Strings {
    fn is_es(&self) -> bool {
        self.lang == crate::domain::Lang::Es
    }

    /// Why a pre-flight left clients out, by its code (the service's own text otherwise).
    pub fn skip_code(&self, code: &str) -> Option<&'static str> {
        let es = self.is_es();
        Some(match code {
            "invalid_phone" | "no_phone" => {
                if es {
                    "teléfono no válido"
                } else {
                    "invalid phone"
                }
            }
            "duplicate" | "duplicate_phone" => {
                if es {
                    "duplicado"
                } else {
                    "duplicate"
                }
            }
            "opted_out" => {
                if es {
                    "en la lista de no llamar"
                } else {
                    "on the do-not-call list"
                }
            }
            "contacted_today" => {
                if es {
                    "ya contactado hoy"
                } else {
                    "already contacted today"
                }
            }
            "reached_this_week" => {
                if es {
                    "ya contactado con éxito esta semana"
                } else {
                    "already reached this week"
                }
            }
            _ => return None,
        })
    }

    pub fn confirm_optout(&self, phone: &str, name: &str) -> String {
        let who = if name.is_empty() {
            phone.to_string()
        } else {
            format!("{phone} ({name})")
        };
        if self.is_es() {
            format!(
                "¿Añadir {who} a la lista de no llamar? No se le volverá a llamar en nuevos lotes."
            )
        } else {
            format!("Add {who} to the do-not-call list? It will not be called in new batches.")
        }
    }

    /// `a las 16:30`, or `el 25/08 a las 08:00` on another day.
    pub fn at_time(&self, day: Option<&str>, hm: &str) -> String {
        match (day, self.is_es()) {
            (None, true) => format!("a las {hm}"),
            (None, false) => format!("at {hm}"),
            (Some(d), true) => format!("el {d} a las {hm}"),
            (Some(d), false) => format!("on {d} at {hm}"),
        }
    }

    /// `at` as [`Strings::at_time`] writes it.
    pub fn window_closed(&self, at: &str, reason: Option<&str>) -> String {
        let why = reason.map(|r| format!(" ({r})")).unwrap_or_default();
        if self.is_es() {
            format!("se programará para {at}{why}")
        } else {
            format!("will be scheduled {at}{why}")
        }
    }

    pub fn window_open(&self, closes: Option<&str>) -> String {
        match (closes, self.is_es()) {
            (Some(c), true) => format!("abierto, cierra {c}"),
            (Some(c), false) => format!("open, closes {c}"),
            (None, true) => "abierto".into(),
            (None, false) => "open".into(),
        }
    }

    pub fn estimate_line(&self, secs: u64, finish: &str) -> String {
        let d = short_duration(secs as i64);
        if self.is_es() {
            format!("{d}, termina {finish}")
        } else {
            format!("{d}, finishes {finish}")
        }
    }

    pub fn cost_range(&self, min: Option<f64>, max: Option<f64>) -> Option<String> {
        let range = match (min, max) {
            (Some(a), Some(b)) if (a - b).abs() > f64::EPSILON => {
                format!("{}–{}", self.number(a), self.number(b))
            }
            (Some(a), _) | (None, Some(a)) => self.number(a),
            (None, None) => return None,
        };
        Some(if self.is_es() {
            format!("costo {range} {}", self.credits)
        } else {
            format!("cost {range} {}", self.credits)
        })
    }

    pub fn based_on(&self, batches: usize) -> String {
        match (batches, self.is_es()) {
            (0, _) => self.estimate_defaults.to_string(),
            (1, true) => "según 1 lote".into(),
            (1, false) => "based on 1 batch".into(),
            (n, true) => format!("según {n} lotes"),
            (n, false) => format!("based on {n} batches"),
        }
    }

    pub fn retry_policy(&self, p: &RetryPolicy) -> String {
        if p.max_attempts <= 1 || p.outcomes.is_empty() {
            return self.auto_retry_off.to_string();
        }
        let outcomes: Vec<String> = p
            .outcomes
            .iter()
            .map(|o| self.recipient_status(o))
            .collect();
        let every = spacing(p.spacing_secs);
        if self.is_es() {
            format!(
                "{} · hasta {} intentos · cada {every}",
                outcomes.join(", "),
                p.max_attempts
            )
        } else {
            format!(
                "{} · up to {} attempts · every {every}",
                outcomes.join(", "),
                p.max_attempts
            )
        }
    }

    /// The batch stopped before its end, and why (shown in the error colour).
    pub fn stop_reason(&self, code: StopCode, message: &str) -> String {
        let es = self.is_es();
        match (code, es) {
            (StopCode::CircuitBreaker, true) => format!("Detenido por el disyuntor: {message}"),
            (StopCode::CircuitBreaker, false) => {
                format!("Stopped by the circuit breaker: {message}")
            }
            (StopCode::WindowClosed, true) => format!("Cerrado por horario: {message}"),
            (StopCode::WindowClosed, false) => format!("Closed by the calling window: {message}"),
            (_, true) => format!("Detenido: {message}"),
            (_, false) => format!("Stopped: {message}"),
        }
    }

    /// Where automatic retries stand. Rounds are counted as the retry batches are
    /// named ("· reintento 1" is round 1, the recipient's attempt 2). `at` (as
    /// [`Strings::at_time`] writes it) is when the next round is due; `ended` holds, once
    /// this batch is over, how many of its recipients the policy re-dials.
    pub fn auto_retry(&self, v: &AutoRetryView, at: Option<&str>, ended: Option<usize>) -> String {
        let es = self.is_es();
        let max = v.max_attempts.max(1);
        let left = max.saturating_sub(v.rounds + 1);
        let next = v.rounds + 1;
        if let Some(at) = at {
            return if es {
                format!(
                    "Reintento automático {next} (intento {} de {max}) {at}",
                    next + 1
                )
            } else {
                format!(
                    "Automatic retry {next} (attempt {} of {max}) {at}",
                    next + 1
                )
            };
        }
        let this = match (v.rounds, es) {
            (0, _) => String::new(),
            (r, true) => format!("este lote es el reintento {r}; "),
            (r, false) => format!("this batch is retry {r}; "),
        };
        let outcomes: Vec<String> = v
            .outcomes
            .iter()
            .map(|o| self.recipient_status(o))
            .collect();
        let outcomes = outcomes.join(", ");
        let every = spacing(v.spacing_secs);
        let left_es = if left == 1 {
            "queda 1 reintento".to_string()
        } else {
            format!("quedan {left} reintentos")
        };
        let left_en = if left == 1 {
            "1 retry left".to_string()
        } else {
            format!("{left} retries left")
        };
        match (left, ended, es) {
            (0, _, true) => format!(
                "Reintentos automáticos: {this}no quedan más (hasta {max} intentos por destinatario)"
            ),
            (0, _, false) => {
                format!("Automatic retries: {this}none left (up to {max} attempts per recipient)")
            }
            (_, None, true) => format!(
                "Reintentos automáticos: {this}{left_es} ({outcomes}), {every} después de la última llamada"
            ),
            (_, None, false) => format!(
                "Automatic retries: {this}{left_en} ({outcomes}), {every} after the last call"
            ),
            (_, Some(0), true) => format!("Reintentos automáticos: {this}nadie que reintentar"),
            (_, Some(0), false) => format!("Automatic retries: {this}nobody to retry"),
            (_, Some(n), true) => {
                format!(
                    "Reintentos automáticos: preparando el reintento {next} ({n} destinatarios)"
                )
            }
            (_, Some(n), false) => {
                format!("Automatic retries: preparing retry {next} ({n} recipients)")
            }
        }
    }

    /// `at` as [`Strings::at_time`] writes it, for a time already past.
    pub fn began(&self, at: &str) -> String {
        if self.is_es() {
            format!("empezó {at}")
        } else {
            format!("began {at}")
        }
    }

    pub fn continued_by(&self, id: &str) -> String {
        if self.is_es() {
            format!("Continúa en {id} (g para abrirlo)")
        } else {
            format!("Continues in {id} (g to open it)")
        }
    }

    pub fn continues(&self, id: &str) -> String {
        if self.is_es() {
            format!("Continúa el lote {id}")
        } else {
            format!("Continues batch {id}")
        }
    }
}

/// `30 min`, `2 h`, else the compact form.
fn spacing(secs: i64) -> String {
    if secs > 0 && secs % 3600 == 0 {
        format!("{} h", secs / 3600)
    } else if secs > 0 && secs % 60 == 0 {
        format!("{} min", secs / 60)
    } else {
        short_duration(secs)
    }
}

#[cfg(test)]
mod tests {
    use crate::api::AutoRetryView;
    use crate::domain::StopCode;
    use crate::domain::policy::RetryPolicy;
    use crate::tui::text::en::EN;
    use crate::tui::text::es::ES;

    fn auto(rounds: u32, next: Option<i64>) -> AutoRetryView {
        use crate::domain::RecipientStatus;
        AutoRetryView {
            outcomes: vec![RecipientStatus::Failed, RecipientStatus::Voicemail],
            max_attempts: 3,
            spacing_secs: 1800,
            rounds,
            next_at_unix: next,
        }
    }

    #[test]
    fn automatic_retries_count_attempts_the_first_call_included() {
        let at = ES.at_time(None, "16:30");
        // Just started, "up to 3 attempts": two rounds are left, none is "done".
        assert_eq!(
            ES.auto_retry(&auto(0, None), None, None),
            "Reintentos automáticos: quedan 2 reintentos (fallida, buzón de voz), 30 min después de la última llamada"
        );
        // Round 1 is the batch named "· reintento 1", its recipients' attempt 2.
        assert_eq!(
            ES.auto_retry(&auto(0, Some(1)), Some(&at), Some(3)),
            "Reintento automático 1 (intento 2 de 3) a las 16:30"
        );
        assert_eq!(
            ES.auto_retry(&auto(1, Some(1)), Some(&at), Some(3)),
            "Reintento automático 2 (intento 3 de 3) a las 16:30"
        );
        assert_eq!(
            ES.auto_retry(&auto(1, None), None, None),
            "Reintentos automáticos: este lote es el reintento 1; queda 1 reintento (fallida, buzón de voz), 30 min después de la última llamada"
        );
        assert_eq!(
            ES.auto_retry(&auto(2, None), None, Some(1)),
            "Reintentos automáticos: este lote es el reintento 2; no quedan más (hasta 3 intentos por destinatario)"
        );
        assert_eq!(
            ES.auto_retry(&auto(0, None), None, Some(0)),
            "Reintentos automáticos: nadie que reintentar"
        );
        assert_eq!(
            ES.auto_retry(&auto(0, None), None, Some(2)),
            "Reintentos automáticos: preparando el reintento 1 (2 destinatarios)"
        );
        let at = EN.at_time(Some("25/08"), "08:00");
        assert_eq!(
            EN.auto_retry(&auto(0, Some(1)), Some(&at), Some(3)),
            "Automatic retry 1 (attempt 2 of 3) on 25/08 at 08:00"
        );
    }

    #[test]
    fn numbers_policies_and_stop_reasons_read_in_each_language() {
        assert_eq!(ES.number(12.5), "12,5");
        assert_eq!(EN.number(12.5), "12.5");
        assert_eq!(ES.number(20.0), "20");
        assert_eq!(
            ES.retry_policy(&RetryPolicy::default()),
            "fallida, buzón de voz · hasta 3 intentos · cada 30 min"
        );
        let off = RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        };
        assert_eq!(ES.retry_policy(&off), "no");
        assert_eq!(
            ES.stop_reason(StopCode::CircuitBreaker, "8 de 10 fallaron"),
            "Detenido por el disyuntor: 8 de 10 fallaron"
        );
        assert_eq!(
            ES.stop_reason(StopCode::WindowClosed, "19:00"),
            "Cerrado por horario: 19:00"
        );
        assert_eq!(
            ES.cost_range(Some(10.0), Some(20.0)).unwrap(),
            "costo 10–20 créditos"
        );
        assert_eq!(ES.cost_range(None, None), None);
        assert_eq!(ES.skip_code("opted_out"), Some("en la lista de no llamar"));
        assert_eq!(ES.skip_code("otro"), None);
    }
}
