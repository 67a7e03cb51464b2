//! How long a batch will take and what it may cost, from its size, its concurrency and
//! what past batches taught.

use chrono::{DateTime, Duration, Utc};

use super::findings::{Estimate, WindowCheck};
use super::history::History;

/// The estimate for `n` recipients dialled `concurrency` at a time from the window's start.
pub(super) fn estimate(n: usize, concurrency: usize, h: History, window: &WindowCheck) -> Estimate {
    let rounds = n.div_ceil(concurrency.max(1));
    let duration_secs = (rounds as f64 * h.avg_call_secs).ceil() as u64;
    // Checked: a start near the end of what dates can hold must not panic.
    let finish_at = i64::try_from(duration_secs)
        .ok()
        .and_then(|d| window.start_at.checked_add_signed(Duration::seconds(d)))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let exceeds_window = window.closes_at.is_some_and(|c| finish_at > c);
    // Cost: every answered call costs about the average; pick-up varies ±20 points.
    let (cost_min, cost_max) = match h.avg_cost {
        Some(avg) => {
            let low = (h.pickup_rate - 0.2).clamp(0.0, 1.0);
            let high = (h.pickup_rate + 0.2).clamp(0.0, 1.0);
            (Some(n as f64 * low * avg), Some(n as f64 * high * avg))
        }
        None => (None, None),
    };
    Estimate {
        duration_secs,
        finish_at,
        exceeds_window,
        cost_min,
        cost_max,
        based_on_batches: h.batches,
    }
}
