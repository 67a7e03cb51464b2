//! The live hub: one upstream poller per active batch, whatever the number of viewers.
//! Each poller fetches the batch, enriches newly completed recipients (once, cached),
//! and publishes a snapshot on a `watch` channel only when something changed; upstream
//! trouble goes out on a `broadcast` channel and the poller keeps going. Viewers get the
//! last snapshot at once. A poller stops when its batch is final and nobody watches (or
//! nothing more can change), and every poller stops on the hub's cancellation token.
//! No HTTP server and no screen here: the service and the TUI's direct mode both use it.
//!
//! Layers, lowest first (each file uses only those above it): `clock`, `config`,
//! `error`, `hub_error`, `instance`, `snapshot`, `enrich`, `push`, `state`; then `stop`, `view`, `outcome`, `gone`,
//! `plan`, `link`, `recover`, `submit`, `follow_up`, `breaker`, `pace`, `push_hub`,
//! `cluster`, `poller`, `follower`, `poller_task`, `sweeper`; `hub`, the public face; and `optout_guard`, which also calls the
//! hub's methods. Post-call webhooks come in through `push_hub` (`Hub::push`).

mod breaker;
mod clock;
mod cluster;
mod config;
pub mod enrich;
mod error;
mod follow_up;
mod follower;
mod gone;
mod hub;
mod hub_error;
mod instance;
mod link;
mod optout_guard;
mod outcome;
mod pace;
mod plan;
mod poller;
mod poller_task;
mod push;
mod push_hub;
mod recover;
mod snapshot;
mod state;
mod stop;
mod submit;
mod sweeper;
pub mod view;

pub use clock::Clock;
pub use config::{HubConfig, WebhookPace};
pub use error::PollError;
pub use hub_error::{HubError, ResumeError};
pub use optout_guard::OptOutEffect;
pub use push::{CallEnd, CallNote};
pub use snapshot::{BaseRendering, Snapshot, Subscription};
pub use state::Hub;
