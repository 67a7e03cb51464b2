//! Groups and their clients, and writing an import into a group.

use serde::Serialize;
use std::collections::BTreeMap;

use super::Store;
use super::error::Result;
use crate::domain::import::ParsedImport;
use crate::domain::phone::{self, Region};
use crate::domain::{Client, ClientDraft, ClientId, Group, GroupId, GroupSetup, UserId};

/// A group to create.
#[derive(Debug, Clone, Default)]
pub struct NewGroup {
    pub name: String,
    pub variables: BTreeMap<String, String>,
    /// Chosen by the admin; None = the next free id.
    pub id: Option<GroupId>,
    pub owner: Option<UserId>,
    pub other_countries: bool,
    /// Its own agent, caller number, country, first message and language.
    pub setup: GroupSetup,
}

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

/// A stored client from a draft; `normalize` gives its E.164 phone (or why it has none).
pub(crate) fn to_client(
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
pub(crate) fn fold(name: &str) -> String {
    deunicode::deunicode(name.trim()).to_lowercase()
}

impl Store {
    /// Creates a group without an owner (only the admin sees it). Names are unique
    /// (ignoring case and accents).
    pub async fn add_group(
        &self,
        name: &str,
        variables: BTreeMap<String, String>,
        id: Option<GroupId>,
    ) -> Result<Group> {
        on_engine!(self.add_group(name, variables, id))
    }

    /// Creates a group. An explicit id must be free and in range; a generated one skips
    /// ids already taken and never wraps.
    pub async fn create_group(&self, new: NewGroup) -> Result<Group> {
        on_engine!(self.create_group(new))
    }

    /// Gives a group (with its clients and batches) to another user, or to the admin only.
    pub async fn set_group_owner(&self, id: GroupId, owner: Option<UserId>) -> Result<Group> {
        on_engine!(self.set_group_owner(id, owner))
    }

    /// Changes a group's campaign settings (and whether it dials abroad). When its country
    /// changes, every client's phone is read again in the new country, from the phone as
    /// it was given: `region` is the service's, for a group without a country of its own.
    pub async fn set_group_setup(
        &self,
        id: GroupId,
        setup: GroupSetup,
        other_countries: bool,
        region: Region,
    ) -> Result<Group> {
        on_engine!(self.set_group_setup(id, setup, other_countries, region))
    }

    pub async fn group(&self, id: GroupId) -> Result<Option<Group>> {
        on_engine!(self.group(id))
    }

    pub async fn groups(&self) -> Result<Vec<Group>> {
        on_engine!(self.groups())
    }

    /// Finds a group by name, ignoring case and accents.
    pub async fn group_by_name(&self, name: &str) -> Result<Option<Group>> {
        on_engine!(self.group_by_name(name))
    }

    /// Every client of a group, in the order they were added.
    pub async fn clients(&self, group: GroupId) -> Result<Vec<Client>> {
        on_engine!(self.clients(group))
    }

    /// Adds clients to a group; a client whose phone is invalid is kept (with the reason),
    /// so nothing the user typed is lost. Returns them with their ids.
    pub async fn add_clients(
        &self,
        group: GroupId,
        drafts: Vec<ClientDraft>,
        region: Region,
    ) -> Result<Vec<Client>> {
        on_engine!(self.add_clients(group, drafts, region))
    }

    /// Writes a parsed import into the group `group_name` (created, without owner, when
    /// missing). A client whose phone is already in the group is updated, not duplicated.
    pub async fn import_clients(
        &self,
        group_name: &str,
        parsed: ParsedImport,
    ) -> Result<ImportSummary> {
        on_engine!(self.import_clients(group_name, parsed))
    }

    /// `import_clients`, creating a missing group for `owner`; an existing group must
    /// already belong to `owner` (or `owner` is None: the admin's import).
    pub async fn import_clients_as(
        &self,
        group_name: &str,
        owner: Option<UserId>,
        parsed: ParsedImport,
    ) -> Result<ImportSummary> {
        on_engine!(self.import_clients_as(group_name, owner, parsed))
    }

    /// Writes a parsed import into the existing group `id`.
    pub async fn import_clients_into(
        &self,
        id: GroupId,
        parsed: ParsedImport,
    ) -> Result<ImportSummary> {
        on_engine!(self.import_clients_into(id, parsed))
    }
}
