//! A batch's poller task: polls while this instance holds the batch (always, on a store
//! of one process), follows the instance that holds it otherwise (`follower`), and gives
//! the batch up when it stops. Between polls, webhooks' news refresh the snapshot.

use std::sync::Arc;
use std::time::Duration;

use super::cluster;
use super::poller::{Next, Poller};
use super::state::{Entry, Inner};

/// How long a webhook's refresh waits for the webhooks that come with it.
const REFRESH_COALESCE: Duration = Duration::from_millis(100);

/// Starts a batch's poller (the hub's `spawn_poller`).
pub(super) fn spawn(hub: Arc<Inner>, batch_id: String, entry: Arc<Entry>) {
    tokio::spawn(run(hub, batch_id, entry));
}

async fn run(hub: Arc<Inner>, batch_id: String, entry: Arc<Entry>) {
    let mut p = Poller::new(hub.clone(), batch_id, entry.clone()).await;
    drive(&hub, &entry, &mut p).await;
    cluster::release(&hub, &p.batch_id).await;
}

async fn drive(hub: &Inner, entry: &Entry, p: &mut Poller) {
    // Followed until now: the holder may have stored a snapshot (its final one, before
    // it released the lease) that this instance has not shown yet.
    let mut followed = false;
    loop {
        if !cluster::holds(hub, &p.batch_id).await {
            followed = true;
            match p.follow().await {
                Next::Stop => return,
                Next::Wait(_) => continue,
            }
        }
        if p.adopt_shared(std::mem::take(&mut followed)).await {
            return;
        }
        let delay = match p.poll_once().await {
            Next::Wait(delay) => delay,
            Next::Stop => return,
        };
        let deadline = tokio::time::Instant::now() + delay;
        // Webhooks' news refresh the snapshot between polls without moving the next one.
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                _ = entry.kick.notified() => break,
                _ = entry.refresh.notified() => {
                    // Webhooks of calls ending together make one refresh.
                    tokio::time::sleep(REFRESH_COALESCE).await;
                    if p.refresh().await {
                        break;
                    }
                }
                _ = hub.cancel.cancelled() => return,
            }
        }
    }
}
