//! Groups and their clients: imports merge by phone, large groups span chunks,
//! concurrent writes lose nothing.

use super::*;

on_every_engine! {
    #[tokio::test]
    async fn import_merges_by_phone_with_existing_clients(store, guard) {
        let csv1 = "nombre,telefono\nAna,3001234567\nBeto,3001234568\n";
        let p = parse_clients(csv1.as_bytes(), Region::COLOMBIA, |_| {}).unwrap();
        let s = store.import_clients("Ventas", p).await.unwrap();
        assert!(s.group_created);
        assert_eq!((s.created, s.updated), (2, 0));
        let csv2 = "nombre;telefono;empresa\nAna María;+57 300 123 4567;ACME\nCarla;3001234569;\n";
        let p = parse_clients(csv2.as_bytes(), Region::COLOMBIA, |_| {}).unwrap();
        let s = store.import_clients("ventas", p).await.unwrap();
        assert!(!s.group_created);
        assert_eq!((s.created, s.updated), (1, 1));
        let clients = store.clients(s.group_id).await.unwrap();
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
}

on_every_engine! {
    #[tokio::test]
    async fn large_groups_span_chunks_and_updates_land_in_the_right_one(store, guard) {
        let mut csv = String::from("nombre,telefono\n");
        for i in 0..1_300u32 {
            csv.push_str(&format!("C{i},300{i:07}\n"));
        }
        let p = parse_clients(csv.as_bytes(), Region::COLOMBIA, |_| {}).unwrap();
        let s = store.import_clients("Grande", p).await.unwrap();
        assert_eq!(s.created, 1_300);
        // Update one client in the first chunk and add one at the end.
        let p = parse_clients(
            "nombre,telefono\nCero nuevo,3000000000\nNuevo,3019999999\n".as_bytes(),
            Region::COLOMBIA,
            |_| {},
        )
        .unwrap();
        let s = store.import_clients("Grande", p).await.unwrap();
        assert_eq!((s.created, s.updated), (1, 1));
        let added = store
            .add_clients(
                s.group_id,
                vec![draft("API", "3028888888")],
                Region::COLOMBIA,
            )
            .await
            .unwrap();
        let store = reopen(store, &guard).await;
        let all = store.clients(s.group_id).await.unwrap();
        assert_eq!(all.len(), 1_302);
        assert_eq!(all[0].name, "Cero nuevo");
        assert_eq!(all[1_300].name, "Nuevo");
        assert_eq!(all[1_301].id, added[0].id);
        let ids: std::collections::BTreeSet<u64> = all.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), 1_302);
    }
}

on_every_engine! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_client_writes_lose_nothing(store, guard) {
        let g = store
            .add_group("Hilos", BTreeMap::new(), None)
            .await
            .unwrap();
        let tasks: Vec<_> = (0..16)
            .map(|t| {
                let store = store.clone();
                tokio::spawn(async move {
                    for i in 0..10 {
                        let d = draft("C", &format!("300{:03}{:04}", t, i));
                        store
                            .add_clients(g.id, vec![d], Region::COLOMBIA)
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(store.clients(g.id).await.unwrap().len(), 160);
    }
}
