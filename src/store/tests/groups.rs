//! Groups and their clients: imports merge by phone, large groups span chunks,
//! concurrent writes lose nothing, ids never wrap.

use super::*;

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
