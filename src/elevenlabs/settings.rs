//! How to reach ElevenLabs: the `[elevenlabs]` settings, declared once (the config file is
//! read straight into this struct; what the file leaves out keeps its default).

use serde::Deserialize;

use crate::secret::Secret;

/// The public ElevenLabs API.
pub const DEFAULT_ELEVENLABS_URL: &str = "https://api.elevenlabs.io";

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientSettings {
    pub api_key: Option<Secret>,
    pub base_url: String,
    pub connect_timeout_secs: u64,
    pub request_timeout_secs: u64,
    pub max_retries: u32,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: DEFAULT_ELEVENLABS_URL.to_string(),
            connect_timeout_secs: 5,
            request_timeout_secs: 30,
            max_retries: 3,
        }
    }
}
