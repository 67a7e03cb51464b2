//! The state every request shares: options, the virtual clock, the workspace, fault
//! injection and request counters, and the lock that survives a panicked request.

use axum::extract::State;
use bytes::Bytes;
use rand::rngs::SmallRng;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use super::batch::SimBatch;
use super::engine::Mix;
use super::faults::FaultConfig;
use super::options::SimOptions;
use super::workspace::Workspace;

/// What the route handlers extract.
pub(crate) type St = State<Arc<SimState>>;

pub(crate) struct SimState {
    pub(super) opts: SimOptions,
    pub(super) started: Instant,
    pub(super) start_unix: i64,
    pub(super) ws: Mutex<Workspace>,
    pub(super) faults: Mutex<FaultState>,
    pub(super) counters: Mutex<HashMap<String, u64>>,
    pub(super) audio: Bytes,
    /// When each conversation's webhook was posted (real time).
    pub(super) webhooks_posted: Mutex<HashMap<String, Instant>>,
}

pub(super) struct FaultState {
    pub(super) config: FaultConfig,
    pub(super) injected: u64,
    pub(super) rng: SmallRng,
}

/// Locks even a poisoned mutex: a panicked request must not stop the simulator.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SimState {
    /// Virtual now, in Unix seconds.
    pub(crate) fn now(&self) -> i64 {
        self.start_unix + (self.started.elapsed().as_secs_f64() * self.opts.speed) as i64
    }

    pub(super) fn note_webhook(&self, conversation_id: &str) {
        lock(&self.webhooks_posted).insert(conversation_id.to_string(), Instant::now());
    }

    pub(super) fn count(&self, endpoint: &str) {
        *lock(&self.counters)
            .entry(endpoint.to_string())
            .or_insert(0) += 1;
    }

    /// What decides the outcomes of `b`'s calls (`None`: a batch not yet made).
    pub(super) fn mix(&self, b: Option<&SimBatch>) -> Mix {
        Mix {
            seed: self.opts.seed,
            pickup_rate: self.opts.pickup_rate,
            voicemail_rate: self.opts.voicemail_rate,
            ringing_timeout_secs: b.map_or(60, |b| {
                i64::from(b.telephony_call_config.ringing_timeout_secs)
            }),
            scripted: self.opts.scripted.clone(),
            retry_voicemail: self.opts.retry_voicemail,
        }
    }
}
