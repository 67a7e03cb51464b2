//! What the service is given: its `[service]` and `[webhooks]` settings (declared once; the config file is
//! read straight into `ServiceSettings`) and the plain options `start` takes, built by the
//! `serve`, `demo` and `tui --direct` faces from the configuration.

use chrono_tz::Tz;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::domain::CampaignRules;
use crate::domain::phone::Region;
use crate::elevenlabs::ClientSettings;
use crate::secret::Secret;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceSettings {
    pub addr: SocketAddr,
    pub admin_token: Option<Secret>,
    pub poll_interval_ms: u64,
    pub sse_timeout_secs: u64,
    pub keepalive_secs: u64,
    pub enrich_concurrency: usize,
    pub max_streams_per_token: usize,
    /// Open SSE streams allowed in all (every caller, `--no-auth` included).
    pub max_streams_total: usize,
    /// Largest body of a CSV import, in bytes.
    pub body_limit_bytes: usize,
    /// Largest JSON body (call start, groups, clients, opt-outs), in bytes.
    pub json_body_limit_bytes: usize,
    /// Open connections allowed at once; one more takes the place of a finished stream's
    /// lingering connection if there is one, else is answered 503 and closed.
    pub max_connections: usize,
    /// A connection that has not sent a whole request head in this time is closed.
    pub header_read_timeout_secs: u64,
    /// The address clients reach the service at (`https://calls.example.co`), for the
    /// links it hands out (`audio_url`); None: the address each request came to.
    pub public_url: Option<String>,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            admin_token: None,
            poll_interval_ms: 3000,
            sse_timeout_secs: 30 * 60,
            keepalive_secs: 15,
            enrich_concurrency: 64,
            max_streams_per_token: 50,
            max_streams_total: 500,
            body_limit_bytes: 8 * 1024 * 1024,
            json_body_limit_bytes: 64 * 1024,
            max_connections: 1024,
            header_read_timeout_secs: 10,
            public_url: None,
        }
    }
}

/// `[webhooks]`: ElevenLabs' post-call webhooks (see the README). Off until a secret is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookSettings {
    /// The webhook's signing secret (`ELEVENLABS_WEBHOOK_SECRET`), as `callboard webhook
    /// setup` printed it. Without it every delivery is refused (401).
    pub secret: Option<Secret>,
    /// Where the receiver listens; must start with `/api/webhooks/`.
    pub path: String,
    /// How far a signature's timestamp may be from now, either way, in seconds.
    pub tolerance_secs: u64,
    /// Largest delivery accepted, in bytes (sized for `post_call_audio`, which callboard
    /// acknowledges and ignores).
    pub body_limit_bytes: usize,
    /// The poll interval while webhooks arrive (they bring each call's end).
    pub poll_interval_ms: u64,
    /// How long a finished call's webhook is waited for before its conversation is
    /// fetched the usual way (the reconciliation of webhooks that never came).
    pub reconcile_after_secs: u64,
}

/// Where the receiver listens unless `[webhooks] path` says otherwise.
pub const DEFAULT_WEBHOOK_PATH: &str = "/api/webhooks/elevenlabs";

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            secret: None,
            path: DEFAULT_WEBHOOK_PATH.into(),
            tolerance_secs: crate::elevenlabs::webhook_sig::DEFAULT_TOLERANCE_SECS,
            body_limit_bytes: 20 * 1024 * 1024,
            poll_interval_ms: 15_000,
            reconcile_after_secs: 60,
        }
    }
}

impl WebhookSettings {
    /// The secret, when one is set.
    pub fn secret(&self) -> Option<&Secret> {
        self.secret.as_ref().filter(|s| !s.is_empty())
    }

    /// The pollers' pace with webhooks on; None when they are off (no secret).
    pub fn pace(&self) -> Option<crate::monitor::WebhookPace> {
        self.secret()?;
        Some(crate::monitor::WebhookPace {
            poll_interval: std::time::Duration::from_millis(self.poll_interval_ms.max(100)),
            reconcile_after: std::time::Duration::from_secs(self.reconcile_after_secs),
        })
    }
}

/// Everything the service reads from the configuration, as plain values.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// Where the logs and the demo's token file live (and the store, unless it is a
    /// database).
    pub data_dir: PathBuf,
    /// The store to open.
    pub store: crate::store::StoreLocation,
    /// Region for phones written without a country code.
    pub region: Region,
    /// Whether every group may dial numbers of other countries.
    pub other_countries: bool,
    /// Used for call names and calling windows.
    pub timezone: Tz,
    pub elevenlabs: ClientSettings,
    pub service: ServiceSettings,
    pub webhooks: WebhookSettings,
    pub campaign: CampaignRules,
}
