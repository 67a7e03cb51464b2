//! The store: one async `Store` in front of an engine: sled (embedded, `sled_engine`, the
//! default) or PostgreSQL (`pg`, for several instances on one database). Engine-neutral types, errors and pure rules live here, so every
//! engine shares them. Every acknowledged write is durable before the call returns.

/// Calls the same method on whichever engine the store holds (sled's are synchronous,
/// PostgreSQL's async).
macro_rules! on_engine {
    ($self:ident . $m:ident ( $($a:expr),* )) => {
        match &$self.engine {
            $crate::store::Engine::Sled(e) => e.$m($($a),*),
            $crate::store::Engine::Postgres(e) => e.$m($($a),*).await,
        }
    };
}

pub mod audit;
mod batches;
pub mod cache;
mod cluster;
pub mod copy;
mod error;
mod groups;
mod ids;
mod journal;
pub mod optouts;
mod pages;
pub mod pg;
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
    Postgres(pg::PgStore),
}

/// Held while one submission or settlement for a group runs; see [`Store::group_guard`].
#[derive(Debug)]
pub enum GroupGuard {
    /// sled: one process owns the store, and the journal's own group lock is enough.
    Sled,
    Postgres(pg::GroupGuard),
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

    /// Whether `dir` already holds a sled store (opening one creates it).
    pub fn exists_in(dir: &Path) -> bool {
        sled_engine::SledStore::exists_in(dir)
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
            StoreLocation::Database(url) => Self::connect(url.expose()).await,
        }
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://…`), applying the
    /// schema's missing migrations; a database with a newer schema is refused.
    pub async fn connect(url: &str) -> Result<Self> {
        Ok(Store {
            engine: Engine::Postgres(pg::PgStore::connect(url).await?),
        })
    }

    /// Opens the store at `location`: a `postgres://` or `postgresql://` URL is a
    /// database, anything else a sled directory.
    pub async fn open_location(location: &str) -> Result<Self> {
        if is_database_url(location) {
            Self::connect(location).await
        } else {
            Self::open(Path::new(location))
        }
    }

    /// The sled store's directory (empty for a database).
    pub fn path(&self) -> &Path {
        match &self.engine {
            Engine::Sled(e) => e.path(),
            Engine::Postgres(_) => Path::new(""),
        }
    }

    /// Where the data lives, for people: the directory of a sled store, or the database's
    /// URL without its password.
    pub fn location(&self) -> String {
        match &self.engine {
            Engine::Sled(e) => e.path().display().to_string(),
            Engine::Postgres(e) => e.location().to_string(),
        }
    }

    /// The PostgreSQL engine, when that is the one (for the cluster's leases and
    /// notifications, which need its pool).
    pub fn postgres(&self) -> Option<&pg::PgStore> {
        match &self.engine {
            Engine::Sled(_) => None,
            Engine::Postgres(e) => Some(e),
        }
    }

    /// Waits until no other holder has `group`, in any process on the same database, and
    /// holds it until the guard drops. With sled (one process per store) there is nothing
    /// to wait for: the journal's in-process group lock does it.
    pub async fn group_guard(&self, group: crate::domain::GroupId) -> Result<GroupGuard> {
        match &self.engine {
            Engine::Sled(_) => Ok(GroupGuard::Sled),
            Engine::Postgres(e) => Ok(GroupGuard::Postgres(e.group_guard(group).await?)),
        }
    }

    /// The schema version on disk (a database's: its newest applied migration).
    pub async fn schema_version(&self) -> Result<u32> {
        on_engine!(self.schema_version())
    }

    /// The newest schema version this callboard knows for the store's engine.
    pub fn known_schema_version(&self) -> u32 {
        match &self.engine {
            Engine::Sled(_) => SCHEMA_VERSION,
            Engine::Postgres(_) => u32::try_from(pg::PgStore::known_schema_version()).unwrap_or(0),
        }
    }

    /// Makes every write so far durable.
    pub async fn flush(&self) -> Result<()> {
        on_engine!(self.flush())
    }
}

#[cfg(test)]
mod tests;
