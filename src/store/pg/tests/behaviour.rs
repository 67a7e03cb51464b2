//! What the sled engine's own tests check of its ids and lists, on PostgreSQL: ids from
//! sequences never wrap and skip explicit ones, client ids run out cleanly, the batch list
//! and the audit log read pages from cursors in sled's form.

use super::*;
use crate::domain::phone::Region;
use crate::domain::{BatchRecord, ClientDraft};
use crate::store::audit::AuditEntry;
use crate::store::error::StoreError;
use std::collections::BTreeMap;

fn draft(name: &str, phone: &str) -> ClientDraft {
    ClientDraft {
        name: name.into(),
        phone: phone.into(),
        ..Default::default()
    }
}

async fn set_sequence(store: &PgStore, seq: &str, value: u64) {
    sqlx::query(&format!("SELECT setval('{seq}', $1)"))
        .bind(value as i64)
        .execute(store.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn ids_never_wrap_and_skip_taken_ones() {
    let Some((store, _db)) = fresh_pg("pg_ids").await else {
        return;
    };
    let g1 = store.add_group("Uno", BTreeMap::new(), None).await.unwrap();
    set_sequence(&store, "group_ids", crate::domain::MAX_ID).await;
    let full = store.add_group("Dos", BTreeMap::new(), None).await;
    assert!(
        matches!(&full, Err(StoreError::Conflict(m)) if m.contains("no quedan")),
        "{full:?}"
    );
    assert_eq!(store.group(g1.id).await.unwrap().unwrap().name, "Uno");
    set_sequence(&store, "group_ids", 1).await;
    store
        .add_group("Tres", BTreeMap::new(), Some(2))
        .await
        .unwrap();
    set_sequence(&store, "group_ids", 1).await;
    let g = store
        .add_group("Cuatro", BTreeMap::new(), None)
        .await
        .unwrap();
    assert_eq!(g.id, 3, "1 and 2 are taken");
    for bad in [0, crate::domain::MAX_EXPLICIT_ID + 1, u64::MAX] {
        assert!(
            store
                .add_group("X", BTreeMap::new(), Some(bad))
                .await
                .is_err()
        );
        assert!(store.add_user("X", None, Some(bad)).await.is_err());
    }
    let dup = store.add_group("uno", BTreeMap::new(), None).await;
    assert!(
        matches!(&dup, Err(StoreError::Conflict(m)) if m.contains("«uno»")),
        "{dup:?}"
    );
    let taken = store.add_group("Cinco", BTreeMap::new(), Some(2)).await;
    assert!(
        matches!(&taken, Err(StoreError::Conflict(m)) if m == "ya existe el grupo 2"),
        "{taken:?}"
    );
    set_sequence(&store, "client_ids", crate::domain::MAX_ID - 1).await;
    let two = vec![draft("A", "3001234567"), draft("B", "3001234568")];
    assert!(
        store
            .add_clients(g.id, two, Region::COLOMBIA)
            .await
            .is_err()
    );
    assert!(store.clients(g.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn pages_of_batches_and_audit_entries_follow_their_cursors() {
    let Some((store, _db)) = fresh_pg("pg_pages").await else {
        return;
    };
    let t0 = chrono::Utc::now();
    for i in 0..5i64 {
        let rec = BatchRecord {
            batch_id: format!("btcal_{i}"),
            group_id: (i % 2) as u64,
            created_at: t0 + chrono::Duration::seconds(i),
            ..Default::default()
        };
        store.put_batch(&rec).await.unwrap();
    }
    let ids = |page: &[(String, crate::store::BatchListHead)]| {
        page.iter()
            .map(|(_, h)| h.batch_id.clone())
            .collect::<Vec<_>>()
    };
    let first = store.batch_list_page(None, 2, |_| Ok(true)).await.unwrap();
    assert_eq!(ids(&first), ["btcal_4", "btcal_3"]);
    assert_eq!(
        first[0].0,
        format!(
            "{:020}.btcal_4",
            (t0 + chrono::Duration::seconds(4)).timestamp_micros()
        )
    );
    let next = store
        .batch_list_page(Some(&first[1].0), 2, |_| Ok(true))
        .await
        .unwrap();
    assert_eq!(ids(&next), ["btcal_2", "btcal_1"]);
    let even = store
        .batch_list_page(None, 10, |h| Ok(h.group_id == 0))
        .await
        .unwrap();
    assert_eq!(ids(&even), ["btcal_4", "btcal_2", "btcal_0"]);

    for i in 0..5 {
        let e = AuditEntry {
            at: t0 + chrono::Duration::milliseconds(i),
            actor: "admin".into(),
            action: format!("a{i}"),
            target: if i % 2 == 0 { "x" } else { "y" }.into(),
            details: serde_json::json!({}),
        };
        store.audit(&e).await.unwrap();
    }
    let (page, next) = store.audit_page(None, 2, |_| Ok(true)).await.unwrap();
    let actions = |v: &[AuditEntry]| v.iter().map(|e| e.action.clone()).collect::<Vec<_>>();
    assert_eq!(actions(&page), ["a4", "a3"]);
    let next = next.expect("more entries follow");
    assert_eq!(next.len(), 16);
    let (page, rest) = store
        .audit_page(Some(&next), 10, |e| Ok(e.target == "x"))
        .await
        .unwrap();
    assert_eq!(actions(&page), ["a2", "a0"]);
    assert!(rest.is_none());
    assert_eq!(
        actions(&store.audit_log(Some("x"), 2).await.unwrap()),
        ["a2", "a4"]
    );
}
