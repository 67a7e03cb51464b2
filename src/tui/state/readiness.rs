//! Who a call would reach now: how many of the group's valid phones are ready (have every
//! variable the agent uses), and which variables the rest lack. The words are in
//! `text::readiness`.

use crate::domain::preflight::Preflight;

/// Ready now, of the valid phones, and those lacking the agent's variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    pub ready: usize,
    pub incomplete: usize,
}

impl Readiness {
    pub fn of(p: &Preflight) -> Self {
        Self {
            ready: p.recipients.len(),
            incomplete: p.incomplete.len(),
        }
    }

    /// Whether `y` would be refused: nobody ready, or incomplete ones not skipped.
    pub fn blocks(self, skip_incomplete: bool) -> bool {
        self.ready == 0 || (self.incomplete > 0 && !skip_incomplete)
    }
}

/// The variables the incomplete clients lack, each once, in order.
pub fn missing_variables(p: &Preflight) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in p.incomplete.iter().flat_map(|c| c.missing.iter()) {
        if !out.contains(m) {
            out.push(m.clone());
        }
    }
    out
}
