//! The use cases between the routes and storage: start a group's calls (with its dry
//! run), retry a finished batch, cancel one, resume a stopped one's undialled recipients.
//! A handler parses its request, calls one function here and answers with what it gets;
//! the rules (the seed's validations, the pre-flight, the idle check, the journal, the
//! audit log) live here once, whoever asks: the HTTP service, `tui --direct` through it.
//! Automatic rounds (retry policies, window continuations, opt-out replacements) are
//! driven by each batch's poller in `monitor/` and go through the same journal.
//!
//! Refusals are `api::ApiError`s: a status, a code and a Spanish message, plain data the
//! service turns into the seed's envelope.

mod access;
mod agent;
mod cancel;
mod current;
pub mod idempotency;
mod optouts;
mod plan;
mod refusal;
mod resume;
mod retry;
mod start;
mod submit;

pub use access::Actor;
pub use agent::{AgentChoice, agent_for, agent_not_found, number_exists, user_with_agent};
pub use idempotency::Key;
pub use refusal::{hub_error, journal_error, not_found_or, unknown};
pub use start::StartAnswer;

use chrono_tz::Tz;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::api::ApiError;
use crate::domain::phone::Region;
use crate::domain::{AuditAction, CampaignRules, GroupId};
use crate::elevenlabs::ElevenLabsClient;
use crate::monitor::{Clock, Hub};
use crate::store::Store;

/// What the use cases are given besides the store and ElevenLabs.
#[derive(Debug, Clone)]
pub struct CampaignSettings {
    /// Time zone of call names, calling windows and "today".
    pub timezone: Tz,
    /// Region of phones written without a country code.
    pub region: Region,
    /// Dial numbers of other countries than the region's.
    pub other_countries: bool,
    /// Rule pack, default retry policy, breaker.
    pub rules: CampaignRules,
}

/// The use cases' shared parts; cheap to clone.
#[derive(Clone)]
pub struct Campaign(Arc<Inner>);

struct Inner {
    settings: CampaignSettings,
    store: Store,
    /// None when no ElevenLabs key is configured: upstream use cases then say so.
    hub: Option<Hub>,
    /// What time calling windows are judged at (the system's, except in tests).
    clock: Clock,
    /// The group of each batch seen lately (never changes once recorded); bounded, see
    /// `BATCH_GROUP_CACHE`.
    batch_groups: Mutex<HashMap<String, GroupId>>,
}

impl Campaign {
    pub fn new(settings: CampaignSettings, store: Store, hub: Option<Hub>, clock: Clock) -> Self {
        Self(Arc::new(Inner {
            settings,
            store,
            hub,
            clock,
            batch_groups: Mutex::new(HashMap::new()),
        }))
    }

    pub fn settings(&self) -> &CampaignSettings {
        &self.0.settings
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// Now, by the service's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.clock.now()
    }

    /// Whether an ElevenLabs client could be built (a key is configured).
    pub fn upstream_configured(&self) -> bool {
        self.0.hub.is_some()
    }

    pub fn hub(&self) -> Result<&Hub, ApiError> {
        self.0.hub.as_ref().ok_or_else(ApiError::upstream_missing)
    }

    pub fn client(&self) -> Result<&ElevenLabsClient, ApiError> {
        self.hub().map(Hub::client)
    }

    /// Appends to the audit log; a failure is logged, never hides the action's result.
    pub async fn audit(
        &self,
        actor: &Actor,
        action: AuditAction,
        target: &str,
        details: serde_json::Value,
    ) {
        self.0
            .store
            .record_action(actor.name(), action, target, details)
            .await;
    }

    /// A date and time as the supervisor reads it, in the campaign's time zone.
    fn local(&self, unix: i64) -> String {
        chrono::DateTime::from_timestamp(unix, 0)
            .unwrap_or_default()
            .with_timezone(&self.0.settings.timezone)
            .format("%d/%m/%Y a las %H:%M")
            .to_string()
    }
}

/// Batches whose group is remembered; past this the cache starts over (a read of the
/// store answers a miss).
const BATCH_GROUP_CACHE: usize = 10_000;

/// A use case's result: the message for the supervisor (Spanish, the seed's words where
/// it has them) and the data.
pub struct Outcome<T> {
    pub message: String,
    pub data: T,
}

impl<T> Outcome<T> {
    pub fn new(message: impl Into<String>, data: T) -> Self {
        Self {
            message: message.into(),
            data,
        }
    }
}
