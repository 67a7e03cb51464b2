//! Typed, resilient HTTP client for the ElevenLabs API: wire types (`types`), one error
//! (`error`), retries (`retry`), reads (`client`) and the non-idempotent writes (`writes`).

mod audio;
mod client;
mod error;
mod retry;
mod settings;
pub mod types;
mod writes;

pub use audio::AudioStream;
pub use client::ElevenLabsClient;
pub use error::{ElevenLabsError, ErrorDetail, ErrorObject, ValidationItem};
pub use retry::RetryPolicy;
pub use settings::{ClientSettings, DEFAULT_ELEVENLABS_URL};
pub use types::*;
