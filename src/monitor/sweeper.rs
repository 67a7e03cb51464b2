//! Pollers never give up, and nothing recorded is left unwatched. At start-up, then
//! every `sweep_interval`, the sweeper settles the journal's pending intents, gives every
//! recorded batch that is not final (or still has policy work) a poller when it has none,
//! submits the planned rounds that are due, and forgets expired idempotency keys.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::state::Inner;
use super::submit;
use crate::domain::intent::IntentState;
use crate::store::BatchHead;

/// How often expired idempotency keys and old closed intents are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(600);
/// Closed intents are kept this long (idempotent repeats may look for them).
const INTENT_TTL_SECS: i64 = 2 * 24 * 3600;

pub(super) async fn run(hub: Arc<Inner>) {
    for s in hub.journal.settle_all().await {
        hub.kick(&s.record.batch_id);
    }
    let mut pruned_at: Option<Instant> = None;
    loop {
        sweep(&hub).await;
        if pruned_at.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
            prune(&hub).await;
            pruned_at = Some(Instant::now());
        }
        tokio::select! {
            _ = tokio::time::sleep(hub.cfg.sweep_interval) => {}
            _ = hub.cancel.cancelled() => return,
        }
    }
}

/// Whether a recorded batch needs a poller.
fn needs_watch(h: &BatchHead) -> bool {
    !h.is_done() || h.policy_pending()
}

async fn sweep(hub: &Arc<Inner>) {
    let store = hub.store.clone();
    let rt = tokio::runtime::Handle::current();
    let heads = match tokio::task::spawn_blocking(move || rt.block_on(store.batch_heads())).await {
        Ok(Ok(h)) => h,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "sweeper: cannot read the batch records");
            return;
        }
        Err(_) => return,
    };
    for h in heads.iter().filter(|h| needs_watch(h)) {
        if !hub.watching(&h.batch_id) {
            tracing::info!(batch_id = %h.batch_id, "sweeper: batch without a poller, adopted");
            hub.subscribe(&h.batch_id);
        }
    }
    let open = match hub.store.open_intents().await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "sweeper: cannot read the journal");
            return;
        }
    };
    let now = hub.cfg.clock.now().timestamp();
    for intent in open {
        match intent.state {
            IntentState::Planned if intent.due_unix.is_none_or(|t| t <= now) => {
                let id = intent.id.clone();
                if let Err(e) = submit::submit_due(hub, intent).await {
                    tracing::warn!(intent = %id, error = %e.message, "planned round not submitted yet");
                }
            }
            IntentState::Pending => {
                let Ok(Some(_g)) = hub.journal.try_lock_group(intent.group_id).await else {
                    // Being submitted right now (or the store cannot say: next sweep).
                    continue;
                };
                // `settle` reads the intent again under the lock: one settled meanwhile
                // (by another instance on a shared store) is not looked up twice.
                if let Ok(crate::journal::Settlement::Settled(s)) =
                    hub.journal.settle(&intent).await
                {
                    hub.kick(&s.record.batch_id);
                }
            }
            _ => {}
        }
    }
}

async fn prune(hub: &Inner) {
    let now = chrono::Utc::now();
    if let Err(e) = hub.store.prune_idempotent(now).await {
        tracing::warn!(error = %e, "cannot prune idempotency keys");
    }
    if let Err(e) = hub
        .store
        .prune_intents(now.timestamp() - INTENT_TTL_SECS)
        .await
    {
        tracing::warn!(error = %e, "cannot prune the journal");
    }
}
