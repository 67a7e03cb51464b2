//! Batch policies applied by the service's poller: automatic retries by outcome, and a
//! circuit breaker that stops a batch whose calls are going wrong.

use serde::{Deserialize, Serialize};

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};

use super::rules::RulePack;
use super::status::RecipientStatus;

/// When to re-dial automatically. Upstream `/retry` re-dials a batch's failed and voicemail
/// recipients together, so the policy decides *whether and when* to ask for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicy {
    /// Outcomes that deserve another attempt: `failed`, `voicemail`.
    pub outcomes: Vec<RecipientStatus>,
    /// Attempts per recipient in total, the first call included.
    pub max_attempts: u32,
    /// Minimum seconds between the end of a round and the next.
    pub spacing_secs: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            outcomes: vec![RecipientStatus::Failed, RecipientStatus::Voicemail],
            max_attempts: 3,
            spacing_secs: 30 * 60,
        }
    }
}

/// One recipient as the policies see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: RecipientStatus,
    pub attempts: u32,
    /// Seconds the call lasted, when it connected.
    pub duration_secs: Option<u64>,
    pub finished_at_unix: i64,
}

/// What the retry policy says about a finished round.
#[derive(Debug, Clone, PartialEq)]
pub enum RetryDecision {
    /// Nobody left to retry under this policy.
    Done,
    /// Retry at or after this time (unix seconds), for this many recipients.
    At { unix: i64, recipients: usize },
}

impl RetryPolicy {
    pub fn decide(&self, outcomes: &[Outcome]) -> RetryDecision {
        let due: Vec<&Outcome> = outcomes
            .iter()
            .filter(|o| self.outcomes.contains(&o.status) && o.attempts < self.max_attempts)
            .collect();
        if due.is_empty() {
            return RetryDecision::Done;
        }
        let last = outcomes
            .iter()
            .map(|o| o.finished_at_unix)
            .max()
            .unwrap_or(0);
        RetryDecision::At {
            unix: last + self.spacing_secs,
            recipients: due.len(),
        }
    }
}

/// When a retry round due at `due_unix` may dial: not before `now`, inside the calling
/// window, and, when the pack allows one contact a day and the round re-dials voicemail
/// (a voicemail is a contact), not before tomorrow's opening. A round of failed calls
/// (nobody was reached) may go the same day.
pub fn retry_round_at(
    due_unix: i64,
    voicemail: bool,
    rules: Option<&RulePack>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let mut at = DateTime::from_timestamp(due_unix, 0)
        .unwrap_or(now)
        .max(now);
    if let Some(rules) = rules {
        if voicemail && rules.max_contacts_per_day.is_some() {
            at = at.max(next_local_day(now, rules.timezone));
        }
        at = rules.next_opening(at).unwrap_or(at);
    }
    at
}

fn next_local_day(now: DateTime<Utc>, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let a_day_later = now.checked_add_signed(Duration::days(1)).unwrap_or(now);
    let Some(tomorrow) = now.with_timezone(&tz).date_naive().succ_opt() else {
        return a_day_later;
    };
    tz.from_local_datetime(&tomorrow.and_time(NaiveTime::MIN))
        .earliest()
        .map_or(a_day_later, |d| d.with_timezone(&Utc))
}

/// Stops a batch when, over its last `window` finished calls, the share of calls that
/// failed to connect or lasted less than `short_call_secs` reaches `threshold`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CircuitBreaker {
    pub window: usize,
    pub threshold: f64,
    pub short_call_secs: u64,
}

impl Default for CircuitBreaker {
    fn default() -> Self {
        Self {
            window: 20,
            threshold: 0.6,
            short_call_secs: 5,
        }
    }
}

/// Why the breaker tripped, for the supervisor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trip {
    pub bad: usize,
    pub of: usize,
    pub failed: usize,
    pub short: usize,
    /// Spanish explanation.
    pub message: String,
}

