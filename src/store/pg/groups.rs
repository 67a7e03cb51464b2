//! Groups: unique names (without case or accents) by a unique column, ids from a sequence
//! (explicit ones allowed and the sequence moved past them), changes in a transaction
//! with the group's row locked.

use chrono::Utc;
use sqlx::PgConnection;
use std::collections::BTreeMap;

use super::{PgStore, doc, ids_exhausted, sql_id, undoc, undoc_rows};
use crate::domain::{Group, GroupId, UserId};
use crate::store::error::{Result, StoreError};
use crate::store::groups::NewGroup;
use crate::store::groups::fold;

impl PgStore {
    /// Creates a group without an owner (only the admin sees it). Names are unique
    /// (ignoring case and accents).
    pub async fn add_group(
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
        .await
    }

    /// Creates a group. An explicit id must be free and in range; a generated one skips
    /// ids already taken and never wraps.
    pub async fn create_group(&self, new: NewGroup) -> Result<Group> {
        let mut conn = self.pool.acquire().await?;
        create_group_in(&mut conn, new).await
    }

    /// Gives a group (with its clients and batches) to another user, or to the admin only.
    pub async fn set_group_owner(&self, id: GroupId, owner: Option<UserId>) -> Result<Group> {
        let mut tx = self.pool.begin().await?;
        let mut g = lock_group(&mut tx, id).await?.ok_or_else(|| missing(id))?;
        g.owner = owner;
        write_group(&mut tx, &g).await?;
        tx.commit().await?;
        Ok(g)
    }

    pub async fn group(&self, id: GroupId) -> Result<Option<Group>> {
        let row: Option<String> = sqlx::query_scalar("SELECT doc::text FROM groups WHERE id = $1")
            .bind(sql_id(id))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|d| undoc(&format!("groups/{id}"), &d)).transpose()
    }

    pub async fn groups(&self) -> Result<Vec<Group>> {
        let rows = sqlx::query("SELECT doc::text AS doc FROM groups ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        undoc_rows("groups", &rows)
    }

    /// Finds a group by name, ignoring case and accents.
    pub async fn group_by_name(&self, name: &str) -> Result<Option<Group>> {
        let row: Option<String> =
            sqlx::query_scalar("SELECT doc::text FROM groups WHERE name_key = $1")
                .bind(fold(name))
                .fetch_optional(&self.pool)
                .await?;
        row.map(|d| undoc("groups", &d)).transpose()
    }
}

pub(super) fn missing(id: GroupId) -> StoreError {
    StoreError::Conflict(format!("no existe el grupo {id}"))
}

/// The group `id`, its row locked until the transaction ends.
pub(super) async fn lock_group(conn: &mut PgConnection, id: GroupId) -> Result<Option<Group>> {
    let row: Option<String> =
        sqlx::query_scalar("SELECT doc::text FROM groups WHERE id = $1 FOR UPDATE")
            .bind(sql_id(id))
            .fetch_optional(conn)
            .await?;
    row.map(|d| undoc(&format!("groups/{id}"), &d)).transpose()
}

/// The group named `name` (without case or accents), its row locked.
pub(super) async fn lock_group_named(conn: &mut PgConnection, name: &str) -> Result<Option<Group>> {
    let row: Option<String> =
        sqlx::query_scalar("SELECT doc::text FROM groups WHERE name_key = $1 FOR UPDATE")
            .bind(fold(name))
            .fetch_optional(conn)
            .await?;
    row.map(|d| undoc("groups", &d)).transpose()
}

pub(super) async fn write_group(conn: &mut PgConnection, g: &Group) -> Result<()> {
    sqlx::query("UPDATE groups SET owner = $2, doc = $3::json WHERE id = $1")
        .bind(sql_id(g.id))
        .bind(g.owner.map(sql_id))
        .bind(doc(g)?)
        .execute(conn)
        .await?;
    Ok(())
}

/// Creates a group on `conn` (inside the caller's transaction, if any).
pub(super) async fn create_group_in(conn: &mut PgConnection, new: NewGroup) -> Result<Group> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(StoreError::Conflict("el grupo necesita un nombre".into()));
    }
    let taken_name = || StoreError::Conflict(format!("ya existe un grupo «{name}»"));
    if lock_group_named(conn, name).await?.is_some() {
        return Err(taken_name());
    }
    let mut group = Group {
        id: 0,
        name: name.to_string(),
        variables: new.variables,
        created_at: Utc::now(),
        owner: new.owner,
        other_countries: new.other_countries,
        setup: new.setup,
    };
    if let Some(id) = new.id {
        crate::store::ids::check_explicit_id(id, "grupos")?;
        group.id = id;
        if !insert_group(conn, &group).await? {
            return Err(match lock_group_named(conn, name).await? {
                Some(_) => taken_name(),
                None => StoreError::Conflict(format!("ya existe el grupo {id}")),
            });
        }
        sqlx::query("SELECT setval('group_ids', $1) WHERE $1 > (SELECT last_value FROM group_ids)")
            .bind(sql_id(id))
            .execute(&mut *conn)
            .await?;
        return Ok(group);
    }
    // An id taken by an explicit one is skipped: the next is tried.
    loop {
        let next: i64 = sqlx::query_scalar("SELECT nextval('group_ids')")
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| ids_exhausted(e, "groups"))?;
        group.id = next as u64;
        if insert_group(conn, &group).await? {
            return Ok(group);
        }
        if lock_group_named(conn, name).await?.is_some() {
            return Err(taken_name());
        }
    }
}

/// Inserts a group unless its id or its name is taken; whether it was inserted.
async fn insert_group(conn: &mut PgConnection, g: &Group) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO groups (id, name_key, owner, doc) VALUES ($1, $2, $3, $4::json) ON CONFLICT DO NOTHING",
    )
    .bind(sql_id(g.id))
    .bind(fold(&g.name))
    .bind(g.owner.map(sql_id))
    .bind(doc(g)?)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
