//! A group's clients, imports and the settings that rewrite them (a new country reads
//! every phone again): one row a client, ids from a sequence in the order they are added,
//! every write in a transaction holding the group's row, so two imports into one group
//! never both add the same phone. Rows go in by `COPY` (a whole import is
//! one stream, not one statement a row).

use sqlx::PgConnection;
use std::collections::HashMap;

use super::groups::{create_group_in, lock_group, lock_group_named, missing, write_group};
use super::{PgStore, doc, ids_exhausted, sql_id, undoc};
use crate::domain::import::ParsedImport;
use crate::domain::phone::{self, Region};
use crate::domain::{Client, ClientDraft, Group, GroupId, GroupSetup, UserId};
use crate::store::error::{Result, StoreError};
use crate::store::groups::to_client;
use crate::store::groups::{ImportSummary, NewGroup};

impl PgStore {
    /// Every client of a group, in the order they were added.
    pub async fn clients(&self, group: GroupId) -> Result<Vec<Client>> {
        let mut conn = self.pool.acquire().await?;
        clients_in(&mut conn, group).await
    }

    /// Adds clients to a group; a client whose phone is invalid is kept (with the reason),
    /// so nothing the user typed is lost. Returns them with their ids.
    pub async fn add_clients(
        &self,
        group: GroupId,
        drafts: Vec<ClientDraft>,
        region: Region,
    ) -> Result<Vec<Client>> {
        let mut tx = self.pool.begin().await?;
        if lock_group(&mut tx, group).await?.is_none() {
            return Err(StoreError::Conflict(format!("no existe el grupo {group}")));
        }
        let ids = reserve_ids(&mut tx, drafts.len()).await?;
        let out: Vec<Client> = ids
            .into_iter()
            .zip(drafts)
            .map(|(id, d)| to_client(id, group, d, |p| phone::normalize(p, region)))
            .collect();
        insert_clients(&mut tx, group, &out).await?;
        tx.commit().await?;
        Ok(out)
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
        let mut tx = self.pool.begin().await?;
        let mut g = lock_group(&mut tx, id).await?.ok_or_else(|| missing(id))?;
        let (before, after) = (g.setup.country_or(region), setup.country_or(region));
        g.setup = setup;
        g.other_countries = other_countries;
        if before != after {
            let mut all = clients_in(&mut tx, id).await?;
            for c in &mut all {
                c.phone_e164 = phone::normalize(&c.phone, after);
            }
            update_clients(&mut tx, id, &all).await?;
        }
        write_group(&mut tx, &g).await?;
        tx.commit().await?;
        Ok(g)
    }

    /// Writes a parsed import into the group `group_name` (created, without owner, when
    /// missing). A client whose phone is already in the group is updated, not duplicated.
    pub async fn import_clients(
        &self,
        group_name: &str,
        parsed: ParsedImport,
    ) -> Result<ImportSummary> {
        self.import_clients_as(group_name, None, parsed).await
    }

