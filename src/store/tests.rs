use super::*;
use crate::domain::import::parse_clients;
use crate::domain::phone::Region;
use crate::domain::{BatchRecord, ClientDraft, ConversationDetails, TranscriptLine};
use std::collections::BTreeMap;

fn draft(name: &str, phone: &str) -> ClientDraft {
    ClientDraft {
        name: name.into(),
        phone: phone.into(),
        ..Default::default()
    }
}

#[test]
fn users_round_trip_and_tokens_are_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (u, token) = store.add_user("Ana", Some("agent_1"), Some(19)).unwrap();
    assert_eq!(u.id, 19);
    assert_ne!(u.token_hash, token.expose());
    assert_eq!(
        store.user_by_token(token.expose()).unwrap(),
        Some(u.clone())
    );
    assert_eq!(store.user_by_token("cb_wrong").unwrap(), None);
    let (u2, _) = store.add_user("Beto", None, None).unwrap();
    assert_eq!(u2.id, 20, "ids continue above explicit ones");
    assert!(matches!(
        store.add_user("Dup", None, Some(19)),
        Err(StoreError::Conflict(_))
    ));
}

#[test]
fn data_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let g = store
            .add_group(
                "Médicos Test",
                BTreeMap::from([("ciudad".into(), "Cali".into())]),
                Some(55),
            )
            .unwrap();
        store
            .add_clients(
                g.id,
                vec![draft("Ana", "3001234567"), draft("Mal", "12")],
                Region::COLOMBIA,
            )
            .unwrap();
        store
            .put_conversation(&ConversationDetails {
                conversation_id: "conv_1".into(),
                status: "done".into(),
                transcript: vec![TranscriptLine {
                    role: "agent".into(),
                    message: "Hola".into(),
                    time_in_call_secs: Some(0),
                }],
                ..Default::default()
            })
            .unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let g = store.group_by_name("medicos test").unwrap().unwrap();
    assert_eq!(g.id, 55);
    assert_eq!(g.variables["ciudad"], "Cali");
    let clients = store.clients(55).unwrap();
    assert_eq!(clients.len(), 2);
    assert_eq!(clients[0].phone_e164.as_deref(), Ok("+573001234567"));
    assert!(
        clients[1].phone_e164.is_err(),
        "invalid phone kept with its reason"
    );
    assert_eq!(
        store.conversation("conv_1").unwrap().unwrap().transcript[0].message,
        "Hola"
    );
}

#[test]
fn second_open_of_same_dir_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path()).unwrap();
    // sled locks per process; a second handle in this process shares the lock, so the
    // cross-process case is covered by the CLI integration test.
    let err = Store::open(Path::new("/proc/callboard-cannot-exist"));
    assert!(matches!(err, Err(StoreError::Open { .. })));
}

#[test]
fn import_merges_by_phone_with_existing_clients() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let csv1 = "nombre,telefono\nAna,3001234567\nBeto,3001234568\n";
    let p = parse_clients(csv1.as_bytes(), Region::COLOMBIA, |_| {}).unwrap();
    let s = store.import_clients("Ventas", p).unwrap();
    assert!(s.group_created);
    assert_eq!((s.created, s.updated), (2, 0));
    let csv2 = "nombre;telefono;empresa\nAna María;+57 300 123 4567;ACME\nCarla;3001234569;\n";
    let p = parse_clients(csv2.as_bytes(), Region::COLOMBIA, |_| {}).unwrap();
    let s = store.import_clients("ventas", p).unwrap();
    assert!(!s.group_created);
    assert_eq!((s.created, s.updated), (1, 1));
    let clients = store.clients(s.group_id).unwrap();
    assert_eq!(clients.len(), 3);
    let ana = clients
        .iter()
        .find(|c| c.phone_e164.as_deref() == Ok("+573001234567"))
        .unwrap();
    assert_eq!(ana.name, "Ana María");
    assert_eq!(ana.empresa.as_deref(), Some("ACME"));
    let ids: std::collections::BTreeSet<u64> = clients.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), 3, "ids are unique");
}

#[test]
fn batches_are_listed_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for (i, id) in ["btcal_a", "btcal_b"].iter().enumerate() {
        store
            .put_batch(&BatchRecord {
                batch_id: id.to_string(),
                group_id: 55,
                group_name: "G".into(),
                user_id: 19,
                agent_id: "agent".into(),
                phone_number_id: "ph".into(),
                call_name: "Llamada".into(),
                created_at: chrono::Utc::now() + chrono::Duration::seconds(i as i64),
                scheduled_time_unix: None,
                recipients: vec![],
                skipped: vec![],
                last_status: None,
                ..Default::default()
            })
            .unwrap();
    }
    let all = store.batches().unwrap();
    assert_eq!(all[0].batch_id, "btcal_b");
    store
        .set_batch_status("btcal_a", &crate::domain::BatchStatus::Completed)
        .unwrap();
    assert_eq!(
        store.batch("btcal_a").unwrap().unwrap().last_status,
        Some(crate::domain::BatchStatus::Completed)
    );
    assert_eq!(store.batches_of_group(55).unwrap().len(), 2);
    assert!(store.batch("nope").unwrap().is_none());
}

