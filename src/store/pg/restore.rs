//! A sled store's whole content written into this database (`callboard store copy`), in
//! one transaction: every record keeps its id, rows are written over by key (so a copy
//! can be run again), and the id sequences move past the copied ids.

use sqlx::{PgConnection, Row};

use super::{PgStore, doc, sql_id};
use crate::store::copy::Dump;
use crate::store::error::{Result, StoreError};
use crate::store::groups::fold;

impl PgStore {
    /// Writes `dump` into the database; all of it or, on any error, nothing.
    pub async fn restore(&self, dump: &Dump) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        users(&mut tx, dump).await?;
        groups(&mut tx, dump).await?;
        clients(&mut tx, dump).await?;
        for b in &dump.batches {
            super::batches::upsert_batch(&mut tx, b).await?;
        }
        caches(&mut tx, dump).await?;
        for i in &dump.intents {
            super::journal::upsert_intent(&mut tx, i).await?;
        }
        optouts(&mut tx, dump).await?;
        audit(&mut tx, dump).await?;
        for (seq, table) in [
            ("user_ids", "users"),
            ("group_ids", "groups"),
            ("client_ids", "clients"),
        ] {
            sqlx::query(&format!(
                "SELECT setval('{seq}', m) FROM (SELECT max(id) AS m FROM {table}) t \
                 WHERE m >= (SELECT last_value FROM {seq})"
            ))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Of every kind of record in `dump` (in `Dump::counts`' order), how many the
    /// database holds.
    pub async fn present(&self, dump: &Dump) -> Result<Vec<usize>> {
        let ids = |v: Vec<u64>| v.into_iter().map(sql_id).collect::<Vec<i64>>();
        let users = ids(dump.users.iter().map(|u| u.id).collect());
        let groups = ids(dump.groups.iter().map(|g| g.id).collect());
        let (client_groups, client_ids): (Vec<i64>, Vec<i64>) = dump
            .clients
            .iter()
            .flat_map(|(g, cs)| cs.iter().map(move |c| (sql_id(*g), sql_id(c.id))))
            .unzip();
        let batches: Vec<&str> = dump.batches.iter().map(|b| b.batch_id.as_str()).collect();
        let convs: Vec<&str> = dump
            .conversations
            .iter()
            .map(|c| c.conversation_id.as_str())
            .collect();
        let (scopes, keys): (Vec<&str>, Vec<&str>) = dump
            .idempotency
            .iter()
            .map(|(s, k, _)| (s.as_str(), k.as_str()))
            .unzip();
        let intents: Vec<&str> = dump.intents.iter().map(|i| i.id.as_str()).collect();
        let phones: Vec<&str> = dump
            .optouts
            .iter()
            .map(|o| o.phone_number.as_str())
            .collect();
        let audit = audit_docs(dump)?;
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM users WHERE id = ANY($1)),
                    (SELECT count(*) FROM groups WHERE id = ANY($2)),
                    (SELECT count(*) FROM clients c JOIN UNNEST($3::bigint[], $4::bigint[]) AS t(g, i)
                        ON c.group_id = t.g AND c.id = t.i),
                    (SELECT count(*) FROM batches WHERE batch_id = ANY($5)),
                    (SELECT count(*) FROM conversations WHERE conversation_id = ANY($6)),
                    (SELECT count(*) FROM idempotency i JOIN UNNEST($7::text[], $8::text[]) AS t(s, k)
                        ON i.scope = t.s AND i.key = t.k),
                    (SELECT count(*) FROM intents WHERE id = ANY($9)),
                    (SELECT count(*) FROM optouts WHERE phone_number = ANY($10)),
                    (SELECT count(*) FROM UNNEST($11::bigint[], $12::text[]) AS t(a, d)
                        WHERE EXISTS (SELECT 1 FROM audit WHERE at_us = t.a AND doc::text = t.d))",
        )
        .bind(&users)
        .bind(&groups)
        .bind(&client_groups)
        .bind(&client_ids)
        .bind(&batches)
        .bind(&convs)
        .bind(&scopes)
        .bind(&keys)
        .bind(&intents)
        .bind(&phones)
        .bind(&audit.0)
        .bind(&audit.1)
        .fetch_one(&self.pool)
        .await?;
        (0..9)
            .map(|i| Ok(row.try_get::<i64, _>(i)? as usize))
            .collect()
    }
}

