//! When a poller polls next: its interval (stretched while post-call webhooks arrive, since
//! they bring each call's end), and the slow pace of a batch scheduled far ahead.

use std::time::Duration;

use super::state::Inner;

/// Longest wait between two polls of a batch that keeps failing, or that is scheduled
/// far ahead.
pub(super) const MAX_DELAY: Duration = Duration::from_secs(60);

/// The poll interval now: the webhooks' longer one while they arrive (one came within two
/// of their intervals), else the usual one.
pub(super) fn poll_interval(hub: &Inner) -> Duration {
    match &hub.cfg.webhooks {
        Some(w) if hub.push.recent(w.poll_interval * 2) => {
            w.poll_interval.max(hub.cfg.poll_interval)
        }
        _ => hub.cfg.poll_interval,
    }
}

/// A batch scheduled far ahead is polled slowly until close to its start.
pub(super) fn scheduled_wait(
    hub: &Inner,
    record: Option<&crate::domain::BatchRecord>,
    view: &crate::api::BatchStatusView,
) -> Duration {
    // Our own schedule only: a simulator's clock may run ahead of ours.
    let Some(starts) = record.and_then(|r| r.scheduled_time_unix) else {
        return Duration::ZERO;
    };
    let ahead = starts - hub.cfg.clock.now().timestamp();
    if view.status != crate::domain::BatchStatus::Pending || ahead <= 0 {
        return Duration::ZERO;
    }
    Duration::from_secs((ahead as u64) / 2).min(MAX_DELAY)
}
