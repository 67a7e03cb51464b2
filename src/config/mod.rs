//! Settings: defaults < config file < environment < flags. Every setting is documented in
//! `config.example.toml`; a broken file is reported with its path, line and key.

mod error;
mod parse;

pub use error::ConfigError;

use chrono_tz::Tz;
use serde::Deserialize;

use parse::{invalid, parse_region, parse_rules, parse_timezone, value_err};
use std::path::{Path, PathBuf};

use crate::domain::CampaignRules;
use crate::domain::phone::Region;
use crate::elevenlabs::ClientSettings;
use crate::secret::Secret;
use crate::service::{ServiceOptions, ServiceSettings, WebhookSettings};
use crate::store::{StoreLocation, StoreSettings, is_database_url};

pub use crate::domain::Lang;
pub use crate::elevenlabs::DEFAULT_ELEVENLABS_URL;

/// Every setting, declared once: the config file is read straight into this struct (and
/// the sections' own structs); what it leaves out keeps the default of `Config::defaults`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the store lives (and the logs and exports), unless `[store] url` names a
    /// database.
    pub data_dir: PathBuf,
    pub store: StoreSettings,
    /// Region for phones written without a country code.
    #[serde(deserialize_with = "parse::de_region")]
    pub region: Region,
    /// Whether every group may dial numbers of other countries (by default only groups
    /// created with `otherCountries: true` do; the rest dial only in `region`).
    pub other_countries: bool,
    /// Used for call names and calling windows.
    #[serde(deserialize_with = "parse::de_timezone")]
    pub timezone: Tz,
    pub lang: Lang,
    pub elevenlabs: ClientSettings,
    pub service: ServiceSettings,
    pub webhooks: WebhookSettings,
    pub tui: TuiConfig,
    #[serde(deserialize_with = "parse::de_campaign")]
    pub campaign: CampaignRules,
    /// The file the settings came from, if any.
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TuiConfig {
    pub server: Option<String>,
    pub token: Option<Secret>,
    pub poll_interval_ms: u64,
    /// Where `e`/`E` write exports: the user's download folder when the platform has
    /// one, else `exports` in the data directory (filled in after loading when unset).
    pub export_dir: PathBuf,
}

impl Default for TuiConfig {
    fn default() -> Self {
        Self {
            server: None,
            token: None,
            poll_interval_ms: 5000,
            // Filled in after loading, from the data directory.
            export_dir: PathBuf::new(),
        }
    }
}

/// Default places, from the platform's conventions (XDG on Linux).
fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "callboard")
}

/// Where the config file is looked for when `--config` is not given.
pub fn default_config_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

/// The user's download folder, else `exports` in `data_dir`.
fn default_export_dir(data_dir: &Path) -> PathBuf {
    directories::UserDirs::new()
        .and_then(|u| u.download_dir().map(Path::to_path_buf))
        .unwrap_or_else(|| data_dir.join("exports"))
}

impl Default for Config {
    fn default() -> Self {
        Self::defaults()
    }
}

