//! Settings: defaults < config file < environment < flags. Every setting is documented in
//! `config.example.toml`; a broken file is reported with its path, line and key.

use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};
use thiserror::Error;

use crate::domain::phone::Region;
use crate::domain::rules::RulePack;
use crate::domain::{CampaignRules, RecipientStatus};
use crate::elevenlabs::ClientSettings;
use crate::secret::Secret;
use crate::service::{ServiceOptions, ServiceSettings};

pub use crate::domain::Lang;
pub use crate::elevenlabs::DEFAULT_ELEVENLABS_URL;

/// Every setting, declared once: the config file is read straight into this struct (and
/// the sections' own structs); what it leaves out keeps the default of `Config::defaults`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the store lives.
    pub data_dir: PathBuf,
    /// Region for phones written without a country code.
    #[serde(deserialize_with = "de_region")]
    pub region: Region,
    /// Whether every group may dial numbers of other countries (by default only groups
    /// created with `otherCountries: true` do; the rest dial only in `region`).
    pub other_countries: bool,
    /// Used for call names and calling windows.
    #[serde(deserialize_with = "de_timezone")]
    pub timezone: Tz,
    pub lang: Lang,
    pub elevenlabs: ClientSettings,
    pub service: ServiceSettings,
    pub tui: TuiConfig,
    #[serde(deserialize_with = "de_campaign")]
    pub campaign: CampaignRules,
    /// The file the settings came from, if any.
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TuiConfig {
    pub server: Option<String>,
    pub token: Option<Secret>,
    pub poll_interval_ms: u64,
    /// Where `e`/`E` write exports: the user's download folder when the platform has
    /// one, else `exports` in the data directory (filled in after loading when unset).
    pub export_dir: PathBuf,
}

