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

fn client_key(group: GroupId, client: ClientId) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&group.to_be_bytes());
    k[8..].copy_from_slice(&client.to_be_bytes());
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

    pub fn clients(&self, group: GroupId) -> Result<Vec<Client>> {
        values(self.clients.scan_prefix(group.to_be_bytes()))
    }

    pub fn client_count(&self, group: GroupId) -> usize {
        self.clients.scan_prefix(group.to_be_bytes()).count()
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
        let mut batch = sled::Batch::default();
        let mut out = Vec::with_capacity(drafts.len());
        for d in drafts {
            let id = self.next_id("clients")?;
            let client = to_client(id, group, d, phone::normalize_for_store(region));
            batch.insert(&client_key(group, id), encode(&client)?);
            out.push(client);
        }
        self.clients.apply_batch(batch)?;
        self.flush()?;
        Ok(out)
    }

    /// Writes a parsed import into the group `group_name` (created when missing). A client
    /// whose phone is already in the group is updated, not duplicated.
    pub fn import_clients(
        &self,
        group_name: &str,
        parsed: ParsedImport,
    ) -> Result<ImportSummary> {
        let (group, group_created) = match self.group_by_name(group_name)? {
            Some(g) => (g, false),
            None => (self.add_group(group_name, BTreeMap::new(), None)?, true),
        };
        let mut by_phone: HashMap<String, Client> = self
            .clients(group.id)?
            .into_iter()
            .filter_map(|c| c.phone_e164.clone().ok().map(|p| (p, c)))
            .collect();
        let mut batch = sled::Batch::default();
        let (mut created, mut updated) = (0, 0);
        // Reserve ids in one step instead of one counter update per row.
        let new_rows = parsed
            .clients
            .keys()
            .filter(|p| !by_phone.contains_key(*p))
            .count() as u64;
        let mut next = self.reserve_ids("clients", new_rows)?;
        for (e164, (_, draft)) in parsed.clients {
            let client = match by_phone.remove(&e164) {
                Some(existing) => {
                    updated += 1;
                    let mut d = ClientDraft {
                        name: existing.name,
                        email: existing.email,
                        empresa: existing.empresa,
                        cargo: existing.cargo,
                        phone: existing.phone,
                        extra: existing.extra,
                    };
                    d.merge_from(draft);
                    to_client(existing.id, group.id, d, |_| Ok(e164.clone()))
                }
                None => {
                    created += 1;
                    let id = next;
                    next += 1;
                    to_client(id, group.id, draft, |_| Ok(e164.clone()))
                }
            };
            batch.insert(&client_key(group.id, client.id), encode(&client)?);
        }
        self.clients.apply_batch(batch)?;
        self.flush()?;
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