impl Config {
    /// Built-in defaults only.
    pub fn defaults() -> Self {
        let data_dir = project_dirs()
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".callboard"));
        Self {
            data_dir: data_dir.clone(),
            store: StoreSettings::default(),
            region: Region::COLOMBIA,
            other_countries: false,
            timezone: chrono_tz::America::Bogota,
            lang: Lang::Es,
            elevenlabs: ClientSettings::default(),
            service: ServiceSettings::default(),
            webhooks: WebhookSettings::default(),
            tui: TuiConfig {
                export_dir: default_export_dir(&data_dir),
                ..TuiConfig::default()
            },
            campaign: CampaignRules::default(),
            source: None,
        }
    }

    /// What the service is given (the `serve`, `demo` and `tui --direct` faces start it).
    pub fn service_options(&self) -> ServiceOptions {
        ServiceOptions {
            data_dir: self.data_dir.clone(),
            store: self.store_location(),
            region: self.region,
            other_countries: self.other_countries,
            timezone: self.timezone,
            elevenlabs: self.elevenlabs.clone(),
            service: self.service.clone(),
            webhooks: self.webhooks.clone(),
            campaign: self.campaign.clone(),
        }
    }

    /// The store to open: the database of `[store] url` when set, else the sled directory.
    pub fn store_location(&self) -> StoreLocation {
        match &self.store.url {
            Some(url) => StoreLocation::Database(url.clone()),
            None => StoreLocation::Dir(self.data_dir.clone()),
        }
    }

    /// Defaults, then the file (`explicit`, or the default path when it exists), then the
    /// environment as read by `env`. Flags are applied by the caller afterwards.
    pub fn load(
        explicit: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let path = explicit
            .map(Path::to_path_buf)
            .or_else(|| env("CALLBOARD_CONFIG").map(PathBuf::from))
            .or_else(|| default_config_path().filter(|p| p.exists()));
        let mut cfg = match path {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                let mut cfg: Config =
                    toml::from_str(&text).map_err(|e| invalid(&path, &text, &e))?;
                cfg.validate(&path.display().to_string())?;
                cfg.source = Some(path);
                cfg
            }
            None => Self::defaults(),
        };
        cfg.apply_env(env)?;
        if let Some(t) = &cfg.service.admin_token {
            cfg.service.admin_token = Some(Secret::new(t.expose().trim()));
        }
        if cfg.tui.export_dir.as_os_str().is_empty() {
            cfg.tui.export_dir = default_export_dir(&cfg.data_dir);
        }
        Ok(cfg)
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        if let Some(v) = get("ELEVENLABS_API_KEY") {
            self.elevenlabs.api_key = Some(Secret::new(v.trim()));
        }
        if let Some(v) = get("ELEVENLABS_BASE_URL") {
            self.elevenlabs.base_url = v;
        }
        if let Some(v) = get("ELEVENLABS_WEBHOOK_SECRET") {
            self.webhooks.secret = Some(Secret::new(v.trim()));
        }
        if let Some(v) = get("CALLBOARD_ADMIN_TOKEN") {
            self.service.admin_token = Some(Secret::new(v.trim()));
        }
        if let Some(v) = get("CALLBOARD_PUBLIC_URL") {
            self.service.public_url = Some(v.trim().to_string());
        }
        if let Some(v) = get("CALLBOARD_DATABASE_URL") {
            self.store.url = Some(Secret::new(v.trim()));
        }
        if let Some(v) = get("CALLBOARD_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("CALLBOARD_REGION") {
            self.region =
                parse_region(&v).map_err(|m| value_err("region", "CALLBOARD_REGION", &m))?;
        }
        if let Some(v) = get("CALLBOARD_TIMEZONE") {
            self.timezone =
                parse_timezone(&v).map_err(|m| value_err("timezone", "CALLBOARD_TIMEZONE", &m))?;
        }
        if let Some(v) = get("CALLBOARD_LANG") {
            self.lang = match v.to_ascii_lowercase().as_str() {
                "es" => Lang::Es,
                "en" => Lang::En,
                _ => return Err(value_err("lang", "CALLBOARD_LANG", "use `es` or `en`")),
            };
        }
        if let Some(v) = get("CALLBOARD_RULES") {
            self.campaign.rules =
                parse_rules(&v).map_err(|m| value_err("campaign.rules", "CALLBOARD_RULES", &m))?;
        }
        if let Some(v) = get("CALLBOARD_SERVER") {
            self.tui.server = Some(v);
        }
        if let Some(v) = get("CALLBOARD_TOKEN") {
            self.tui.token = Some(Secret::new(v));
        }
        if let Some(v) = get("CALLBOARD_EXPORT_DIR") {
            self.tui.export_dir = PathBuf::from(v);
        }
        self.validate("the environment")
    }

    fn validate(&self, origin: &str) -> Result<(), ConfigError> {
        let url = &self.elevenlabs.base_url;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(value_err(
                "elevenlabs.base_url",
                origin,
                "must start with http:// or https://",
            ));
        }
        if let Some(u) = &self.service.public_url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            return Err(value_err(
                "service.public_url",
                origin,
                "must start with http:// or https:// (the address clients reach the service at)",
            ));
        }
        if let Some(u) = &self.store.url
            && !is_database_url(u.expose())
        {
            return Err(value_err(
                "store.url",
                origin,
                "must be a PostgreSQL URL: postgres://user:password@host:5432/database",
            ));
        }
        if self.service.poll_interval_ms < 100 {
            return Err(value_err(
                "service.poll_interval_ms",
                origin,
                "must be at least 100",
            ));
        }
        if !self.webhooks.path.starts_with("/api/webhooks/")
            || self.webhooks.path.len() <= "/api/webhooks/".len()
            || !self
                .webhooks
                .path
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b))
        {
            return Err(value_err(
                "webhooks.path",
                origin,
                "must start with /api/webhooks/ and use only letters, digits, / - _ .",
            ));
        }
        if self.service.enrich_concurrency == 0 {
            return Err(value_err(
                "service.enrich_concurrency",
                origin,
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
