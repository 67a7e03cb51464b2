//! Data asked of the service, as the state holds it while it comes.

/// Data asked of the service: on its way, here, or refused (with the reason shown).
#[derive(Debug, Clone, PartialEq)]
pub enum Loadable<T> {
    Loading,
    Ready(T),
    Failed(String),
}
