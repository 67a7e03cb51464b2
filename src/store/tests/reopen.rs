//! Opening a store: data survives a reopen, a bad directory is refused clearly, a location
//! is a database URL or a directory, and shown without its password.

use super::*;

on_every_engine! {
    #[tokio::test]
    async fn data_survives_reopen(store, guard) {
        {
            let g = store
                .add_group(
                    "Médicos Test",
                    BTreeMap::from([("ciudad".into(), "Cali".into())]),
                    Some(55),
                )
                .await
                .unwrap();
            store
                .add_clients(
                    g.id,
                    vec![draft("Ana", "3001234567"), draft("Mal", "12")],
                    Region::COLOMBIA,
                )
                .await
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
                .await
                .unwrap();
        }
        let store = reopen(store, &guard).await;
        assert_eq!(
            store.schema_version().await.unwrap(),
            store.known_schema_version()
        );
        let g = store.group_by_name("medicos test").await.unwrap().unwrap();
        assert_eq!(g.id, 55);
        assert_eq!(g.variables["ciudad"], "Cali");
        let clients = store.clients(55).await.unwrap();
        assert_eq!(clients.len(), 2);
        assert_eq!(clients[0].phone_e164.as_deref(), Ok("+573001234567"));
        assert!(
            clients[1].phone_e164.is_err(),
            "invalid phone kept with its reason"
        );
        assert_eq!(
            store
                .conversation("conv_1")
                .await
                .unwrap()
                .unwrap()
                .transcript[0]
                .message,
            "Hola"
        );
    }
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

#[tokio::test]
async fn a_location_is_a_database_url_or_a_directory() {
    for url in [
        "postgres://u:p@h/db",
        "postgresql://h/db",
        " POSTGRES://h/db",
    ] {
        assert!(is_database_url(url), "{url}");
    }
    for dir in ["data", "/var/lib/callboard", "postgres", "./postgres://x"] {
        assert!(!is_database_url(dir), "{dir}");
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_location(dir.path().to_str().unwrap())
        .await
        .unwrap();
    assert_eq!(store.location(), dir.path().display().to_string());
    assert!(store.postgres().is_none());
    // With sled the group guard is the journal's in-process lock: nothing to wait for.
    let first = store.group_guard(7).await.unwrap();
    let second = store.group_guard(7).await.unwrap();
    assert!(matches!(
        (first, second),
        (GroupGuard::Sled, GroupGuard::Sled)
    ));
}

on_every_engine! {
    #[tokio::test]
    async fn the_location_never_shows_a_password(store, guard) {
        let shown = store.location();
        assert!(!shown.is_empty());
        // Anything shown as a password is already `***`.
        assert_eq!(pg::redact_url(&shown), shown);
        drop(store.group_guard(3).await.unwrap());
        drop(store.group_guard(3).await.unwrap());
    }
}
