//! The PostgreSQL engine of the store: the same records as the sled engine (each kept as
//! the JSON document sled writes, plus typed columns for what is looked up, ordered or
//! constrained), the same methods, async. Constraints and transactions do what the sled
//! engine's process locks do: ids from sequences, unique group names, one pending
//! submission intent per group, imports and settlements in one transaction.
//!
//! The schema is the embedded, versioned migrations of `migrations/`; a database whose
//! applied migrations include one newer than this binary knows is refused before anything
//! runs. The URL's password never appears in an error or a log ([`redact_url`]).

mod audit;
mod batches;
mod cache;
mod clients;
mod cluster;
mod groups;
mod guard;
mod journal;
mod optouts;
mod pages;
mod restore;
mod schema;
mod url;
mod users;

#[cfg(any(test, feature = "test-fixtures"))]
pub mod testing;
#[cfg(test)]
mod tests;

pub use cluster::PgEvents;
pub use guard::GroupGuard;
pub use url::redact_url;

use serde::{Serialize, de::DeserializeOwned};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Row};
use std::str::FromStr;
use std::time::Duration;

use crate::store::error::{Result, StoreError};

/// Connections per process: every held [`GroupGuard`] keeps one.
const MAX_CONNECTIONS: u32 = 16;

/// Handle to a PostgreSQL store; cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// The URL without its password.
    location: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("location", &self.location)
            .finish()
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host/db`), refuses it
    /// when it holds a migration newer than this callboard knows, and applies the missing
    /// ones (several instances starting together apply them once: sqlx takes a lock).
    pub async fn connect(url: &str) -> Result<PgStore> {
        let location = redact_url(url);
        let open = |message: String| StoreError::Open {
            path: location.clone().into(),
            message,
        };
        let options =
            PgConnectOptions::from_str(url).map_err(|e| open(redact_error(&e.to_string(), url)))?;
        // One plain connection first: a wrong address or password is reported at once,
        // where the pool would retry until its timeout.
        PgConnection::connect_with(&options)
            .await
            .map_err(|e| open(redact_error(&e.to_string(), url)))?
            .close()
            .await
            .ok();
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await
            .map_err(|e| open(redact_error(&e.to_string(), url)))?;
        let store = PgStore {
            pool,
            location: location.clone(),
        };
        store.refuse_newer_schema().await?;
        let migrate = |e: sqlx::migrate::MigrateError| {
            open(format!("cannot apply the schema migrations: {e}"))
        };
        schema::migrator()
            .await
            .map_err(migrate)?
            .run(&store.pool)
            .await
            .map_err(migrate)?;
        Ok(store)
    }

    /// The URL without its password: safe to log and show.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The connection pool (for the cluster's leases and notifications).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The newest migration this binary knows.
    pub fn known_schema_version() -> i64 {
        schema::known_version()
    }

    /// The newest migration applied to the database (0 for an empty one).
    pub async fn schema_version(&self) -> Result<u32> {
        Ok(u32::try_from(self.applied_version().await?).unwrap_or(u32::MAX))
    }

    /// Every acknowledged write is already committed: nothing to flush.
    pub async fn flush(&self) -> Result<()> {
        Ok(())
    }

    async fn applied_version(&self) -> Result<i64> {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(&self.pool)
            .await?;
        if !exists {
            return Ok(0);
        }
        let v: Option<i64> =
            sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        Ok(v.unwrap_or(0))
    }

    async fn refuse_newer_schema(&self) -> Result<()> {
        let found = self.applied_version().await?;
        let known = Self::known_schema_version();
        if found > known {
            return Err(StoreError::NewerDatabase {
                location: self.location.clone(),
                found,
                known,
            });
        }
        Ok(())
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Io(e.to_string())
    }
}

/// A driver message with any copy of the URL or its password taken out.
fn redact_error(message: &str, url: &str) -> String {
    let mut out = message.replace(url, &redact_url(url));
    if let Some(p) = url::password(url).filter(|p| !p.is_empty()) {
        out = out.replace(&p, "***");
    }
    out
}

/// The SQLSTATE of a database error, if it is one.
fn sqlstate(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(d) => d.code().map(|c| c.into_owned()),
        _ => None,
    }
}

/// A sequence at its end (SQLSTATE 2200H) is the sled engine's "no ids left".
fn ids_exhausted(e: sqlx::Error, kind: &str) -> StoreError {
    if sqlstate(&e).as_deref() == Some("2200H") {
        StoreError::Conflict(format!("no quedan identificadores libres ({kind})"))
    } else {
        e.into()
    }
}

/// A record as the sled engine writes it.
fn doc<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Io(e.to_string()))
}

/// A stored document back into its record.
fn undoc<T: DeserializeOwned>(key: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        key: key.to_string(),
        message: e.to_string(),
    })
}

/// The `doc` column of every row, decoded.
fn undoc_rows<T: DeserializeOwned>(what: &str, rows: &[sqlx::postgres::PgRow]) -> Result<Vec<T>> {
    rows.iter()
        .map(|r| undoc(what, &r.try_get::<String, _>("doc")?))
        .collect()
}

/// An id of ours as PostgreSQL's bigint (ids stay below 2^53).
fn sql_id(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}
