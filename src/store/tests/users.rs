//! Users and their tokens: ids, hashing, rotation and revocation.

use super::*;

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
