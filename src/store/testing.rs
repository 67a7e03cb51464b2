//! Stores for tests, so one test body can run on every engine: today a sled store in a
//! fresh temporary directory.

use super::Store;

/// Keeps a test store's data alive (the temporary directory of a sled store); the data
/// goes when it is dropped.
pub struct Guard {
    dir: tempfile::TempDir,
}

/// A new, empty store, the engine's name ("sled") and what keeps it alive.
pub async fn fresh_store() -> (&'static str, Store, Guard) {
    let dir = tempfile::tempdir().expect("a temporary directory for a test store");
    let store = Store::open(dir.path()).expect("a fresh sled store opens");
    ("sled", store, Guard { dir })
}

/// One fresh store per engine a test run has (only sled today).
pub async fn stores() -> Vec<(&'static str, Store, Guard)> {
    vec![fresh_store().await]
}

/// The same store opened again after `store` is dropped: what was written must still be
/// there.
pub async fn reopen(store: Store, guard: &Guard) -> Store {
    drop(store);
    Store::open(guard.dir.path()).expect("the test store opens again")
}
