//! Groups and their clients, and writing an import into a group.

use chrono::Utc;
use std::collections::{BTreeMap, HashMap};

use super::{SledStore, encode, get, values};
use crate::domain::import::ParsedImport;
use crate::domain::phone::{self, Region};
use crate::domain::{Client, ClientDraft, Group, GroupId, GroupSetup, UserId};
use crate::store::error::{Result, StoreError};
use crate::store::groups::{ImportSummary, NewGroup, fold, to_client};

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

impl SledStore {
    /// Creates a group without an owner (only the admin sees it). Names are unique
    /// (ignoring case and accents).
    pub(crate) fn add_group(
        &self,
        name: &str,
        variables: BTreeMap<String, String>,
        id: Option<GroupId>,
    ) -> Result<Group> {
        self.create_group(NewGroup {
            name: name.to_string(),
            variables,
            id,
            ..NewGroup::default()
        })
    }

    /// Creates a group. An explicit id must be free and in range; a generated one skips
    /// ids already taken and never wraps.
    pub(crate) fn create_group(&self, new: NewGroup) -> Result<Group> {
        let _w = self.write_lock();
        self.create_group_locked(new)
    }

    fn create_group_locked(&self, new: NewGroup) -> Result<Group> {
        let name = new.name.trim();
        if name.is_empty() {
            return Err(StoreError::Conflict("el grupo necesita un nombre".into()));
        }
        if self.group_by_name(name)?.is_some() {
            return Err(StoreError::Conflict(format!("ya existe un grupo «{name}»")));
        }
        let id = match new.id {
            Some(id) => {
                crate::store::ids::check_explicit_id(id, "grupos")?;
                if self.groups.contains_key(id.to_be_bytes())? {
                    return Err(StoreError::Conflict(format!("ya existe el grupo {id}")));
                }
                self.bump_id("groups", id)?;
                id
            }
            None => self.next_id("groups", &self.groups)?,
        };
        let group = Group {
            id,
            name: name.to_string(),
            variables: new.variables,
            created_at: Utc::now(),
            owner: new.owner,
            other_countries: new.other_countries,
            setup: new.setup,
        };
        self.groups.insert(id.to_be_bytes(), encode(&group)?)?;
        self.flush()?;
        Ok(group)
    }

    /// Gives a group (with its clients and batches) to another user, or to the admin only.
    pub(crate) fn set_group_owner(&self, id: GroupId, owner: Option<UserId>) -> Result<Group> {
        let _w = self.write_lock();
        let mut g = self
            .group(id)?
            .ok_or_else(|| StoreError::Conflict(format!("no existe el grupo {id}")))?;
        g.owner = owner;
        self.groups.insert(id.to_be_bytes(), encode(&g)?)?;
        self.flush()?;
        Ok(g)
    }

    /// Changes a group's campaign settings (and whether it dials abroad). When its country
    /// changes, every client's phone is read again in the new country, from the phone as
    /// it was given: `region` is the service's, for a group without a country of its own.
    pub(crate) fn set_group_setup(
        &self,
        id: GroupId,
        setup: GroupSetup,
        other_countries: bool,
        region: Region,
    ) -> Result<Group> {
        let _w = self.write_lock();
        let mut g = self
            .group(id)?
            .ok_or_else(|| StoreError::Conflict(format!("no existe el grupo {id}")))?;
        let (before, after) = (g.setup.country_or(region), setup.country_or(region));
        g.setup = setup;
        g.other_countries = other_countries;
        if before != after {
            let mut all = self.clients(id)?;
            for c in &mut all {
                c.phone_e164 = phone::normalize(&c.phone, after);
            }
            self.write_clients(id, &all, 0)?;
        }
        self.groups.insert(id.to_be_bytes(), encode(&g)?)?;
        self.flush()?;
        Ok(g)
    }

    pub(crate) fn group(&self, id: GroupId) -> Result<Option<Group>> {
        get(&self.groups, &id.to_be_bytes())
    }

    pub(crate) fn groups(&self) -> Result<Vec<Group>> {
        values(self.groups.iter())
    }

    /// Finds a group by name, ignoring case and accents.
    pub(crate) fn group_by_name(&self, name: &str) -> Result<Option<Group>> {
        let want = fold(name);
        Ok(self.groups()?.into_iter().find(|g| fold(&g.name) == want))
    }

    /// Every client of a group, in the order they were added.
    pub(crate) fn clients(&self, group: GroupId) -> Result<Vec<Client>> {
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
    pub(crate) fn add_clients(
        &self,
        group: GroupId,
        drafts: Vec<ClientDraft>,
        region: Region,
    ) -> Result<Vec<Client>> {
        let _w = self.write_lock();
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

    /// Writes a parsed import into the group `group_name` (created, without owner, when
    /// missing). A client whose phone is already in the group is updated, not duplicated.
    pub(crate) fn import_clients(
        &self,
        group_name: &str,
        parsed: ParsedImport,
    ) -> Result<ImportSummary> {
        self.import_clients_as(group_name, None, parsed)
    }

    /// `import_clients`, creating a missing group for `owner`; an existing group must
    /// already belong to `owner` (or `owner` is None: the admin's import).
    pub(crate) fn import_clients_as(
        &self,
        group_name: &str,
        owner: Option<UserId>,
        parsed: ParsedImport,
    ) -> Result<ImportSummary> {
        let _w = self.write_lock();
        let (group, group_created) = match self.group_by_name(group_name)? {
            Some(g) if owner.is_some() && g.owner != owner => {
                return Err(StoreError::Conflict(format!(
                    "el grupo «{}» pertenece a otro usuario",
                    g.name
                )));
            }
            Some(g) => (g, false),
            None => (
                self.create_group_locked(NewGroup {
                    name: group_name.to_string(),
                    owner,
                    ..NewGroup::default()
                })?,
                true,
            ),
        };
        self.import_locked(group, group_created, parsed)
    }

    /// Writes a parsed import into the existing group `id`.
    pub(crate) fn import_clients_into(
        &self,
        id: GroupId,
        parsed: ParsedImport,
    ) -> Result<ImportSummary> {
        let _w = self.write_lock();
        let group = self
            .group(id)?
            .ok_or_else(|| StoreError::Conflict(format!("no existe el grupo {id}")))?;
        self.import_locked(group, false, parsed)
    }

    fn import_locked(
        &self,
        group: Group,
        group_created: bool,
        parsed: ParsedImport,
    ) -> Result<ImportSummary> {
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
        loop {
            let old = self.meta.get(key.as_bytes())?;
            let first = crate::store::ids::next_after(
                old.as_deref().map(super::be_u64).unwrap_or(0),
                kind,
            )?;
            let last = first
                .checked_add(n.saturating_sub(1))
                .filter(|l| *l <= crate::domain::MAX_ID)
                .ok_or_else(|| {
                    StoreError::Conflict(format!("no quedan identificadores libres ({kind})"))
                })?;
            let next = if n == 0 { first - 1 } else { last };
            let swapped = self.meta.compare_and_swap(
                key.as_bytes(),
                old,
                Some(next.to_be_bytes().to_vec()),
            )?;
            if swapped.is_ok() {
                return Ok(first);
            }
        }
    }
}