impl CircuitBreaker {
    /// Checks the most recent finished calls (`outcomes` in any order).
    pub fn check(&self, outcomes: &[Outcome]) -> Option<Trip> {
        let mut finished: Vec<&Outcome> = outcomes
            .iter()
            .filter(|o| {
                matches!(
                    o.status,
                    RecipientStatus::Completed
                        | RecipientStatus::Failed
                        | RecipientStatus::Voicemail
                )
            })
            .collect();
        if self.window == 0 || finished.len() < self.window {
            return None;
        }
        finished.sort_by_key(|o| std::cmp::Reverse(o.finished_at_unix));
        let recent = &finished[..self.window];
        let failed = recent
            .iter()
            .filter(|o| o.status == RecipientStatus::Failed)
            .count();
        let short = recent
            .iter()
            .filter(|o| {
                o.status == RecipientStatus::Completed
                    && o.duration_secs.is_some_and(|d| d < self.short_call_secs)
            })
            .count();
        let bad = failed + short;
        (bad as f64 / self.window as f64 >= self.threshold).then(|| Trip {
            bad,
            of: self.window,
            failed,
            short,
            message: format!(
                "Lote detenido: {bad} de las últimas {} llamadas fallaron ({failed}) o duraron menos de {} s ({short}). Revise el agente, el número o la lista antes de reanudar.",
                self.window, self.short_call_secs
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RecipientStatus::*;

    fn o(status: RecipientStatus, attempts: u32, dur: Option<u64>, at: i64) -> Outcome {
        Outcome {
            status,
            attempts,
            duration_secs: dur,
            finished_at_unix: at,
        }
    }

    #[test]
    fn retry_waits_for_spacing_and_respects_attempts() {
        let p = RetryPolicy {
            outcomes: vec![Failed],
            max_attempts: 2,
            spacing_secs: 600,
        };
        let round = vec![
            o(Completed, 1, Some(40), 100),
            o(Failed, 1, None, 150),
            o(Voicemail, 1, None, 170),
        ];
        assert_eq!(
            p.decide(&round),
            RetryDecision::At {
                unix: 770,
                recipients: 1
            }
        );
        let second = vec![o(Completed, 1, Some(40), 100), o(Failed, 2, None, 900)];
        assert_eq!(p.decide(&second), RetryDecision::Done);
    }

    /// Wednesday 25 Nov 2026, hh:mm in Bogotá (UTC−5).
    fn bogota(day: u32, h: u32, m: u32) -> DateTime<Utc> {
        chrono_tz::America::Bogota
            .with_ymd_and_hms(2026, 11, day, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn retry_rounds_land_inside_the_window_and_voicemail_waits_a_day() {
        let co = RulePack::colombia();
        let now = bogota(25, 10, 0);
        // Due in 30 min, window open: then.
        let due = bogota(25, 10, 30).timestamp();
        assert_eq!(
            retry_round_at(due, false, Some(&co), now),
            bogota(25, 10, 30)
        );
        // Due already: now, never in the past.
        assert_eq!(retry_round_at(0, false, Some(&co), now), now);
        // Due after the 19:00 close: Thursday 7:00.
        let late = bogota(25, 19, 30).timestamp();
        assert_eq!(
            retry_round_at(late, false, Some(&co), now),
            bogota(26, 7, 0)
        );
        // Voicemail was a contact today: not before tomorrow's opening.
        assert_eq!(retry_round_at(due, true, Some(&co), now), bogota(26, 7, 0));
        // Friday 27 → Saturday 28 opens at 8:00.
        let fri = bogota(27, 12, 0);
        assert_eq!(retry_round_at(0, true, Some(&co), fri), bogota(28, 8, 0));
        // Without a rule pack only the spacing counts.
        assert_eq!(retry_round_at(due, true, None, now), bogota(25, 10, 30));
    }

    #[test]
    fn breaker_trips_on_failures_and_short_calls_only_over_the_window() {
        let b = CircuitBreaker {
            window: 5,
            threshold: 0.6,
            short_call_secs: 5,
        };
        let mut calls = vec![
            o(Completed, 1, Some(60), 1),
            o(Completed, 1, Some(60), 2),
            o(Completed, 1, Some(60), 3),
            o(Failed, 1, None, 4),
        ];
        assert_eq!(b.check(&calls), None, "fewer calls than the window");
        calls.push(o(Completed, 1, Some(2), 5));
        assert_eq!(b.check(&calls), None, "2 of 5 bad is under 60 %");
        calls.push(o(Failed, 1, None, 6));
        calls.push(o(Pending, 1, None, 7));
        let trip = b.check(&calls).expect("3 of the last 5 are bad");
        assert_eq!((trip.bad, trip.failed, trip.short), (3, 2, 1));
        assert!(trip.message.contains("3 de las últimas 5"));
    }
}
