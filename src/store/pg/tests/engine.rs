//! Connecting: a newer schema is refused before anything runs, a bad URL is reported
//! without its password; the group guard serializes two pools.

use super::*;
use crate::store::error::StoreError;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[tokio::test]
async fn a_database_with_a_newer_migration_is_refused_before_anything_runs() {
    let Some(db) = fresh_db("newer_schema").await else {
        return;
    };
    let store = PgStore::connect(&db.url).await.unwrap();
    assert_eq!(
        store.schema_version().await.unwrap() as i64,
        PgStore::known_schema_version()
    );
    let newer = PgStore::known_schema_version() + 1;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, 'from a newer callboard', true, '\\x00', 0)",
    )
    .bind(newer)
    .execute(store.pool())
    .await
    .unwrap();
    store.pool().close().await;
    let err = PgStore::connect(&db.url).await.unwrap_err();
    assert!(
        matches!(err, StoreError::NewerDatabase { found, .. } if found == newer),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("upgrade callboard"), "{text}");
    assert!(!text.contains(":callboard@"), "no password in {text}");
}

#[tokio::test]
async fn a_refused_connection_says_where_without_the_password() {
    // Nothing listens on port 1: the error names the place, never the password.
    let err = PgStore::connect("postgres://cb:hunter2secret@127.0.0.1:1/db")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(text.contains("postgres://cb:***@127.0.0.1:1/db"), "{text}");
    assert!(!text.contains("hunter2secret"), "{text}");
}

#[tokio::test]
async fn two_pools_take_a_group_guard_one_at_a_time() {
    let Some((a, db)) = fresh_pg("group_guard").await else {
        return;
    };
    let b = PgStore::connect(&db.url).await.unwrap();
    let first = a.group_guard(7).await.unwrap();
    // Another group is free meanwhile, in either pool.
    drop(b.group_guard(8).await.unwrap());
    let released = Arc::new(AtomicBool::new(false));
    let seen = released.clone();
    let waiter = tokio::spawn(async move {
        let _second = b.group_guard(7).await.unwrap();
        seen.load(Ordering::SeqCst)
    });
    // Time for the second pool to get in wrongly; it must still be waiting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiter.is_finished(), "the second guard did not wait");
    released.store(true, Ordering::SeqCst);
    drop(first);
    assert!(
        waiter.await.unwrap(),
        "the second guard was taken before the first was dropped"
    );
    // And the lock is free again for the first pool.
    drop(a.group_guard(7).await.unwrap());
}
