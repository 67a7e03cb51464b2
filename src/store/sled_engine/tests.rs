//! What only the sled engine has to show: stores written by older callboards (no time
//! index, groups without settings or owners) are read and migrated on open, and the id
//! counters, written by hand here, never wrap. The engine-neutral behaviour is tested on
//! the `Store` facade in `crate::store::tests`.

use super::*;
use crate::domain::phone::Region;
use crate::domain::{BatchRecord, ClientDraft, GroupSetup};
use crate::store::BatchListHead;
use crate::store::error::StoreError;
use std::collections::BTreeMap;

fn draft(name: &str, phone: &str) -> ClientDraft {
    ClientDraft {
        name: name.into(),
        phone: phone.into(),
        ..Default::default()
    }
}

#[test]
fn the_batch_list_reads_pages_newest_first_and_indexes_old_stores() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = chrono::Utc::now();
    {
        let store = SledStore::open(dir.path()).unwrap();
        for i in 0..5i64 {
            store
                .put_batch(&BatchRecord {
                    batch_id: format!("btcal_{i}"),
                    group_id: (i % 2) as u64,
                    created_at: t0 + chrono::Duration::seconds(i),
                    ..Default::default()
                })
                .unwrap();
        }
        // A store written before the index existed has none.
        store.batch_times.clear().unwrap();
        store.flush().unwrap();
    }
    let store = SledStore::open(dir.path()).unwrap();
    let ids = |page: &[(String, BatchListHead)]| {
        page.iter()
            .map(|(_, h)| h.batch_id.clone())
            .collect::<Vec<_>>()
    };
    let first = store.batch_list_page(None, 2, |_| Ok(true)).unwrap();
    assert_eq!(ids(&first), ["btcal_4", "btcal_3"]);
    let next = store
        .batch_list_page(Some(&first[1].0), 2, |_| Ok(true))
        .unwrap();
    assert_eq!(ids(&next), ["btcal_2", "btcal_1"]);
    // Only what `keep` accepts fills the page.
    let even = store
        .batch_list_page(None, 10, |h| Ok(h.group_id == 0))
        .unwrap();
    assert_eq!(ids(&even), ["btcal_4", "btcal_2", "btcal_0"]);
}

#[test]
fn a_group_stored_before_per_group_settings_has_none() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(dir.path()).unwrap();
        // A group as an older callboard wrote it.
        let old = br#"{"id":7,"name":"Viejo","variables":{},"created_at":"2025-08-24T10:00:00Z"}"#;
        store.groups.insert(7u64.to_be_bytes(), &old[..]).unwrap();
        store.flush().unwrap();
    }
    let store = SledStore::open(dir.path()).unwrap();
    let g = store.group(7).unwrap().unwrap();
    assert_eq!(g.setup, GroupSetup::default());
    assert_eq!(g.setup.country_or(Region::COLOMBIA), Region::COLOMBIA);
}

#[test]
fn ids_never_wrap_and_skip_taken_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path()).unwrap();
    // The counter at its end: the next plain create is an error, nothing is overwritten.
    let g1 = store.add_group("Uno", BTreeMap::new(), None).unwrap();
    store
        .meta
        .insert(
            "next_id/groups",
            crate::domain::MAX_ID.to_be_bytes().to_vec(),
        )
        .unwrap();
    assert!(matches!(
        store.add_group("Dos", BTreeMap::new(), None),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.group(g1.id).unwrap().unwrap().name, "Uno");
    // A counter behind a taken id skips it.
    store
        .meta
        .insert("next_id/groups", 1u64.to_be_bytes().to_vec())
        .unwrap();
    store.add_group("Tres", BTreeMap::new(), Some(2)).unwrap();
    store
        .meta
        .insert("next_id/groups", 0u64.to_be_bytes().to_vec())
        .unwrap();
    let g = store.add_group("Cuatro", BTreeMap::new(), None).unwrap();
    assert_eq!(g.id, 3, "1 and 2 are taken");
    assert_eq!(store.group(1).unwrap().unwrap().name, "Uno");
    assert_eq!(store.group(2).unwrap().unwrap().name, "Tres");
    // Explicit ids are bounded.
    for bad in [0, crate::domain::MAX_EXPLICIT_ID + 1, u64::MAX] {
        assert!(store.add_group("X", BTreeMap::new(), Some(bad)).is_err());
        assert!(store.add_user("X", None, Some(bad)).is_err());
    }
    // Client ids: a reservation past the end is an error too.
    store
        .meta
        .insert(
            "next_id/clients",
            (crate::domain::MAX_ID - 1).to_be_bytes().to_vec(),
        )
        .unwrap();
    let two = vec![draft("A", "3001234567"), draft("B", "3001234568")];
    assert!(store.add_clients(g.id, two, Region::COLOMBIA).is_err());
    assert!(store.clients(g.id).unwrap().is_empty());
}

#[test]
fn old_groups_get_the_owner_of_their_batches() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(dir.path()).unwrap();
        let one = store.add_group("Uno", BTreeMap::new(), None).unwrap();
        let two = store.add_group("Dos", BTreeMap::new(), None).unwrap();
        store.add_group("Tres", BTreeMap::new(), None).unwrap();
        for (id, group, user) in [
            ("b1", one.id, 7),
            ("b2", one.id, 7),
            ("b3", two.id, 7),
            ("b4", two.id, 8),
        ] {
            store
                .put_batch(&BatchRecord {
                    batch_id: id.into(),
                    group_id: group,
                    user_id: user,
                    ..Default::default()
                })
                .unwrap();
        }
        // Pretend this store is from before owners.
        store.meta.remove("migrated/group_owners").unwrap();
        store.flush().unwrap();
    }
    let store = SledStore::open(dir.path()).unwrap();
    let owner = |name: &str| store.group_by_name(name).unwrap().unwrap().owner;
    assert_eq!(owner("Uno"), Some(7));
    assert_eq!(owner("Dos"), None, "two users: the admin's");
    assert_eq!(owner("Tres"), None, "no batches: the admin's");
}
