//! The progression engine. A call's whole life is planned when it is queued (at submit or
//! retry): when it is dispatched, rings, is answered and ends, and how. Its status at any
//! virtual instant is then a pure function of that plan, so results depend on the seed and
//! the phone number only, never on when or how often anyone polls.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

use super::ids::{hash, make_id, unit};
use super::outcome::Outcome;
use super::scripted::ScriptedOutcomes;
use crate::domain::RecipientStatus;

/// One dialling of one recipient.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub dispatch_at: i64,
    pub initiated_at: i64,
    /// When a person or a machine picked up.
    pub answered_at: Option<i64>,
    pub end_at: i64,
    pub outcome: Outcome,
    pub conversation_id: String,
}

/// The phases a recipient goes through; the order is the lifecycle's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    Pending,
    Dispatched,
    Initiated,
    InProgress,
    Completed,
    Voicemail,
    Failed,
    Cancelled,
}

impl Phase {
    pub fn status(self) -> RecipientStatus {
        match self {
            Phase::Pending => RecipientStatus::Pending,
            Phase::Dispatched => RecipientStatus::Dispatched,
            Phase::Initiated => RecipientStatus::Initiated,
            Phase::InProgress => RecipientStatus::InProgress,
            Phase::Completed => RecipientStatus::Completed,
            Phase::Voicemail => RecipientStatus::Voicemail,
            Phase::Failed => RecipientStatus::Failed,
            Phase::Cancelled => RecipientStatus::Cancelled,
        }
    }

    pub fn is_final(self) -> bool {
        self >= Phase::Completed
    }
}

/// Where an attempt stands at `t`: its phase, when that phase began, and when the next
/// change comes (`i64::MAX` if none).
pub fn attempt_phase(a: &Attempt, queued_at: i64, t: i64) -> (Phase, i64, i64) {
    if t < a.dispatch_at {
        return (Phase::Pending, queued_at, a.dispatch_at);
    }
    if t < a.initiated_at {
        return (Phase::Dispatched, a.dispatch_at, a.initiated_at);
    }
    if t < a.end_at {
        return match a.answered_at {
            Some(ans) if t >= ans => (Phase::InProgress, ans, a.end_at),
            Some(ans) => (Phase::Initiated, a.initiated_at, ans),
            None => (Phase::Initiated, a.initiated_at, a.end_at),
        };
    }
    let last = match a.outcome {
        Outcome::Answered { .. } => Phase::Completed,
        Outcome::Voicemail => Phase::Voicemail,
        _ => Phase::Failed,
    };
    (last, a.end_at, i64::MAX)
}

/// What decides outcomes and the pace of calls.
#[derive(Debug, Clone)]
pub struct Mix {
    pub seed: u64,
    pub pickup_rate: f64,
    pub voicemail_rate: f64,
    pub ringing_timeout_secs: i64,
    /// Outcomes fixed in advance for some phones (the demo's).
    pub scripted: Option<std::sync::Arc<ScriptedOutcomes>>,
    /// `/retry` re-dials voicemail too (else failed calls only).
    pub retry_voicemail: bool,
}

/// One recipient to plan.
pub struct ToPlan<'a> {
    pub phone: &'a str,
    pub missing: Vec<String>,
    pub attempt_no: u32,
    /// Makes conversation ids unique per batch and recipient.
    pub key: &'a str,
}

/// Plans calls for `items` in order, starting at `start`, with at most `slots` live at once.
pub fn plan(mix: &Mix, items: &[ToPlan<'_>], start: i64, slots: usize) -> Vec<Attempt> {
    let slots = slots.max(1);
    let mut free: BinaryHeap<Reverse<i64>> = (0..slots).map(|_| Reverse(start)).collect();
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        let Reverse(slot_free) = free.pop().unwrap_or(Reverse(start));
        let attempt = plan_one(mix, it, slot_free.max(start));
        free.push(Reverse(attempt.end_at));
        out.push(attempt);
    }
    out
}