#[test]
fn optouts_are_only_added_by_imports_and_audit_is_chronological() {
    use crate::store::audit::AuditEntry;
    use crate::store::optouts::OptOut;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let o = |p: &str, r: &str| OptOut {
        phone_number: p.into(),
        reason: r.into(),
        source: "import:rne.csv".into(),
        added_at: chrono::Utc::now(),
    };
    assert_eq!(
        store
            .add_optouts(&[o("+573001", "RNE"), o("+573002", "RNE")])
            .unwrap(),
        2
    );
    // A second import with the same phone neither duplicates nor overwrites.
    assert_eq!(store.add_optouts(&[o("+573001", "otro")]).unwrap(), 0);
    assert_eq!(store.optout("+573001").unwrap().unwrap().reason, "RNE");
    assert_eq!(store.optout_map().unwrap().len(), 2);
    assert!(store.remove_optout("+573002").unwrap());
    assert!(!store.remove_optout("+573002").unwrap());

    for (i, action) in ["batch.start", "batch.retry", "batch.cancel"]
        .iter()
        .enumerate()
    {
        store
            .audit(&AuditEntry {
                at: chrono::Utc::now() + chrono::Duration::milliseconds(i as i64),
                actor: "user:19".into(),
                action: action.to_string(),
                target: if i == 1 {
                    "btcal_b".into()
                } else {
                    "btcal_a".into()
                },
                details: serde_json::json!({}),
            })
            .unwrap();
    }
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    let log = store.audit_log(None, 10).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["batch.start", "batch.retry", "batch.cancel"]);
    assert_eq!(store.audit_log(Some("btcal_a"), 10).unwrap().len(), 2);
    assert_eq!(store.audit_log(None, 1).unwrap()[0].action, "batch.cancel");
}

#[test]
fn large_groups_span_chunks_and_updates_land_in_the_right_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut csv = String::from("nombre,telefono\n");
    for i in 0..1_300u32 {
        csv.push_str(&format!("C{i},300{i:07}\n"));
    }
    let p = parse_clients(csv.as_bytes(), Region::COLOMBIA, |_| {}).unwrap();
    let s = store.import_clients("Grande", p).unwrap();
    assert_eq!(s.created, 1_300);
    // Update one client in the first chunk and add one at the end.
    let p = parse_clients(
        "nombre,telefono\nCero nuevo,3000000000\nNuevo,3019999999\n".as_bytes(),
        Region::COLOMBIA,
        |_| {},
    )
    .unwrap();
    let s = store.import_clients("Grande", p).unwrap();
    assert_eq!((s.created, s.updated), (1, 1));
    let added = store
        .add_clients(
            s.group_id,
            vec![draft("API", "3028888888")],
            Region::COLOMBIA,
        )
        .unwrap();
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    let all = store.clients(s.group_id).unwrap();
    assert_eq!(all.len(), 1_302);
    assert_eq!(all[0].name, "Cero nuevo");
    assert_eq!(all[1_300].name, "Nuevo");
    assert_eq!(all[1_301].id, added[0].id);
    let ids: std::collections::BTreeSet<u64> = all.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), 1_302);
}

#[test]
fn ids_never_wrap_and_skip_taken_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
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
fn concurrent_client_writes_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let g = store.add_group("Hilos", BTreeMap::new(), None).unwrap();
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..10 {
                    let d = draft("C", &format!("300{:03}{:04}", t, i));
                    store.add_clients(g.id, vec![d], Region::COLOMBIA).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(store.clients(g.id).unwrap().len(), 160);
}

#[test]
fn old_groups_get_the_owner_of_their_batches() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
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
    let store = Store::open(dir.path()).unwrap();
    let owner = |name: &str| store.group_by_name(name).unwrap().unwrap().owner;
    assert_eq!(owner("Uno"), Some(7));
    assert_eq!(owner("Dos"), None, "two users: the admin's");
    assert_eq!(owner("Tres"), None, "no batches: the admin's");
}

#[test]
fn tokens_rotate_and_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (u, old) = store.add_user("Ana", None, None).unwrap();
    let (_, new) = store.rotate_token(u.id, None).unwrap().unwrap();
    assert_eq!(
        store.user_by_token(old.expose()).unwrap(),
        None,
        "old token dead"
    );
    let found = store.user_by_token(&format!(" {} ", new.expose())).unwrap();
    assert_eq!(found.map(|u| u.id), Some(u.id), "compared trimmed");
    store.revoke_token(u.id).unwrap().unwrap();
    assert_eq!(store.user_by_token(new.expose()).unwrap(), None);
    assert!(store.rotate_token(999, None).unwrap().is_none());
}

#[test]
fn the_batch_list_reads_pages_newest_first_and_indexes_old_stores() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = chrono::Utc::now();
    {
        let store = Store::open(dir.path()).unwrap();
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
    let store = Store::open(dir.path()).unwrap();
    let ids = |page: &[(String, pages::BatchListHead)]| {
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
