//! When and how long to wait before trying a request again.

use rand::Rng;
use std::time::Duration;

use super::ElevenLabsError;

/// Capped exponential backoff with jitter; `Retry-After` wins when the server sends it.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts after the first one.
    pub max_retries: u32,
    /// Wait before the first retry; doubled each time.
    pub base: Duration,
    /// No single wait is longer than this, `Retry-After` included.
    pub cap: Duration,
    /// A batch created this long before a failed submit may be the one we submitted.
    pub submit_lookup_window: Duration,
    /// Pages of the workspace list read while looking for a submitted batch.
    pub submit_lookup_pages: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            submit_lookup_window: Duration::from_secs(10 * 60),
            submit_lookup_pages: 5,
        }
    }
}

impl RetryPolicy {
    /// How long to wait before retry number `attempt` (0 = the first retry).
    pub fn delay(&self, attempt: u32, err: &ElevenLabsError) -> Duration {
        if let Some(after) = err.retry_after() {
            return after.min(self.cap);
        }
        let exp = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.min(16)))
            .min(self.cap);
        // Jitter in [50 %, 100 %] so that many clients do not retry in lock-step.
        let factor: f64 = rand::rng().random_range(0.5..=1.0);
        exp.mul_f64(factor)
    }

    /// Whether `err` after `attempt` earlier retries is worth another try. Rate limits
    /// mean "not done", so they are retried for every request; other transient failures
    /// only for idempotent ones.
    pub fn should_retry(&self, attempt: u32, err: &ElevenLabsError, idempotent: bool) -> bool {
        attempt < self.max_retries && (err.is_rate_limited() || (idempotent && err.is_retryable()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, retry_after: Option<Duration>) -> ElevenLabsError {
        ElevenLabsError::Api {
            status,
            code: None,
            message: String::new(),
            detail: None,
            retry_after,
        }
    }

    #[test]
    fn backoff_grows_is_capped_and_honours_retry_after() {
        let p = RetryPolicy {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        let e = api(503, None);
        let d0 = p.delay(0, &e);
        assert!(d0 >= Duration::from_millis(50) && d0 <= Duration::from_millis(100));
        let d3 = p.delay(3, &e);
        assert!(d3 >= Duration::from_millis(400) && d3 <= Duration::from_millis(800));
        assert!(p.delay(10, &e) <= Duration::from_secs(1));
        let e = api(429, Some(Duration::from_millis(1234)));
        assert_eq!(p.delay(0, &e), Duration::from_secs(1), "capped");
        let e = api(429, Some(Duration::from_millis(300)));
        assert_eq!(p.delay(0, &e), Duration::from_millis(300));
    }

    #[test]
    fn only_safe_errors_are_retried() {
        let p = RetryPolicy::default();
        for s in [400, 401, 403, 404, 409, 422] {
            assert!(!p.should_retry(0, &api(s, None), true), "{s}");
        }
        assert!(p.should_retry(0, &api(429, None), false));
        assert!(p.should_retry(0, &api(502, None), true));
        assert!(!p.should_retry(0, &api(502, None), false));
        assert!(!p.should_retry(3, &api(502, None), true), "budget spent");
    }
}
