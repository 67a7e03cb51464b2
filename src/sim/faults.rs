//! Fault injection: errors, rate limits, latency and cut connections, by rate, optionally
//! only on some endpoints and only so many times. Set by flags at start and at run time
//! through `POST /_sim/faults`.

use rand::Rng;
use rand::rngs::SmallRng;
use serde::{Deserialize, Serialize};

/// Rates are shares of matching requests (0..1), checked in the order of the fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    pub error_500_rate: f64,
    pub error_502_rate: f64,
    pub error_503_rate: f64,
    /// 429 `rate_limit_exceeded`.
    pub rate_limit_rate: f64,
    /// 429 `concurrent_limit_exceeded`.
    pub concurrent_limit_rate: f64,
    /// 429 `system_busy`.
    pub system_busy_rate: f64,
    /// 404 `not_found`: the resource seems gone (a batch deleted upstream).
    pub not_found_rate: f64,
    /// Sent as `Retry-After` with 429 and 503 answers (upstream normally sends none).
    pub retry_after_secs: Option<u64>,
    /// Added before every answer, after the request was carried out.
    pub latency_ms: u64,
    /// The request is carried out, then the connection is cut before the answer.
    pub drop_rate: f64,
    /// The request is carried out, then a 502 comes back (a gateway lost the answer).
    pub late_502_rate: f64,
    /// Only these endpoints (`"POST /v1/convai/batch-calling/submit"`); empty = all.
    pub endpoints: Vec<String>,
    /// Inject at most this many faults (latency aside), then answer normally.
    pub max_faults: Option<u64>,
}

/// What to do with one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    None,
    /// Answer at once with this status and upstream error code, without doing anything.
    Reject(u16, &'static str),
    /// Do the work, then cut the connection.
    Drop,
    /// Do the work, then answer 502.
    Late502,
}

impl FaultConfig {
    pub fn applies_to(&self, endpoint: &str) -> bool {
        self.endpoints.is_empty() || self.endpoints.iter().any(|e| e == endpoint)
    }

    /// Draws the fault for one request.
    pub fn draw(&self, rng: &mut SmallRng) -> Fault {
        let table: [(f64, Fault); 9] = [
            (self.error_500_rate, Fault::Reject(500, "internal_error")),
            (self.error_502_rate, Fault::Reject(502, "bad_gateway")),
            (
                self.error_503_rate,
                Fault::Reject(503, "service_unavailable"),
            ),
            (
                self.rate_limit_rate,
                Fault::Reject(429, "rate_limit_exceeded"),
            ),
            (
                self.concurrent_limit_rate,
                Fault::Reject(429, "concurrent_limit_exceeded"),
            ),
            (self.system_busy_rate, Fault::Reject(429, "system_busy")),
            (self.not_found_rate, Fault::Reject(404, "not_found")),
            (self.drop_rate, Fault::Drop),
            (self.late_502_rate, Fault::Late502),
        ];
        let u: f64 = rng.random();
        let mut acc = 0.0;
        for (rate, fault) in table {
            acc += rate.clamp(0.0, 1.0);
            if u < acc {
                return fault;
            }
        }
        Fault::None
    }

    /// From the CLI's two coarse rates: spread evenly over the kinds.
    pub fn from_rates(error_rate: f64, rate_limit_rate: f64, latency_ms: u64) -> Self {
        Self {
            error_500_rate: error_rate / 3.0,
            error_502_rate: error_rate / 3.0,
            error_503_rate: error_rate / 3.0,
            rate_limit_rate: rate_limit_rate / 3.0,
            concurrent_limit_rate: rate_limit_rate / 3.0,
            system_busy_rate: rate_limit_rate / 3.0,
            latency_ms,
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn rates_give_the_expected_mix() {
        let f = FaultConfig {
            error_503_rate: 0.25,
            system_busy_rate: 0.25,
            ..Default::default()
        };
        let mut rng = SmallRng::seed_from_u64(1);
        let draws: Vec<Fault> = (0..4000).map(|_| f.draw(&mut rng)).collect();
        let n503 = draws
            .iter()
            .filter(|d| **d == Fault::Reject(503, "service_unavailable"))
            .count();
        let n429 = draws
            .iter()
            .filter(|d| **d == Fault::Reject(429, "system_busy"))
            .count();
        assert!((800..1200).contains(&n503), "{n503}");
        assert!((800..1200).contains(&n429), "{n429}");
        assert_eq!(FaultConfig::default().draw(&mut rng), Fault::None);
    }
}
