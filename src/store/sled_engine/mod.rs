//! The sled engine: sled trees behind one typed `SledStore`. No sled type leaves this
//! module. Every acknowledged write is flushed to disk first, so a `kill -9` loses nothing
//! a caller was told was saved.

mod audit;
mod batches;
mod cache;
mod dump;
mod groups;
mod journal;
mod optouts;
mod owners;
mod pages;
mod users;

use crate::store::error::{Result, SCHEMA_VERSION, StoreError};
use crate::store::ids::next_after;
use serde::{Serialize, de::DeserializeOwned};
use std::path::{Path, PathBuf};

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Io(e.to_string())
    }
}

/// Handle to the store; cheap to clone (sled trees are reference counted).
#[derive(Clone)]
pub struct SledStore {
    db: sled::Db,
    path: PathBuf,
    meta: sled::Tree,
    users: sled::Tree,
    tokens: sled::Tree,
    groups: sled::Tree,
    clients: sled::Tree,
    batches: sled::Tree,
    conversations: sled::Tree,
    idempotency: sled::Tree,
    journal: sled::Tree,
    /// Batch ids by creation time (`{micros:020}.{id}` → ()): the batch list reads a page.
    batch_times: sled::Tree,
    optouts: sled::Tree,
    audit: sled::Tree,
    /// See `write_lock`.
    writes: std::sync::Arc<std::sync::Mutex<()>>,
}

impl std::fmt::Debug for SledStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledStore")
            .field("path", &self.path)
            .finish()
    }
}

impl SledStore {
    /// Opens (or creates) the store in `dir`.
    pub(crate) fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        let db = open_db(dir)?;
        let tree = |name: &str| db.open_tree(name);
        let store = SledStore {
            path: dir.to_path_buf(),
            meta: tree("meta")?,
            users: tree("users")?,
            tokens: tree("tokens")?,
            groups: tree("groups")?,
            clients: tree("clients")?,
            batches: tree("batches")?,
            conversations: tree("conversations")?,
            idempotency: tree("idempotency")?,
            journal: tree("journal")?,
            batch_times: tree("batch_times")?,
            optouts: tree("optouts")?,
            audit: tree("audit")?,
            writes: Default::default(),
            db,
        };
        store.check_schema()?;
        store.give_old_groups_owners()?;
        store.index_batch_times()?;
        Ok(store)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn check_schema(&self) -> Result<()> {
        match self.meta.get("schema_version")? {
            Some(v) => {
                let found = decode::<u32>("schema_version", &v)?;
                if found > SCHEMA_VERSION {
                    return Err(StoreError::NewerSchema {
                        path: self.path.clone(),
                        found,
                    });
                }
            }
            None => {
                self.meta
                    .insert("schema_version", encode(&SCHEMA_VERSION)?)?;
                self.flush()?;
            }
        }
        Ok(())
    }

    /// The schema version on disk.
    pub(crate) fn schema_version(&self) -> Result<u32> {
        match self.meta.get("schema_version")? {
            Some(v) => decode("schema_version", &v),
            None => Ok(0),
        }
    }

    /// Makes every write so far durable.
    pub(crate) fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    /// Next free id of a kind (`users`, `groups`): above the counter, skipping ids already
    /// in `taken` (an explicit id may sit there), never wrapping: a full counter is an error.
    fn next_id(&self, kind: &str, taken: &sled::Tree) -> Result<u64> {
        let key = format!("next_id/{kind}");
        loop {
            let old = self.meta.get(key.as_bytes())?;
            let mut n = next_after(old.as_deref().map(be_u64).unwrap_or(0), kind)?;
            while taken.contains_key(n.to_be_bytes())? {
                n = next_after(n, kind)?;
            }
            let swapped =
                self.meta
                    .compare_and_swap(key.as_bytes(), old, Some(n.to_be_bytes().to_vec()))?;
            if swapped.is_ok() {
                return Ok(n);
            }
        }
    }

    /// Makes sure ids handed out later are above `id` (after an explicit id).
    fn bump_id(&self, kind: &str, id: u64) -> Result<()> {
        let key = format!("next_id/{kind}");
        self.meta.update_and_fetch(key.as_bytes(), |old| {
            let n = old.map(be_u64).unwrap_or(0).max(id);
            Some(n.to_be_bytes().to_vec())
        })?;
        Ok(())
    }

    /// Held by every write that reads a value and writes it back (a group's clients, a
    /// new group's unique name, an explicit id): two requests at once must not both read
    /// the old value, and the later write lose the earlier one.
    fn write_lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writes.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Opens sled's database. A store just closed by this process can stay locked for a few
/// milliseconds while sled's flusher thread lets go of it: a lock is waited for briefly
/// before it is reported as another process's.
fn open_db(dir: &Path) -> Result<sled::Db> {
    let mut waited = std::time::Duration::ZERO;
    loop {
        match try_open_db(dir) {
            Err(StoreError::Locked { .. }) if waited < std::time::Duration::from_millis(500) => {
                std::thread::sleep(std::time::Duration::from_millis(25));
                waited += std::time::Duration::from_millis(25);
            }
            other => return other,
        }
    }
}

impl SledStore {
    /// Whether `dir` already holds a store.
    pub(crate) fn exists_in(dir: &Path) -> bool {
        dir.join(DB_DIR).join("conf").exists()
    }
}

/// The sled database's directory inside the data directory.
const DB_DIR: &str = "store";

fn try_open_db(dir: &Path) -> Result<sled::Db> {
    sled::Config::new()
        .path(dir.join(DB_DIR))
        .open()
        .map_err(|e| match e {
            sled::Error::Io(io)
                if io.kind() == std::io::ErrorKind::WouldBlock
                    || io.to_string().contains("lock") =>
            {
                StoreError::Locked {
                    path: dir.to_path_buf(),
                }
            }
            other => StoreError::Open {
                path: dir.to_path_buf(),
                message: other.to_string(),
            },
        })
}

fn be_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    let n = b.len().min(8);
    a[8 - n..].copy_from_slice(&b[b.len() - n..]);
    u64::from_be_bytes(a)
}

fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|e| StoreError::Io(e.to_string()))
}

fn decode<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        key: key.to_string(),
        message: e.to_string(),
    })
}

fn get<T: DeserializeOwned>(tree: &sled::Tree, key: &[u8]) -> Result<Option<T>> {
    match tree.get(key)? {
        Some(v) => decode(&String::from_utf8_lossy(key), &v).map(Some),
        None => Ok(None),
    }
}

fn values<T: DeserializeOwned>(iter: sled::Iter) -> Result<Vec<T>> {
    iter.map(|kv| {
        let (k, v) = kv?;
        decode(&String::from_utf8_lossy(&k), &v)
    })
    .collect()
}

#[cfg(test)]
mod tests;
