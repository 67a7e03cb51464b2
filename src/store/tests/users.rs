//! Users and their tokens: ids, hashing, rotation and revocation.

use super::*;

on_every_engine! {
    #[tokio::test]
    async fn users_round_trip_and_tokens_are_hashed(store, guard) {
        let (u, token) = store
            .add_user("Ana", Some("agent_1"), Some(19))
            .await
            .unwrap();
        assert_eq!(u.id, 19);
        assert_ne!(u.token_hash, token.expose());
        assert_eq!(
            store.user_by_token(token.expose()).await.unwrap(),
            Some(u.clone())
        );
        assert_eq!(store.user_by_token("cb_wrong").await.unwrap(), None);
        let (u2, _) = store.add_user("Beto", None, None).await.unwrap();
        assert_eq!(u2.id, 20, "ids continue above explicit ones");
        assert!(matches!(
            store.add_user("Dup", None, Some(19)).await,
            Err(StoreError::Conflict(_))
        ));
    }
}

on_every_engine! {
    #[tokio::test]
    async fn tokens_rotate_and_revoke(store, guard) {
        let (u, old) = store.add_user("Ana", None, None).await.unwrap();
        let (_, new) = store.rotate_token(u.id, None).await.unwrap().unwrap();
        assert_eq!(
            store.user_by_token(old.expose()).await.unwrap(),
            None,
            "old token dead"
        );
        let found = store
            .user_by_token(&format!(" {} ", new.expose()))
            .await
            .unwrap();
        assert_eq!(found.map(|u| u.id), Some(u.id), "compared trimmed");
        store.revoke_token(u.id).await.unwrap().unwrap();
        assert_eq!(store.user_by_token(new.expose()).await.unwrap(), None);
        assert!(store.rotate_token(999, None).await.unwrap().is_none());
    }
}