/// The `[campaign]` keys as the file writes them (flat); they become `CampaignRules`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCampaign {
    rules: Option<String>,
    retry_max_attempts: Option<u32>,
    retry_outcomes: Option<Vec<String>>,
    retry_spacing_secs: Option<i64>,
    breaker_window: Option<usize>,
    breaker_threshold: Option<f64>,
    breaker_short_call_secs: Option<u64>,
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}, line {line}, key `{key}`: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
    #[error("setting `{key}` (from {origin}): {message}")]
    Value {
        key: String,
        origin: String,
        message: String,
    },
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
            region: Region::COLOMBIA,
            other_countries: false,
            timezone: chrono_tz::America::Bogota,
            lang: Lang::Es,
            elevenlabs: ClientSettings::default(),
            service: ServiceSettings::default(),
            tui: TuiConfig {
                poll_interval_ms: 5000,
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
            region: self.region,
            other_countries: self.other_countries,
            timezone: self.timezone,
            elevenlabs: self.elevenlabs.clone(),
            service: self.service.clone(),
            campaign: self.campaign.clone(),
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
        if let Some(v) = get("CALLBOARD_ADMIN_TOKEN") {
            self.service.admin_token = Some(Secret::new(v.trim()));
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
        if self.service.poll_interval_ms < 100 {
            return Err(value_err(
                "service.poll_interval_ms",
                origin,
                "must be at least 100",
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

/// `co` (built in), `off`, or the path of a rule-pack TOML file.
fn parse_rules(value: &str) -> Result<Option<RulePack>, String> {
    match value.trim() {
        "off" | "none" => {
            tracing::warn!("calling windows are off: batches dial at any hour and on holidays");
            Ok(None)
        }
        "co" | "CO" => Ok(Some(RulePack::colombia())),
        path => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            RulePack::from_toml(&text)
                .map(Some)
                .map_err(|e| e.to_string())
        }
    }
}

fn parse_region(value: &str) -> Result<Region, String> {
    value.parse()
}

fn parse_timezone(value: &str) -> Result<Tz, String> {
    value.parse().map_err(|_| {
        format!("unknown time zone `{value}`; use an IANA name such as America/Bogota")
    })
}

fn de_region<'de, D: Deserializer<'de>>(d: D) -> Result<Region, D::Error> {
    parse_region(&String::deserialize(d)?).map_err(serde::de::Error::custom)
}

fn de_timezone<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
    parse_timezone(&String::deserialize(d)?).map_err(serde::de::Error::custom)
}

fn de_campaign<'de, D: Deserializer<'de>>(d: D) -> Result<CampaignRules, D::Error> {
    campaign_rules(FileCampaign::deserialize(d)?).map_err(serde::de::Error::custom)
}

/// The file's `[campaign]` keys on top of the default rules.
fn campaign_rules(c: FileCampaign) -> Result<CampaignRules, String> {
    let mut out = CampaignRules::default();
    if let Some(r) = c.rules {
        out.rules = parse_rules(&r).map_err(|m| format!("`campaign.rules`: {m}"))?;
    }
    let retry = &mut out.retry;
    set(&mut retry.max_attempts, c.retry_max_attempts);
    set(&mut retry.spacing_secs, c.retry_spacing_secs);
    if let Some(outcomes) = c.retry_outcomes {
        retry.outcomes = outcomes
            .iter()
            .map(|o| match RecipientStatus::parse(o) {
                s @ (RecipientStatus::Failed | RecipientStatus::Voicemail) => Ok(s),
                _ => Err(format!(
                    "`campaign.retry_outcomes`: `{o}` cannot be retried; use \"failed\" and/or \"voicemail\""
                )),
            })
            .collect::<Result<_, _>>()?;
    }
    if c.breaker_window == Some(0) {
        out.breaker = None;
    } else if let Some(b) = out.breaker.as_mut() {
        set(&mut b.window, c.breaker_window);
        set(&mut b.threshold, c.breaker_threshold);
        set(&mut b.short_call_secs, c.breaker_short_call_secs);
        if !(0.0..=1.0).contains(&b.threshold) {
            return Err("`campaign.breaker_threshold` must be between 0 and 1".into());
        }
    }
    Ok(out)
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

fn value_err(key: &str, origin: &str, message: &str) -> ConfigError {
    ConfigError::Value {
        key: key.to_string(),
        origin: origin.to_string(),
        message: message.to_string(),
    }
}

/// Turns a TOML error into one that names the line and the dotted key on it.
fn invalid(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let offset = e.span().map(|s| s.start).unwrap_or(0).min(text.len());
    let line = text[..offset].matches('\n').count() + 1;
    let mut section = String::new();
    let mut key = String::new();
    for (i, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.starts_with('[') {
            section = l.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        }
        if i + 1 == line {
            if let Some((k, _)) = l.split_once('=') {
                key = k.trim().to_string();
            }
            break;
        }
    }
    // Unknown keys are reported by serde with the key's name in backticks.
    let message = e.message().to_string();
    if key.is_empty()
        && let Some(name) = message.split('`').nth(1)
    {
        key = name.to_string();
    }
    let key = match (section.is_empty(), key.is_empty()) {
        (_, true) if !section.is_empty() => section,
        (true, _) => key,
        (false, false) => format!("{section}.{key}"),
        _ => "(file)".to_string(),
    };
    ConfigError::Invalid {
        path: path.to_path_buf(),
        line,
        key,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load_with(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load(Some(&path), |k| env.get(k).cloned())
    }

    #[test]
    fn example_file_is_valid_and_complete() {
        let text = include_str!("../config.example.toml");
        let cfg = load_with(text, &[]).unwrap();
        assert_eq!(cfg.timezone, chrono_tz::America::Bogota);
        // The example documents every key: uncommenting them all still parses.
        let uncommented: String = text
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| r.contains(" = "))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        load_with(&uncommented, &[]).unwrap();
    }

    #[test]
    fn environment_beats_file() {
        let cfg = load_with(
            "[elevenlabs]\nbase_url = \"http://file:1\"\napi_key = \"from_file\"\n",
            &[
                ("ELEVENLABS_BASE_URL", "http://env:2"),
                ("ELEVENLABS_API_KEY", "sk_env"),
            ],
        )
        .unwrap();
        assert_eq!(cfg.elevenlabs.base_url, "http://env:2");
        assert_eq!(cfg.elevenlabs.api_key.as_ref().unwrap().expose(), "sk_env");
        assert!(
            !format!("{cfg:?}").contains("sk_env"),
            "key redacted in Debug"
        );
    }

    #[test]
    fn broken_file_names_line_and_key() {
        let err = load_with(
            "lang = \"es\"\n[service]\npoll_interval_ms = \"fast\"\n",
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("service.poll_interval_ms"), "{err}");
        let err = load_with("[elevenlabs]\napi_kee = \"x\"\n", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("api_kee") && err.contains("line 2"), "{err}");
        let err = load_with("timezone = \"Mars/Base\"\n", &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("timezone") && err.contains("Mars/Base"),
            "{err}"
        );
    }

    #[test]
    fn campaign_settings() {
        let cfg = load_with(
            "[campaign]\nrules = \"off\"\nretry_max_attempts = 3\nretry_outcomes = [\"failed\"]\nbreaker_window = 0\n",
            &[],
        )
        .unwrap();
        assert!(cfg.campaign.rules.is_none());
        assert_eq!(cfg.campaign.retry.max_attempts, 3);
        assert_eq!(cfg.campaign.retry.outcomes, vec![RecipientStatus::Failed]);
        assert!(cfg.campaign.breaker.is_none());
        let cfg = load_with("", &[("CALLBOARD_RULES", "off")]).unwrap();
        assert!(cfg.campaign.rules.is_none());
        assert_eq!(Config::defaults().campaign.rules.unwrap().name, "co");
        let err = load_with("[campaign]\nretry_outcomes = [\"completed\"]\n", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot be retried"), "{err}");
        let err = load_with("[campaign]\nrules = \"/nope.toml\"\n", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("campaign.rules"), "{err}");
    }

    #[test]
    fn missing_explicit_file_is_an_error() {
        let err = Config::load(Some(Path::new("/nonexistent/callboard.toml")), |_| None);
        assert!(matches!(err, Err(ConfigError::Read { .. })));
    }
}
