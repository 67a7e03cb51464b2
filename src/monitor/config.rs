//! The hub's settings: polling pace, enrichment concurrency, the circuit breaker, the
//! calling windows, the clock, the sweeper's pace and the webhooks' pace.

use std::time::Duration;

use super::clock::Clock;

#[derive(Debug, Clone)]
pub struct HubConfig {
    pub poll_interval: Duration,
    pub enrich_concurrency: usize,
    /// How long a status request waits for the first poll of a batch.
    pub first_poll_timeout: Duration,
    /// Stops a batch whose calls are going wrong; None = off.
    pub breaker: Option<crate::domain::policy::CircuitBreaker>,
    /// Calling windows: a batch running at the close is stopped and its undialled
    /// recipients resubmitted for the next opening. None = off.
    pub rules: Option<crate::domain::rules::RulePack>,
    /// Zone of the call names of continuations.
    pub timezone: chrono_tz::Tz,
    pub clock: Clock,
    /// How long after its intent a batch may still appear upstream (see `journal`).
    pub submit_grace: Duration,
    /// How often orphaned batches are re-adopted and planned rounds submitted.
    pub sweep_interval: Duration,
    /// Post-call webhooks are received: their pace. None = polling only.
    pub webhooks: Option<WebhookPace>,
}

/// How the pollers behave when ElevenLabs pushes each finished call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookPace {
    /// The poll interval while webhooks arrive (longer than `poll_interval`).
    pub poll_interval: Duration,
    /// How long a finished call's webhook is waited for before the poller fetches the
    /// conversation itself (the reconciliation of webhooks that never came).
    pub reconcile_after: Duration,
}

impl HubConfig {
    /// Polling every `poll_interval_ms` (100 at least), enriching `enrich_concurrency`
    /// conversations at once; the rest at its defaults.
    pub fn polling(poll_interval_ms: u64, enrich_concurrency: usize) -> Self {
        Self {
            poll_interval: Duration::from_millis(poll_interval_ms.max(100)),
            enrich_concurrency: enrich_concurrency.max(1),
            first_poll_timeout: Duration::from_secs(60),
            breaker: None,
            rules: None,
            timezone: chrono_tz::America::Bogota,
            clock: Clock::system(),
            submit_grace: Duration::from_secs(60),
            sweep_interval: Duration::from_millis(poll_interval_ms.max(100) * 10)
                .min(Duration::from_secs(30)),
            webhooks: None,
        }
    }
}
