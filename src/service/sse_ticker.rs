//! One keep-alive clock for every open stream. A timer per connection costs memory and a
//! wake-up of its own for each of thousands of idle viewers; one task ticking for all of
//! them costs one timer. Each stream sends its keep-alive comment on every tick.

use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Starts the clock: the receiver changes every `period` until `cancel`.
pub fn start(period: Duration, cancel: CancellationToken) -> watch::Receiver<u64> {
    let (tx, rx) = watch::channel(0u64);
    tokio::spawn(async move {
        let mut every = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = cancel.cancelled() => return,
            }
            tx.send_modify(|n| *n += 1);
        }
    });
    rx
}
