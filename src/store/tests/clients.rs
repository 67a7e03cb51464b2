//! What every engine must keep of clients and keys: every character of what was typed,
//! one group for concurrent imports of a new name, idempotency keys until their
//! time-to-live.

use super::*;
use crate::store::cache::{IDEMPOTENCY_TTL_SECS, IdempotentResponse};

on_every_engine! {
    #[tokio::test]
    async fn clients_keep_every_character(store, guard) {
        let g = store.add_group("Raros", BTreeMap::new(), None).await.unwrap();
        let odd = "Tab\there, back\\slash, new\nline, cr\r, \"quoted\", \\N, ñandú";
        let mut d = draft(odd, "3001234567");
        d.extra.insert("nota\t1".into(), "a\\b\nc".into());
        store
            .add_clients(g.id, vec![d.clone(), draft("Mal", "12")], Region::COLOMBIA)
            .await
            .unwrap();
        // Updated by an import of the same phone.
        let csv = "nombre,telefono,empresa\nOtro,3001234567,ACME\n";
        let p = parse_clients(csv.as_bytes(), Region::COLOMBIA, |_| {}).unwrap();
        let s = store.import_clients_into(g.id, p).await.unwrap();
        assert_eq!((s.created, s.updated), (0, 1));
        let all = store.clients(g.id).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].name, "Otro");
        assert_eq!(all[0].extra["nota\t1"], "a\\b\nc");
        assert_eq!(all[0].empresa.as_deref(), Some("ACME"));
        assert!(all[1].phone_e164.is_err(), "an invalid phone is kept with its reason");
        let again = store
            .add_clients(g.id, vec![d], Region::COLOMBIA)
            .await
            .unwrap();
        assert_eq!(store.clients(g.id).await.unwrap()[2].name, odd);
        assert!(again[0].id > all[1].id, "ids grow in the order clients are added");
    }
}

on_every_engine! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_imports_into_a_new_group_make_one_group(store, guard) {
        let csv = "nombre,telefono\nAna,3001234567\nBeto,3001234568\n";
        let runs: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    let p = parse_clients(csv.as_bytes(), Region::COLOMBIA, |_| {}).unwrap();
                    store.import_clients("Nuevo", p).await.unwrap()
                })
            })
            .collect();
        let mut created_groups = 0;
        for r in runs {
            created_groups += usize::from(r.await.unwrap().group_created);
        }
        assert_eq!(created_groups, 1);
        let g = store.group_by_name("nuevo").await.unwrap().unwrap();
        assert_eq!(store.clients(g.id).await.unwrap().len(), 2);
        assert_eq!(store.groups().await.unwrap().len(), 1);
    }
}

on_every_engine! {
    #[tokio::test]
    async fn idempotency_keys_live_until_their_time_to_live(store, guard) {
        let now = chrono::Utc::now();
        let resp = |age_secs: i64| IdempotentResponse {
            status: 201,
            body: serde_json::json!({ "batchId": "btcal_1" }),
            created_at: now - chrono::Duration::seconds(age_secs),
            fingerprint: Some("f".into()),
            intent_id: None,
        };
        store.put_idempotent("user:1", "fresh", &resp(10)).await.unwrap();
        store
            .stage_idempotent("user:1", "edge", &resp(IDEMPOTENCY_TTL_SECS))
            .await
            .unwrap();
        store
            .put_idempotent("user:2", "old", &resp(IDEMPOTENCY_TTL_SECS + 1))
            .await
            .unwrap();
        assert_eq!(
            store.idempotent("user:1", "fresh").await.unwrap(),
            Some(resp(10))
        );
        assert!(store.idempotent("user:2", "fresh").await.unwrap().is_none());
        assert_eq!(store.prune_idempotent(now).await.unwrap(), 1);
        assert!(store.idempotent("user:2", "old").await.unwrap().is_none());
        assert!(store.idempotent("user:1", "edge").await.unwrap().is_some());
        // A key written again takes its new answer.
        let mut answered = resp(5);
        answered.intent_id = Some("int_1".into());
        store.put_idempotent("user:1", "fresh", &answered).await.unwrap();
        assert_eq!(
            store.idempotent("user:1", "fresh").await.unwrap(),
            Some(answered)
        );
    }
}
