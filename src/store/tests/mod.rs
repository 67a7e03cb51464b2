//! The store's behaviour tests, by topic, each run on every engine (`on_every_engine!`:
//! `NAME::sled` and `NAME::postgres`); `draft` makes a client to add.

/// Declares a store test once and runs it on every engine: a module `NAME` with the tests
/// `sled` and `postgres`, each given a fresh store (`$store`) and what keeps its data
/// (`$guard`). PostgreSQL is skipped loudly without `CALLBOARD_TEST_DATABASE_URL` (and
/// fails in CI).
macro_rules! on_every_engine {
    ($(#[$attr:meta])+ async fn $name:ident($store:ident, $guard:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use crate::store::testing::{TestEngine, fresh_on};

            $(#[$attr])+
            async fn sled() {
                let Some(($store, $guard)) = fresh_on(TestEngine::Sled, module_path!()).await
                else {
                    return;
                };
                let _ = &$guard;
                $body
            }

            $(#[$attr])+
            async fn postgres() {
                let Some(($store, $guard)) =
                    fresh_on(TestEngine::Postgres, module_path!()).await
                else {
                    return;
                };
                let _ = &$guard;
                $body
            }
        }
    };
}

mod batches;
mod clients;
mod group_setup;
mod groups;
mod optouts_audit;
mod reopen;
mod users;

use super::*;
use crate::domain::import::parse_clients;
use crate::domain::phone::Region;
use crate::domain::{BatchRecord, ClientDraft, ConversationDetails, TranscriptLine};
use crate::store::testing::reopen;
use std::collections::BTreeMap;

fn draft(name: &str, phone: &str) -> ClientDraft {
    ClientDraft {
        name: name.into(),
        phone: phone.into(),
        ..Default::default()
    }
}
