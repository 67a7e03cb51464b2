//! The hub's door for post-call webhooks: a call's news goes to the poller of its batch,
//! which refreshes the batch's snapshot at once from the cache and the note, without an
//! upstream request; many notes arriving together make one refresh.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::push::CallNote;
use super::state::{Entry, Hub};

impl Hub {
    /// Hands a webhook's news to the poller of its batch (to every watched batch when the
    /// webhook does not say which: initiation failures), and nudges it. False when no
    /// watched batch took it (nothing to refresh: the cache alone serves later polls).
    pub fn push(&self, note: CallNote) -> bool {
        self.0.push.touch();
        let targets: Vec<Arc<Entry>> = {
            let entries = self.0.entries.lock().unwrap_or_else(|p| p.into_inner());
            match &note.batch_id {
                Some(b) => entries.get(b).cloned().into_iter().collect(),
                None => entries.values().cloned().collect(),
            }
        };
        for e in &targets {
            e.notes
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(note.clone());
            e.refresh.notify_one();
        }
        !targets.is_empty()
    }

    /// Webhooks handed to the hub so far.
    pub fn webhooks_received(&self) -> u64 {
        self.0.push.received.load(Ordering::Relaxed)
    }
}

impl Entry {
    /// The notes waiting for this batch's poller.
    pub(super) fn take_notes(&self) -> Vec<CallNote> {
        std::mem::take(&mut *self.notes.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
