//! The do-not-call list (opt-outs), keyed by E.164 phone. An import only adds: nothing
//! ever removes an opt-out except an explicit, audited removal.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::Store;
use super::error::Result;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptOut {
    pub phone_number: String,
    /// Why (e.g. "RNE", "pidió no ser llamado").
    pub reason: String,
    /// Where it came from: `import:FILE`, `api`, `tui`.
    pub source: String,
    pub added_at: DateTime<Utc>,
}

impl Store {
    /// Adds opt-outs; ones already present are kept as they are. Returns how many were new.
    pub async fn add_optouts(&self, entries: &[OptOut]) -> Result<usize> {
        on_engine!(self.add_optouts(entries))
    }

    pub async fn optout(&self, phone_e164: &str) -> Result<Option<OptOut>> {
        on_engine!(self.optout(phone_e164))
    }

    pub async fn optouts(&self) -> Result<Vec<OptOut>> {
        on_engine!(self.optouts())
    }

    /// phone → reason, for the pre-flight check.
    pub async fn optout_map(&self) -> Result<HashMap<String, String>> {
        on_engine!(self.optout_map())
    }

    /// Removes one opt-out (an explicit decision, to be audited by the caller).
    pub async fn remove_optout(&self, phone_e164: &str) -> Result<bool> {
        on_engine!(self.remove_optout(phone_e164))
    }
}
