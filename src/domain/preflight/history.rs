//! `History`: what past batches taught about call length, pick-up and cost, for the
//! pre-flight estimate (defaults when there is none).

use serde::{Deserialize, Serialize};

use crate::domain::model::BatchOutcome;

/// What past batches taught us; defaults are used when there is no history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Average seconds a line is busy per recipient (ringing included).
    pub avg_call_secs: f64,
    /// Share of finished attempts answered by a person.
    pub pickup_rate: f64,
    /// Average cost of an answered call, in credits, when known.
    pub avg_cost: Option<f64>,
    /// How many batches this comes from (0 = defaults).
    pub batches: usize,
}

impl Default for History {
    fn default() -> Self {
        Self {
            avg_call_secs: 90.0,
            pickup_rate: 0.6,
            avg_cost: None,
            batches: 0,
        }
    }
}

/// Seconds a line is taken by a call nobody answers (ringing, voicemail detection).
const UNANSWERED_SECS: f64 = 30.0;

impl History {
    /// From the outcomes of past batches (newest first is not required); the defaults
    /// when none has finished calls.
    pub fn from_outcomes<'o>(outcomes: impl IntoIterator<Item = &'o BatchOutcome>) -> Self {
        let (mut batches, mut finished, mut completed) = (0, 0usize, 0usize);
        let (mut talk, mut timed) = (0.0, 0usize);
        let (mut cost, mut costed) = (0.0, 0usize);
        for o in outcomes {
            if o.finished == 0 {
                continue;
            }
            batches += 1;
            finished += o.finished;
            completed += o.completed;
            if let Some(d) = o.avg_duration_secs {
                talk += d * o.completed as f64;
                timed += o.completed;
            }
            if let Some(c) = o.cost_total.filter(|_| o.cost_known_for > 0) {
                cost += c;
                costed += o.cost_known_for;
            }
        }
        if batches == 0 {
            return Self::default();
        }
        let pickup_rate = completed as f64 / finished as f64;
        let talk = if timed > 0 {
            talk / timed as f64
        } else {
            Self::default().avg_call_secs
        };
        Self {
            avg_call_secs: pickup_rate * talk + (1.0 - pickup_rate) * UNANSWERED_SECS,
            pickup_rate,
            avg_cost: (costed > 0).then(|| cost / costed as f64),
            batches,
        }
    }
}
