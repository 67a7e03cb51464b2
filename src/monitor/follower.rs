//! A poller on an instance that does not hold its batch's lease: it shows the holder's
//! snapshots (read from the shared store when told, or every `cluster::TICK`) to this
//! instance's viewers, and polls itself once the lease is free again.

use std::sync::Arc;

use super::cluster;
use super::poller::{Next, Poller};

impl Poller {
    /// One step of following: the stored snapshot if it is new, then a wait for the
    /// next one (or for the lease to be worth trying again).
    pub(super) async fn follow(&mut self) -> Next {
        // A kick asks for a fresh look, which for a follower is the stored snapshot; left
        // set, it would keep a follower from retiring once the batch is final.
        self.entry
            .kicked
            .store(false, std::sync::atomic::Ordering::SeqCst);
        if self.show_shared().await {
            return Next::Stop;
        }
        // A batch started elsewhere is followed while viewed, as it is polled.
        if self.record.is_none()
            && self.entry.tx.receiver_count() == 0
            && self
                .hub
                .retire(&self.batch_id, &self.entry, self.last.clone(), false)
        {
            return Next::Stop;
        }
        tokio::select! {
            _ = self.entry.remote.notified() => {}
            _ = self.entry.kick.notified() => {}
            _ = tokio::time::sleep(cluster::TICK) => {}
            _ = self.hub.cancel.cancelled() => return Next::Stop,
        }
        Next::Wait(std::time::Duration::ZERO)
    }

    /// Before this instance's first poll of a batch another instance polled: go on from
    /// its last snapshot (same sequence, event ids above it), so viewers see no step back.
    /// Also when it takes the lease after `followed`: the holder may have stored its final
    /// snapshot and released the lease before this instance read it (polling again would
    /// cost an upstream GET and give this instance's viewers another final event).
    /// True when that snapshot was final and the poller retired.
    pub(super) async fn adopt_shared(&mut self, followed: bool) -> bool {
        (self.last.is_none() || followed) && self.show_shared().await
    }

    /// Shows the stored snapshot when it is not the one shown; true when it was final
    /// and the poller retired.
    async fn show_shared(&mut self) -> bool {
        let Some(s) = cluster::stored(&self.hub, &self.batch_id).await else {
            return false;
        };
        if self.last.as_ref().is_some_and(|l| l.event_id == s.event_id) {
            return false;
        }
        let s = Arc::new(s);
        self.seq = s.seq;
        self.entry.tx.send_replace(Some(s.clone()));
        self.last = Some(s.clone());
        s.is_final
            && self
                .hub
                .retire(&self.batch_id, &self.entry, self.last.clone(), false)
    }
}
