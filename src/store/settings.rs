//! Which store a process opens: the sled directory (the default, nothing to install) or a
//! PostgreSQL database shared by several `serve` instances (`[store] url`).

use serde::Deserialize;
use std::path::PathBuf;

use crate::secret::Secret;

/// The `[store]` section of the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSettings {
    /// `postgres://user:password@host:port/database`: the store is that database instead
    /// of the sled directory. A secret: its password is never shown.
    pub url: Option<Secret>,
}

/// Where the store is.
#[derive(Debug, Clone)]
pub enum StoreLocation {
    /// A sled directory, for one process.
    Dir(PathBuf),
    /// A PostgreSQL database, for one or several processes.
    Database(Secret),
}

/// Whether `location` names a PostgreSQL database (the only kind of URL a store can be)
/// rather than a directory.
pub fn is_database_url(location: &str) -> bool {
    let l = location.trim_start().to_ascii_lowercase();
    l.starts_with("postgres://") || l.starts_with("postgresql://")
}
