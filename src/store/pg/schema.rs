//! The schema's versioned migrations, embedded in the binary (`migrations/` at the crate's
//! root, one file a version). They are listed here rather than found by `sqlx::migrate!`:
//! that macro would build sqlx a second time for the compiler (a proc-macro crate and its
//! dependencies), which cost more than the rest of the driver. A test checks that every
//! file of `migrations/` is listed, and listed once.

use futures::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use std::borrow::Cow;

/// (version, file name, SQL), oldest first.
pub(super) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_init.sql",
        include_str!("../../../migrations/0001_init.sql"),
    ),
    (
        2,
        "0002_cluster.sql",
        include_str!("../../../migrations/0002_cluster.sql"),
    ),
    (
        3,
        "0003_batch_heads.sql",
        include_str!("../../../migrations/0003_batch_heads.sql"),
    ),
];

/// The newest migration this binary knows.
pub(super) fn known_version() -> i64 {
    MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0)
}

/// The migrator over the embedded migrations (sqlx keeps a lock while it runs them, so
/// instances starting together apply each once).
pub(super) async fn migrator() -> Result<Migrator, sqlx::migrate::MigrateError> {
    Migrator::new(Embedded).await
}

#[derive(Debug)]
struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> BoxFuture<'s, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, file, sql)| {
                    let description = file
                        .trim_end_matches(".sql")
                        .split_once('_')
                        .map_or(*file, |(_, d)| d)
                        .replace('_', " ");
                    Migration::new(
                        *version,
                        Cow::Owned(description),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    #[test]
    fn every_migration_file_is_listed_once_with_its_version() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS.iter().map(|m| m.1.to_string()).collect();
        assert_eq!(listed, files, "migrations/ and schema::MIGRATIONS differ");
        for (version, file, _) in MIGRATIONS {
            let number: i64 = file.split('_').next().unwrap().parse().unwrap();
            assert_eq!(number, *version, "{file}: its number is its version");
        }
    }
}
