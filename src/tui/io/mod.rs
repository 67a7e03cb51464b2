//! The dashboard's outside world: the terminal, the clock, following a batch (SSE with
//! polling as fallback), running effects as tokio tasks, and the loop that ties them to
//! `update` and `view`.

pub mod clock;
pub mod exec;
pub mod held;
pub mod run;
pub mod source;
pub mod terminal;
