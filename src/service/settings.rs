//! What the service is given: its `[service]` settings (declared once; the config file is
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
    /// Open connections allowed at once; more are answered 503 and closed.
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

/// Everything the service reads from the configuration, as plain values.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// Where the store lives.
    pub data_dir: PathBuf,
    /// Region for phones written without a country code.
    pub region: Region,
    /// Whether every group may dial numbers of other countries.
    pub other_countries: bool,
    /// Used for call names and calling windows.
    pub timezone: Tz,
    pub elevenlabs: ClientSettings,
    pub service: ServiceSettings,
    pub campaign: CampaignRules,
}
