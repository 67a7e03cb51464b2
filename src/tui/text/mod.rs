//! Every word the dashboard shows, Spanish first, English second: fixed words
//! ([`Strings`], `es.rs`/`en.rs`), messages with values (methods on [`Strings`]), labels of
//! state values, key descriptions and the service's termination reasons.

pub mod campaign;
pub mod duration;
pub mod en;
pub mod es;
pub mod group_setup;
pub mod keys;
pub mod kpi;
pub mod labels;
pub mod lang;
pub mod messages;
pub mod readiness;
pub mod strings;
pub mod termination;
