//! Groups and their clients, and writing an import into a group.

use chrono::Utc;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

use super::{Result, Store, StoreError, encode, get, values};
use crate::domain::import::ParsedImport;
use crate::domain::phone::{self, Region};
use crate::domain::{Client, ClientDraft, ClientId, Group, GroupId};

/// What an import did to a group.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub group_id: GroupId,
    pub group_created: bool,
    /// New clients.
    pub created: usize,
    /// Existing clients (same phone) updated with the file's values.
    pub updated: usize,
}

/// Clients are stored in chunks of this many per sled value: a 100,000-client import is
/// ~200 writes instead of 100,000 (sled costs ~10 µs a write), and reading a group is a
/// short prefix scan.
const CHUNK: usize = 512;

fn chunk_key(group: GroupId, chunk: usize) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..8].copy_from_slice(&group.to_be_bytes());
    k[8..].copy_from_slice(&(chunk as u32).to_be_bytes());
    k
}

impl Store {
    /// Creates a group. Names are unique (ignoring case and accents).
    pub fn add_group(
        &self,
        name: &str,
        variables: BTreeMap<String, String>,
        id: Option<GroupId>,
    ) -> Result<Group> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Conflict("el grupo necesita un nombre".into()));
        }
        if self.group_by_name(name)?.is_some() {
            return Err(StoreError::Conflict(format!("ya existe un grupo «{name}»")));
        }
        let id = match id {
            Some(id) => {
                if self.groups.contains_key(id.to_be_bytes())? {
                    return Err(StoreError::Conflict(format!("ya existe el grupo {id}")));
                }
                self.bump_id("groups", id)?;
                id
            }
            None => self.next_id("groups")?,
        };
        let group = Group {
            id,
            name: name.to_string(),
            variables,
            created_at: Utc::now(),
        };
        self.groups.insert(id.to_be_bytes(), encode(&group)?)?;
        self.flush()?;
        Ok(group)
    }

    pub fn group(&self, id: GroupId) -> Result<Option<Group>> {
        get(&self.groups, &id.to_be_bytes())
    }

    pub fn groups(&self) -> Result<Vec<Group>> {
        values(self.groups.iter())
    }

    /// Finds a group by name, ignoring case and accents.
    pub fn group_by_name(&self, name: &str) -> Result<Option<Group>> {
        let want = fold(name);
        Ok(self.groups()?.into_iter().find(|g| fold(&g.name) == want))
    }

    /// Every client of a group, in the order they were added.
    pub fn clients(&self, group: GroupId) -> Result<Vec<Client>> {
        let mut out = Vec::new();
        for kv in self.clients.scan_prefix(group.to_be_bytes()) {
            let (k, v) = kv?;
            let chunk: Vec<Client> = super::decode(&format!("clients/{group}/{k:?}"), &v)?;
            out.extend(chunk);
        }
        Ok(out)
    }

    /// Rewrites the chunks of `group` from chunk `from` on, durably.
    fn write_clients(&self, group: GroupId, clients: &[Client], from: usize) -> Result<()> {
        let mut batch = sled::Batch::default();
        for (i, chunk) in clients.chunks(CHUNK).enumerate().skip(from) {
            batch.insert(&chunk_key(group, i), encode(&chunk)?);
        }
        self.clients.apply_batch(batch)?;
        self.flush()
    }

    /// Adds clients to a group; a client whose phone is invalid is kept (with the reason),
    /// so nothing the user typed is lost. Returns them with their ids.
    pub fn add_clients(
        &self,
        group: GroupId,
        drafts: Vec<ClientDraft>,
        region: Region,
    ) -> Result<Vec<Client>> {
        if self.group(group)?.is_none() {
            return Err(StoreError::Conflict(format!("no existe el grupo {group}")));
        }
        let mut all = self.clients(group)?;
        let first_changed = all.len() / CHUNK;
        let first_id = self.reserve_ids("clients", drafts.len() as u64)?;
        let mut out = Vec::with_capacity(drafts.len());
        for (id, d) in (first_id..).zip(drafts) {
            let client = to_client(id, group, d, |p| phone::normalize(p, region));
            out.push(client.clone());
            all.push(client);
        }
        self.write_clients(group, &all, first_changed)?;
        Ok(out)
    }

    /// Writes a parsed import into the group `group_name` (created when missing). A client
    /// whose phone is already in the group is updated, not duplicated.
    pub fn import_clients(&self, group_name: &str, parsed: ParsedImport) -> Result<ImportSummary> {
        let (group, group_created) = match self.group_by_name(group_name)? {
            Some(g) => (g, false),
            None => (self.add_group(group_name, BTreeMap::new(), None)?, true),
        };
        let mut all = self.clients(group.id)?;
        let mut by_phone: HashMap<String, usize> = all
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.phone_e164.clone().ok().map(|p| (p, i)))
            .collect();
        let (mut created, mut updated) = (0, 0);
        let mut first_changed = all.len() / CHUNK;
        // Reserve ids in one step instead of one counter update per row.
        let new_rows = parsed
            .clients
            .keys()
            .filter(|p| !by_phone.contains_key(*p))
            .count() as u64;
        let mut next = self.reserve_ids("clients", new_rows)?;
        for (e164, (_, draft)) in parsed.clients {
            match by_phone.remove(&e164) {
                Some(i) => {
                    updated += 1;
                    first_changed = first_changed.min(i / CHUNK);
                    let existing = &all[i];
                    let mut d = ClientDraft {
                        name: existing.name.clone(),
                        email: existing.email.clone(),
                        empresa: existing.empresa.clone(),
                        cargo: existing.cargo.clone(),
                        phone: existing.phone.clone(),
                        extra: existing.extra.clone(),
                    };
                    d.merge_from(draft);
                    all[i] = to_client(existing.id, group.id, d, |_| Ok(e164.clone()));
                }
                None => {
                    created += 1;
                    all.push(to_client(next, group.id, draft, |_| Ok(e164.clone())));
                    next += 1;
                }
            }
        }
        self.write_clients(group.id, &all, first_changed)?;
        Ok(ImportSummary {
            group_id: group.id,
            group_created,
            created,
            updated,
        })
    }

    /// Reserves `n` consecutive ids and returns the first.
    fn reserve_ids(&self, kind: &str, n: u64) -> Result<u64> {
        let key = format!("next_id/{kind}");
        let v = self.meta.update_and_fetch(key.as_bytes(), |old| {
            let last = old.map(super::be_u64).unwrap_or(0) + n;
            Some(last.to_be_bytes().to_vec())
        })?;
        Ok(v.map(|v| super::be_u64(&v)).unwrap_or(n) + 1 - n)
    }
}

fn to_client(
    id: ClientId,
    group_id: GroupId,
    d: ClientDraft,
    normalize: impl Fn(&str) -> std::result::Result<String, phone::PhoneError>,
) -> Client {
    Client {
        id,
        group_id,
        phone_e164: normalize(&d.phone),
        name: d.name,
        email: d.email,
        empresa: d.empresa,
        cargo: d.cargo,
        phone: d.phone,
        extra: d.extra,
    }
}

/// Case- and accent-insensitive form of a name.
fn fold(name: &str) -> String {
    deunicode::deunicode(name.trim()).to_lowercase()
}
