//! What can be wrong with the settings: an unreadable file, a broken line, a bad value.

use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}, line {line}, key `{key}`: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
    #[error("setting `{key}` (from {origin}): {message}")]
    Value {
        key: String,
        origin: String,
        message: String,
    },
}
