//! The store: one async `Store` in front of an engine. Today the engine is sled (embedded,
//! `sled_engine`); a second one (PostgreSQL) plugs in as one more `Engine` variant and one
//! more arm in `on_engine!`. Engine-neutral types, errors and pure rules live here, so every
//! engine shares them. Every acknowledged write is durable before the call returns.

/// Calls the same method on whichever engine the store holds. Adding an engine is one arm
/// here (`Engine::Postgres(e) => e.$m($($a),*).await`).
macro_rules! on_engine {
    ($self:ident . $m:ident ( $($a:expr),* )) => {
        match &$self.engine {
            $crate::store::Engine::Sled(e) => e.$m($($a),*),
        }
    };
}

pub mod audit;
mod batches;
pub mod cache;
mod cluster;
mod error;
mod groups;
mod ids;
mod journal;
pub mod optouts;
mod pages;
mod settings;
mod sled_engine;
#[cfg(any(test, feature = "test-fixtures"))]
pub mod testing;
pub mod users;

pub use batches::BatchHead;
pub use cluster::{ClusterEvent, ClusterEvents};
pub use error::{Result, SCHEMA_VERSION, StoreError};
pub use groups::{ImportSummary, NewGroup};
pub use pages::BatchListHead;
pub use settings::{StoreLocation, StoreSettings, is_database_url};

use std::path::Path;

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    engine: Engine,
}

#[derive(Clone)]
enum Engine {
    Sled(sled_engine::SledStore),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("location", &self.location())
            .finish()
    }
}

impl Store {
    /// Opens (or creates) the sled store in `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        Ok(Store {
            engine: Engine::Sled(sled_engine::SledStore::open(dir)?),
        })
    }

    /// Opens the store at `location`: a sled directory (off the async workers: it reads
    /// and may repair files) or a PostgreSQL database.
    pub async fn open_at(location: &StoreLocation) -> Result<Self> {
        match location {
            StoreLocation::Dir(dir) => {
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || Store::open(&dir))
                    .await
                    .map_err(|e| StoreError::Io(e.to_string()))?
            }
            StoreLocation::Database(_url) => Err(StoreError::Io("PostgreSQL: pending".into())),
        }
    }

    /// The sled store's directory.
    pub fn path(&self) -> &Path {
        match &self.engine {
            Engine::Sled(e) => e.path(),
        }
    }

    /// Where the data lives, for people: the directory of a sled store (a database's
    /// address, without its password, for a database engine).
    pub fn location(&self) -> String {
        match &self.engine {
            Engine::Sled(e) => e.path().display().to_string(),
        }
    }

    /// The schema version on disk.
    pub async fn schema_version(&self) -> Result<u32> {
        on_engine!(self.schema_version())
    }

    /// Makes every write so far durable.
    pub async fn flush(&self) -> Result<()> {
        on_engine!(self.flush())
    }
}

#[cfg(test)]
mod tests;
