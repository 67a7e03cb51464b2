//! The store's unit tests, by topic; `draft` makes a client to add.

mod batches;
mod group_setup;
mod groups;
mod optouts_audit;
mod reopen;
mod users;

use super::*;
use crate::domain::import::parse_clients;
use crate::domain::phone::Region;
use crate::domain::{BatchRecord, ClientDraft, ConversationDetails, TranscriptLine};
use crate::store::testing::{fresh_store, reopen};
use std::collections::BTreeMap;

fn draft(name: &str, phone: &str) -> ClientDraft {
    ClientDraft {
        name: name.into(),
        phone: phone.into(),
        ..Default::default()
    }
}
