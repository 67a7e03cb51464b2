//! `callboard tui`: the supervisor's dashboard, Elm style. One state ([`state::app::App`]);
//! keys, ticks, SSE messages and task results become [`action::Action`]s;
//! [`update::update`] changes the state and returns [`effect::Effect`]s, which
//! [`io::exec`] runs as tokio tasks; [`view::draw`] only reads the state. Every word shown
//! is in [`text`], Spanish first.
//!
//! - `state/`: the app, the watched batch and its table (sort, filter, marks), dialogs.
//! - `update/`: dispatch in `mod.rs`, one file per feature (they never use each other).
//! - `view/`: panes, dialogs and theme.
//! - `text/`: all user-facing text, es/en.
//! - `io/`: terminal, clock, SSE, effects executor and the run loop.
//!
//! The command-line wiring (`tui`, `tui --direct`) is in `faces/`.

pub mod action;
pub mod bindings;
pub mod effect;
pub mod io;
pub mod state;
pub mod text;
pub mod update;
pub mod view;

#[cfg(any(test, feature = "test-fixtures"))]
#[doc(hidden)]
pub mod fixtures;

pub use io::run::{TuiOptions, run};
pub use state::schedule::parse_schedule;
pub use update::describe_details;

// Old paths, kept for tests/benches (and `demo`, `main`).
pub use self::io::{clock, exec, run, source, terminal};
pub use self::view as ui;
pub use self::view::theme;
pub use crate::client;

/// Old path, kept for tests/benches: the app state and its dialogs.
pub mod app {
    pub use super::state::app::*;
    pub use super::state::dialog::{CallDialog, Confirm, Overlay, PreflightKey, RetryChoice};
    pub use super::state::loadable::Loadable;
}

/// Old path, kept for tests/benches: the watched batch and its table.
pub mod batch_state {
    pub use super::state::batch::*;
    pub use super::state::recipient::{display_name, duration};
}

/// Old path, kept for tests/benches: the key bindings and their words.
pub mod keymap {
    pub use super::bindings::*;
    pub use super::text::keys::{describe, entries};
}
