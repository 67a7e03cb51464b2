//! Outcomes fixed in advance for some phone numbers, call after call. `callboard demo`
//! uses it so that its first batch always has failures and voicemail for the automatic
//! retry to re-dial, whatever the seed; everyone else gets the seeded mix.

use std::collections::HashMap;
use std::sync::Mutex;

pub use super::outcome::Outcome;

/// Per E.164 phone, the outcome of its first call, its second, and so on; calls beyond
/// the list (and phones not in it) follow the seeded mix.
#[derive(Debug, Default)]
pub struct ScriptedOutcomes {
    outcomes: HashMap<String, Vec<Outcome>>,
    /// Calls planned so far per phone, across batches (a retry round is a new batch).
    planned: Mutex<HashMap<String, usize>>,
}

impl ScriptedOutcomes {
    pub fn new(outcomes: impl IntoIterator<Item = (String, Vec<Outcome>)>) -> Self {
        Self {
            outcomes: outcomes.into_iter().collect(),
            planned: Mutex::new(HashMap::new()),
        }
    }

    /// The outcome of the next call to `phone`, if one is scripted; counts the call.
    pub(super) fn next(&self, phone: &str) -> Option<Outcome> {
        let list = self.outcomes.get(phone)?;
        let mut planned = self.planned.lock().unwrap_or_else(|p| p.into_inner());
        let n = planned.entry(phone.to_string()).or_insert(0);
        let out = list.get(*n).cloned();
        *n += 1;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_takes_the_next_scripted_outcome_then_the_mix() {
        let s = ScriptedOutcomes::new([(
            "+573015550102".to_string(),
            vec![Outcome::NoAnswer, Outcome::Voicemail],
        )]);
        assert_eq!(s.next("+573015550102"), Some(Outcome::NoAnswer));
        assert_eq!(s.next("+573015550102"), Some(Outcome::Voicemail));
        assert_eq!(s.next("+573015550102"), None);
        assert_eq!(s.next("+573015550199"), None);
    }
}
