//! This process among several `serve` instances on one shared store: its name (the
//! lease holder's) and the batches whose lease it holds. See `cluster`.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};

pub(super) struct Cluster {
    /// Unique per process: `{host}-{pid}-{random}`.
    pub(super) instance: String,
    /// Batches whose lease this instance holds (its polling pollers).
    owned: Mutex<HashSet<String>>,
}

impl Cluster {
    pub(super) fn new() -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
        Cluster {
            instance: format!(
                "{host}-{}-{:08x}",
                std::process::id(),
                rand::random::<u32>()
            ),
            owned: Mutex::new(HashSet::new()),
        }
    }

    pub(super) fn owned(&self) -> MutexGuard<'_, HashSet<String>> {
        self.owned.lock().unwrap_or_else(|p| p.into_inner())
    }
}
