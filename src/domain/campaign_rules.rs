//! Rules every batch follows: calling windows, automatic retries, circuit breaker.

use super::policy::{CircuitBreaker, RetryPolicy};
use super::rules::RulePack;

#[derive(Debug, Clone)]
pub struct CampaignRules {
    /// Calling-window rule pack; None when turned off (`rules = "off"`).
    pub rules: Option<RulePack>,
    /// Default automatic retry policy (a call start may give its own).
    pub retry: RetryPolicy,
    /// None when turned off (`breaker_window = 0`).
    pub breaker: Option<CircuitBreaker>,
}

impl Default for CampaignRules {
    fn default() -> Self {
        Self {
            rules: Some(RulePack::colombia()),
            // One attempt: no automatic retry unless configured or asked per batch.
            retry: RetryPolicy {
                max_attempts: 1,
                ..RetryPolicy::default()
            },
            breaker: Some(CircuitBreaker::default()),
        }
    }
}
