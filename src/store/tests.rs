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
    assert_eq!(store.user_by_token(token.expose()).unwrap(), Some(u.clone()));
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
    assert!(clients[1].phone_e164.is_err(), "invalid phone kept with its reason");
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
