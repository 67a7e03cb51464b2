//! Tests of what only the PostgreSQL engine has: the schema's version check, the group
//! guard across processes (pools), the database's one-pending-intent rule, imports in
//! one statement. Each test has a database of its own (`testing::fresh_pg`) and skips
//! loudly without `CALLBOARD_TEST_DATABASE_URL`.

mod behaviour;
mod engine;
mod journal;

use super::PgStore;
use super::testing::{fresh_db, fresh_pg};
