//! `callboard tui`: the supervisor's dashboard. Elm style: one [`app::App`] state; keys,
//! ticks, SSE messages and task results become [`action::Action`]s; [`update::update`]
//! changes the state and returns [`effect::Effect`]s (run as tokio tasks); [`ui::draw`]
//! only reads the state.

pub mod action;
pub mod app;
pub mod batch_state;
pub mod clock;
pub mod effect;
pub mod export;
mod filter;
pub mod i18n;
pub mod keymap;
mod messages;
mod messages_campaign;
pub mod names;
pub mod outcome;
mod readiness;
pub mod theme;
pub mod ui;
pub mod update;
mod update_campaign;
mod update_confirm;
mod update_keys;
mod update_preflight;
pub mod wording;

pub use update_confirm::{describe_details, parse_schedule};

/// Old path, kept for tests/benches.
pub use crate::client;
pub mod direct;
pub mod exec;
pub mod launch;
pub mod run;
pub mod source;
pub mod terminal;

pub use launch::cli_main;
pub use run::{TuiOptions, run};
#[cfg(any(test, feature = "test-fixtures"))]
#[doc(hidden)]
pub mod fixtures;
