//! What the pre-flight check answers: `Preflight` (who is dialled, who is left out and
//! why), `WindowCheck` (the calling window at the start) and `Estimate` (time and cost).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::model::{SkippedClient, SubmittedRecipient};
use crate::domain::policy::RetryPolicy;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowCheck {
    /// Whether the requested start is inside the calling window.
    pub open_at_start: bool,
    /// Why not, in Spanish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When dialling would really start (the next opening when closed).
    pub start_at: DateTime<Utc>,
    /// When that window closes; calls not placed by then wait for the next one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<DateTime<Utc>>,
    /// Rule pack used, or None when calling windows are off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_pack: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    pub duration_secs: u64,
    pub finish_at: DateTime<Utc>,
    /// Whether the batch will likely run past the window's close.
    pub exceeds_window: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_max: Option<f64>,
    /// Batches the estimate is based on (0 = defaults).
    pub based_on_batches: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preflight {
    pub recipients: Vec<SubmittedRecipient>,
    /// Left out for good: invalid phone, duplicate, opted out, contacted today.
    pub skipped: Vec<SkippedClient>,
    /// Lacking a variable the agent uses: refused unless the caller asks to skip them.
    pub incomplete: Vec<SkippedClient>,
    pub agent_variables: Vec<String>,
    pub window: WindowCheck,
    pub estimate: Estimate,
    /// The automatic retry policy the batch would get (the service fills it in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
}
