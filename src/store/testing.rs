//! Stores for tests, so one test body runs on every engine: a sled store in a fresh
//! temporary directory, and a PostgreSQL store on a database of its own on the server
//! of `CALLBOARD_TEST_DATABASE_URL` (`pg::testing`: skipped loudly without it, a failure
//! with `CI=true`).

use super::Store;
use super::pg::testing::{TestDb, fresh_pg};

/// The engines a store test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestEngine {
    Sled,
    Postgres,
}

/// Keeps a test store's data alive (a sled store's temporary directory, a test
/// database); the data goes when it is dropped.
pub struct Guard {
    kept: Kept,
}

enum Kept {
    Sled(tempfile::TempDir),
    Postgres(TestDb),
}

/// A new, empty sled store, the engine's name ("sled") and what keeps it alive.
pub async fn fresh_store() -> (&'static str, Store, Guard) {
    let dir = tempfile::tempdir().expect("a temporary directory for a test store");
    let store = Store::open(dir.path()).expect("a fresh sled store opens");
    let kept = Kept::Sled(dir);
    ("sled", store, Guard { kept })
}

/// A new, empty store of `engine` for the test `test`; None when PostgreSQL is skipped
/// (no `CALLBOARD_TEST_DATABASE_URL` outside CI).
pub async fn fresh_on(engine: TestEngine, test: &str) -> Option<(Store, Guard)> {
    match engine {
        TestEngine::Sled => {
            let (_, store, guard) = fresh_store().await;
            Some((store, guard))
        }
        TestEngine::Postgres => {
            let (pg, db) = fresh_pg(test).await?;
            drop(pg);
            let store = Store::connect(&db.url)
                .await
                .expect("the test database opens");
            let kept = Kept::Postgres(db);
            Some((store, Guard { kept }))
        }
    }
}

/// One fresh store per engine this run has (PostgreSQL only with its URL).
pub async fn stores(test: &str) -> Vec<(&'static str, Store, Guard)> {
    let mut all = vec![fresh_store().await];
    if let Some((store, guard)) = fresh_on(TestEngine::Postgres, test).await {
        all.push(("postgres", store, guard));
    }
    all
}

/// The same store opened again after `store` is dropped: what was written must still be
/// there.
pub async fn reopen(store: Store, guard: &Guard) -> Store {
    drop(store);
    match &guard.kept {
        Kept::Sled(dir) => Store::open(dir.path()).expect("the test store opens again"),
        Kept::Postgres(db) => Store::connect(&db.url)
            .await
            .expect("the test database opens again"),
    }
}