async fn users(tx: &mut PgConnection, dump: &Dump) -> Result<()> {
    for u in &dump.users {
        sqlx::query(
            "INSERT INTO users (id, token_hash, doc) VALUES ($1, $2, $3::json) \
             ON CONFLICT (id) DO UPDATE SET token_hash = EXCLUDED.token_hash, doc = EXCLUDED.doc",
        )
        .bind(sql_id(u.id))
        .bind(&u.token_hash)
        .bind(doc(u)?)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn groups(tx: &mut PgConnection, dump: &Dump) -> Result<()> {
    for g in &dump.groups {
        let done = sqlx::query(
            "INSERT INTO groups (id, name_key, owner, doc) VALUES ($1, $2, $3, $4::json) \
             ON CONFLICT (id) DO UPDATE SET name_key = EXCLUDED.name_key, owner = EXCLUDED.owner, \
             doc = EXCLUDED.doc",
        )
        .bind(sql_id(g.id))
        .bind(fold(&g.name))
        .bind(g.owner.map(sql_id))
        .bind(doc(g)?)
        .execute(&mut *tx)
        .await;
        if let Err(e) = done {
            if super::sqlstate(&e).as_deref() == Some("23505") {
                return Err(StoreError::Conflict(format!(
                    "la base de datos ya tiene otro grupo llamado «{}» (con otro id); cámbiele el nombre en uno de los dos almacenes y repita la copia",
                    g.name
                )));
            }
            return Err(e.into());
        }
    }
    Ok(())
}

async fn clients(tx: &mut PgConnection, dump: &Dump) -> Result<()> {
    for (group, cs) in &dump.clients {
        for chunk in cs.chunks(5_000) {
            let ids: Vec<i64> = chunk.iter().map(|c| sql_id(c.id)).collect();
            let phones: Vec<Option<&str>> =
                chunk.iter().map(|c| c.phone_e164.as_deref().ok()).collect();
            let docs = chunk.iter().map(doc).collect::<Result<Vec<_>>>()?;
            sqlx::query(
                "INSERT INTO clients (group_id, id, phone_e164, doc) \
                 SELECT $1, t.i, t.p, t.d::json FROM UNNEST($2::bigint[], $3::text[], $4::text[]) AS t(i, p, d) \
                 ON CONFLICT (group_id, id) DO UPDATE SET phone_e164 = EXCLUDED.phone_e164, doc = EXCLUDED.doc",
            )
            .bind(sql_id(*group))
            .bind(&ids)
            .bind(&phones)
            .bind(&docs)
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}

async fn caches(tx: &mut PgConnection, dump: &Dump) -> Result<()> {
    for c in &dump.conversations {
        sqlx::query(
            "INSERT INTO conversations (conversation_id, doc) VALUES ($1, $2::json) \
             ON CONFLICT (conversation_id) DO UPDATE SET doc = EXCLUDED.doc",
        )
        .bind(&c.conversation_id)
        .bind(doc(c)?)
        .execute(&mut *tx)
        .await?;
    }
    for (scope, key, resp) in &dump.idempotency {
        sqlx::query(
            "INSERT INTO idempotency (scope, key, created_at, doc) VALUES ($1, $2, $3, $4::json) \
             ON CONFLICT (scope, key) DO UPDATE SET created_at = EXCLUDED.created_at, doc = EXCLUDED.doc",
        )
        .bind(scope)
        .bind(key)
        .bind(resp.created_at)
        .bind(doc(resp)?)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn optouts(tx: &mut PgConnection, dump: &Dump) -> Result<()> {
    for o in &dump.optouts {
        sqlx::query(
            "INSERT INTO optouts (phone_number, doc) VALUES ($1, $2::json) \
             ON CONFLICT (phone_number) DO UPDATE SET doc = EXCLUDED.doc",
        )
        .bind(&o.phone_number)
        .bind(doc(o)?)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Audit entries have no key of their own: an entry already there (same time, same
/// document) is not written again.
async fn audit(tx: &mut PgConnection, dump: &Dump) -> Result<()> {
    let (at, docs) = audit_docs(dump)?;
    let targets: Vec<&str> = dump.audit.iter().map(|e| e.target.as_str()).collect();
    sqlx::query(
        "INSERT INTO audit (at_us, target, doc) \
         SELECT t.a, t.t, t.d::json FROM UNNEST($1::bigint[], $2::text[], $3::text[]) WITH ORDINALITY AS t(a, t, d, n) \
         WHERE NOT EXISTS (SELECT 1 FROM audit x WHERE x.at_us = t.a AND x.doc::text = t.d) \
         ORDER BY t.n",
    )
    .bind(&at)
    .bind(&targets)
    .bind(&docs)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

fn audit_docs(dump: &Dump) -> Result<(Vec<i64>, Vec<String>)> {
    let at = dump.audit.iter().map(|e| e.at.timestamp_micros()).collect();
    let docs = dump.audit.iter().map(doc).collect::<Result<Vec<_>>>()?;
    Ok((at, docs))
}
