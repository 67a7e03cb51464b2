//! `callboard store copy`: a sled store's whole content (users and their token hashes,
//! groups, clients, batches, conversation cache, idempotency keys, the submission journal,
//! opt-outs, audit) into a PostgreSQL store, in one transaction, keeping every id. Rows
//! are written over by key, so a copy that stopped half-way (or a second copy) can simply
//! be run again; then every record copied is counted in the database.

use crate::domain::intent::SubmitIntent;
use crate::domain::{BatchRecord, Client, ConversationDetails, Group, GroupId, User};

use super::audit::AuditEntry;
use super::cache::IdempotentResponse;
use super::optouts::OptOut;
use super::{Engine, Result, Store, StoreError};

/// A store's whole content.
#[derive(Debug, Default)]
pub struct Dump {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub clients: Vec<(GroupId, Vec<Client>)>,
    pub batches: Vec<BatchRecord>,
    pub conversations: Vec<ConversationDetails>,
    /// (scope, key, entry)
    pub idempotency: Vec<(String, String, IdempotentResponse)>,
    pub intents: Vec<SubmitIntent>,
    pub optouts: Vec<OptOut>,
    pub audit: Vec<AuditEntry>,
}

/// Per kind of record: how many were copied, and how many of them the target holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub kind: &'static str,
    pub copied: usize,
    pub found: usize,
}

impl Dump {
    /// How many records of each kind, in the order `Tally` lists them.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        vec![
            ("users", self.users.len()),
            ("groups", self.groups.len()),
            ("clients", self.clients.iter().map(|(_, c)| c.len()).sum()),
            ("batches", self.batches.len()),
            ("conversations", self.conversations.len()),
            ("idempotency", self.idempotency.len()),
            ("intents", self.intents.len()),
            ("optouts", self.optouts.len()),
            ("audit", self.audit.len()),
        ]
    }
}

impl Store {
    /// Copies this (sled) store into `to` (PostgreSQL) and counts the result.
    pub async fn copy_into(&self, to: &Store) -> Result<Vec<Tally>> {
        let Engine::Sled(from) = &self.engine else {
            return Err(StoreError::Conflict(
                "store copy lee de un directorio sled (--from DIR)".into(),
            ));
        };
        let Engine::Postgres(pg) = &to.engine else {
            return Err(StoreError::Conflict(
                "store copy escribe en PostgreSQL (--to postgres://…)".into(),
            ));
        };
        let from = from.clone();
        let dump = tokio::task::spawn_blocking(move || from.dump())
            .await
            .map_err(|e| StoreError::Io(e.to_string()))??;
        pg.restore(&dump).await?;
        let found = pg.present(&dump).await?;
        Ok(dump
            .counts()
            .into_iter()
            .zip(found)
            .map(|((kind, copied), found)| Tally {
                kind,
                copied,
                found,
            })
            .collect())
    }
}
