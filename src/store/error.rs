//! The store's errors, whatever the engine.

use std::path::PathBuf;

use thiserror::Error;

/// Bumped when the layout of stored values changes incompatibly.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "the store at {path} is in use by another callboard process; stop it or use another --data-dir"
    )]
    Locked { path: PathBuf },
    #[error("cannot open the store at {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error(
        "the store at {path} has schema version {found}, newer than this callboard ({SCHEMA_VERSION}); upgrade callboard"
    )]
    NewerSchema { path: PathBuf, found: u32 },
    #[error(
        "the database at {location} has schema migration {found} applied, newer than this callboard knows ({known}); upgrade callboard"
    )]
    NewerDatabase {
        location: String,
        found: i64,
        known: i64,
    },
    #[error("store I/O error: {0}")]
    Io(String),
    #[error("stored record `{key}` is corrupt: {message}")]
    Corrupt { key: String, message: String },
    #[error("{0}")]
    Conflict(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;
