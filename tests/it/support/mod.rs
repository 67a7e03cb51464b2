//! What several test modules share.

pub mod process;
pub mod service;
pub mod tmux;
pub mod tools;
pub mod tui;
pub mod tui_contract;
pub mod web_cdp;

use tokio::sync::{Mutex, MutexGuard};

/// All tests are threads of one process now, and `cargo test` runs as many at once as
/// there are cores. The tests that drive a real Chromium or a real tmux (screens that a
/// test waits on with a deadline) each used to be a binary of its own, run alone or next
/// to a sibling; they take this lock so that only one of them runs at a time, next to at
/// most lighter tests.
static HEAVY: Mutex<()> = Mutex::const_new(());

/// Held for the whole of a Chromium or tmux test.
pub async fn heavy() -> MutexGuard<'static, ()> {
    HEAVY.lock().await
}

/// [`heavy`] for a test that is not async.
pub fn heavy_blocking() -> MutexGuard<'static, ()> {
    HEAVY.blocking_lock()
}
