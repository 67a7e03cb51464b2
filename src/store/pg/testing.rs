//! Test databases: each test gets its own database on the server named by
//! `CALLBOARD_TEST_DATABASE_URL` (never `CALLBOARD_DATABASE_URL`, which `serve` reads),
//! dropped when the test ends. Without the variable the test says loudly that it skipped;
//! in CI (`CI=true`) a missing variable fails the test.

use sqlx::Connection;
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};

use super::PgStore;
use super::url::{redact_url, with_database};

/// The variable the tests read the admin URL from.
pub const TEST_URL_VAR: &str = "CALLBOARD_TEST_DATABASE_URL";

/// The admin URL, or None after a loud skip notice (a panic in CI).
pub fn admin_url(test: &str) -> Option<String> {
    match std::env::var(TEST_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "{test}: CI=true but {TEST_URL_VAR} is not set; set it to a PostgreSQL URL whose role may create databases, e.g. {TEST_URL_VAR}=postgres://USER:PASSWORD@127.0.0.1:5432/postgres"
        ),
        _ => {
            // Straight to the process's stderr: the test harness captures `eprintln!` of
            // passing tests, and a skip must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED (no {TEST_URL_VAR}): {test} needs PostgreSQL"
            );
            None
        }
    }
}

/// A database made for one test; dropped (best effort) with this guard.
pub struct TestDb {
    admin: String,
    name: String,
    /// The URL of the test's database.
    pub url: String,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let shown = name.clone();
        // Its own thread and runtime: a drop may happen inside or outside a runtime.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut c = sqlx::PgConnection::connect(&admin).await.ok()?;
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                sqlx::query(&sql).execute(&mut c).await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("note: test database {shown} was not dropped");
        }
    }
}

/// A new, empty database (no schema yet), or None when the tests skip PostgreSQL.
pub async fn fresh_db(test: &str) -> Option<TestDb> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let admin = admin_url(test)?;
    let name = format!(
        "callboard_t_{}_{}_{:08x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    );
    let mut c = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("{test}: cannot reach {}: {e}", redact_url(&admin)));
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut c)
        .await
        .unwrap_or_else(|e| panic!("{test}: cannot create database {name}: {e}"));
    let url = with_database(&admin, &name);
    Some(TestDb { admin, name, url })
}

/// A connected store on a database of its own, with the guard that drops it; None when
/// the tests skip PostgreSQL.
pub async fn fresh_pg(test: &str) -> Option<(PgStore, TestDb)> {
    let db = fresh_db(test).await?;
    let store = PgStore::connect(&db.url)
        .await
        .unwrap_or_else(|e| panic!("{test}: cannot open the test database: {e}"));
    Some((store, db))
}