fn plan_one(mix: &Mix, it: &ToPlan<'_>, dispatch_at: i64) -> Attempt {
    let n = it.attempt_no.to_le_bytes();
    let h = |what: &[u8]| hash(mix.seed, &[it.phone.as_bytes(), &n, what]);
    let initiated_at = dispatch_at + 1 + (h(b"setup") % 2) as i64;
    let ring = 3 + (h(b"ring") % 12) as i64;
    let conversation_id = make_id("conv", mix.seed, &[it.key.as_bytes(), &n]);
    let u = unit(h(b"outcome"));
    let scripted = it
        .missing
        .is_empty()
        .then(|| mix.scripted.as_ref().and_then(|s| s.next(it.phone)))
        .flatten();
    let kind = match scripted {
        Some(o) => o,
        None if !it.missing.is_empty() => Outcome::MissingVariables(it.missing.clone()),
        None if u < mix.pickup_rate => Outcome::Answered {
            interested: unit(h(b"interest")) < 0.7,
        },
        None if u < mix.pickup_rate + mix.voicemail_rate => Outcome::Voicemail,
        None if h(b"busy") % 3 == 0 => Outcome::Busy,
        None => Outcome::NoAnswer,
    };
    let (outcome, answered_at, end_at) = match kind {
        // Upstream refuses to start the conversation: it fails at once.
        Outcome::MissingVariables(m) => (Outcome::MissingVariables(m), None, initiated_at + 1),
        Outcome::Answered { interested } => {
            let talk = 35 + (h(b"talk") % 110) as i64;
            let ans = initiated_at + ring;
            (Outcome::Answered { interested }, Some(ans), ans + talk)
        }
        Outcome::Voicemail => {
            let ans = initiated_at + ring + 6;
            (
                Outcome::Voicemail,
                Some(ans),
                ans + 18 + (h(b"vm") % 10) as i64,
            )
        }
        Outcome::Busy => (Outcome::Busy, None, initiated_at + 2),
        Outcome::NoAnswer => {
            let timeout = mix.ringing_timeout_secs.clamp(5, 999);
            (Outcome::NoAnswer, None, initiated_at + timeout)
        }
    };
    Attempt {
        dispatch_at,
        initiated_at,
        answered_at,
        end_at,
        outcome,
        conversation_id,
    }
}

/// The variables in `required` that `vars` lacks or has empty.
pub fn missing_variables(
    required: &BTreeSet<String>,
    vars: &indexmap::IndexMap<String, serde_json::Value>,
) -> Vec<String> {
    required
        .iter()
        .filter(|name| match vars.get(name.as_str()) {
            None | Some(serde_json::Value::Null) => true,
            Some(serde_json::Value::String(s)) => s.trim().is_empty(),
            Some(_) => false,
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mix() -> Mix {
        Mix {
            seed: 9,
            pickup_rate: 0.6,
            voicemail_rate: 0.2,
            ringing_timeout_secs: 60,
            scripted: None,
            retry_voicemail: true,
        }
    }

    #[test]
    fn concurrency_limits_live_calls() {
        let phones: Vec<String> = (0..20).map(|i| format!("+5730000000{i:02}")).collect();
        let items: Vec<ToPlan> = phones
            .iter()
            .map(|p| ToPlan {
                phone: p,
                missing: vec![],
                attempt_no: 0,
                key: p,
            })
            .collect();
        let plans = plan(&mix(), &items, 1000, 3);
        for t in 1000..3000 {
            let live = plans
                .iter()
                .filter(|a| a.dispatch_at <= t && t < a.end_at)
                .count();
            assert!(live <= 3, "at {t}: {live} live calls");
        }
        assert!(plans.iter().all(|a| a.dispatch_at >= 1000));
    }

    #[test]
    fn phases_follow_the_lifecycle_order() {
        let items = [ToPlan {
            phone: "+573001112223",
            missing: vec![],
            attempt_no: 0,
            key: "k",
        }];
        let a = &plan(&mix(), &items, 0, 1)[0];
        let mut last = Phase::Pending;
        for t in -1..a.end_at + 5 {
            let (p, since, next) = attempt_phase(a, -1, t);
            assert!(p >= last, "went back from {last:?} to {p:?}");
            assert!(since <= t.max(-1) && next > t);
            last = p;
        }
        assert!(last.is_final());
    }

    #[test]
    fn missing_variables_fail_fast() {
        let items = [ToPlan {
            phone: "+1",
            missing: vec!["empresa".into()],
            attempt_no: 0,
            key: "k",
        }];
        let a = &plan(&mix(), &items, 0, 1)[0];
        assert_eq!(attempt_phase(a, 0, a.end_at).0, Phase::Failed);
        assert!(a.end_at - a.initiated_at <= 1);
    }
}