    /// `import_clients`, creating a missing group for `owner`; an existing group must
    /// already belong to `owner` (or `owner` is None: the admin's import).
    pub async fn import_clients_as(
        &self,
        group_name: &str,
        owner: Option<UserId>,
        parsed: ParsedImport,
    ) -> Result<ImportSummary> {
        let mut tx = self.pool.begin().await?;
        let (group, group_created) = match lock_group_named(&mut tx, group_name).await? {
            Some(g) => (g, false),
            None => {
                let new = NewGroup {
                    name: group_name.to_string(),
                    owner,
                    ..NewGroup::default()
                };
                match create_group_in(&mut tx, new).await {
                    Ok(g) => (g, true),
                    // Created meanwhile by another import: that one is used.
                    Err(e) => match lock_group_named(&mut tx, group_name).await? {
                        Some(g) => (g, false),
                        None => return Err(e),
                    },
                }
            }
        };
        if !group_created && owner.is_some() && group.owner != owner {
            return Err(StoreError::Conflict(format!(
                "el grupo «{}» pertenece a otro usuario",
                group.name
            )));
        }
        let summary = import_in(&mut tx, group, group_created, parsed).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Writes a parsed import into the existing group `id`.
    pub async fn import_clients_into(
        &self,
        id: GroupId,
        parsed: ParsedImport,
    ) -> Result<ImportSummary> {
        let mut tx = self.pool.begin().await?;
        let group = lock_group(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::Conflict(format!("no existe el grupo {id}")))?;
        let summary = import_in(&mut tx, group, false, parsed).await?;
        tx.commit().await?;
        Ok(summary)
    }
}

/// The clients of `group` on `conn`, in the order they were added.
async fn clients_in(conn: &mut PgConnection, group: GroupId) -> Result<Vec<Client>> {
    let docs: Vec<String> =
        sqlx::query_scalar("SELECT doc::text FROM clients WHERE group_id = $1 ORDER BY id")
            .bind(sql_id(group))
            .fetch_all(conn)
            .await?;
    let key = format!("clients/{group}");
    docs.iter().map(|d| undoc(&key, d)).collect()
}

/// Merges an import into the (locked) group: a phone already there updates its client
/// (the last added, when a phone is there twice), any other is a new client.
async fn import_in(
    conn: &mut PgConnection,
    group: Group,
    group_created: bool,
    parsed: ParsedImport,
) -> Result<ImportSummary> {
    let mut by_phone = existing_by_phone(conn, group.id, &parsed).await?;
    let new_rows = parsed
        .clients
        .keys()
        .filter(|p| !by_phone.contains_key(*p))
        .count();
    let mut ids = reserve_ids(conn, new_rows).await?.into_iter();
    let (mut added, mut changed) = (Vec::new(), Vec::new());
    for (e164, (_, draft)) in parsed.clients {
        match by_phone.remove(&e164) {
            Some(existing) => {
                let mut d = ClientDraft {
                    name: existing.name,
                    email: existing.email,
                    empresa: existing.empresa,
                    cargo: existing.cargo,
                    phone: existing.phone,
                    extra: existing.extra,
                };
                d.merge_from(draft);
                changed.push(to_client(existing.id, group.id, d, |_| Ok(e164.clone())));
            }
            None => {
                let id = ids.next().expect("an id was reserved for every new phone");
                added.push(to_client(id, group.id, draft, |_| Ok(e164.clone())));
            }
        }
    }
    insert_clients(conn, group.id, &added).await?;
    update_clients(conn, group.id, &changed).await?;
    Ok(ImportSummary {
        group_id: group.id,
        group_created,
        created: added.len(),
        updated: changed.len(),
    })
}

/// The group's clients whose phone the import holds, by phone (the last added, when a
/// phone is there twice), in one hash join of the group's rows with the import's phones.
async fn existing_by_phone(
    conn: &mut PgConnection,
    group: GroupId,
    parsed: &ParsedImport,
) -> Result<HashMap<String, Client>> {
    let phones: Vec<&str> = parsed.clients.keys().map(String::as_str).collect();
    let docs: Vec<String> = sqlx::query_scalar(
        "SELECT c.doc::text FROM clients AS c JOIN UNNEST($2::text[]) AS p(phone) \
         ON c.phone_e164 = p.phone WHERE c.group_id = $1 ORDER BY c.id",
    )
    .bind(sql_id(group))
    .bind(&phones)
    .fetch_all(&mut *conn)
    .await?;
    let key = format!("clients/{group}");
    let mut out = HashMap::with_capacity(docs.len());
    for d in &docs {
        let c: Client = undoc(&key, d)?;
        if let Ok(p) = c.phone_e164.clone() {
            out.insert(p, c);
        }
    }
    Ok(out)
}

/// `n` new client ids, in increasing order.
async fn reserve_ids(conn: &mut PgConnection, n: usize) -> Result<Vec<u64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> =
        sqlx::query_scalar("SELECT nextval('client_ids') FROM generate_series(1, $1)")
            .bind(n as i64)
            .fetch_all(conn)
            .await
            .map_err(|e| ids_exhausted(e, "clients"))?;
    ids.sort_unstable();
    Ok(ids.into_iter().map(|i| i as u64).collect())
}

async fn insert_clients(conn: &mut PgConnection, group: GroupId, clients: &[Client]) -> Result<()> {
    copy_rows(
        conn,
        "COPY clients (group_id, id, phone_e164, doc) FROM STDIN",
        group,
        clients,
    )
    .await
}

/// Writes `clients` as rows (group, id, phone, document) with `COPY ... FROM STDIN`, the
/// fastest way rows go into PostgreSQL (an import of 100,000 clients is one COPY).
async fn copy_rows(
    conn: &mut PgConnection,
    copy: &str,
    group: GroupId,
    clients: &[Client],
) -> Result<()> {
    if clients.is_empty() {
        return Ok(());
    }
    let mut sink = conn.copy_in_raw(copy).await?;
    let mut buf = String::with_capacity(1 << 20);
    for c in clients {
        buf.push_str(&format!("{}\t{}\t", group, c.id));
        match &c.phone_e164 {
            Ok(p) => copy_text(&mut buf, p),
            Err(_) => buf.push_str("\\N"),
        }
        buf.push('\t');
        copy_text(&mut buf, &doc(c)?);
        buf.push('\n');
        if buf.len() >= 1 << 20 {
            sink.send(std::mem::take(&mut buf).into_bytes()).await?;
        }
    }
    if !buf.is_empty() {
        sink.send(buf.into_bytes()).await?;
    }
    sink.finish().await?;
    Ok(())
}

/// A value in COPY's text format: backslash, tab, newline and carriage return escaped.
fn copy_text(out: &mut String, value: &str) {
    for ch in value.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
}

/// Rewrites existing clients of `group` (same ids): copied into a temporary table, then
/// one UPDATE joins it.
async fn update_clients(conn: &mut PgConnection, group: GroupId, clients: &[Client]) -> Result<()> {
    if clients.is_empty() {
        return Ok(());
    }
    // Gone with the transaction (one update a transaction).
    sqlx::query(
        "CREATE TEMPORARY TABLE client_updates \
         (group_id bigint, id bigint, phone_e164 text, doc text) ON COMMIT DROP",
    )
    .execute(&mut *conn)
    .await?;
    copy_rows(
        conn,
        "COPY client_updates (group_id, id, phone_e164, doc) FROM STDIN",
        group,
        clients,
    )
    .await?;
    sqlx::query(
        "UPDATE clients AS c SET phone_e164 = t.phone_e164, doc = t.doc::json \
         FROM client_updates AS t WHERE c.group_id = $1 AND c.id = t.id",
    )
    .bind(sql_id(group))
    .execute(conn)
    .await?;
    Ok(())
}
