//! Settings: defaults < config file < environment < flags. Every setting is documented in
//! `config.example.toml`; a broken file is reported with its path, line and key.

use chrono_tz::Tz;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use thiserror::Error;

pub use crate::domain::Lang;
use crate::domain::RecipientStatus;
use crate::domain::phone::Region;
use crate::domain::policy::{CircuitBreaker, RetryPolicy};
use crate::domain::rules::RulePack;
use crate::secret::Secret;

/// The public ElevenLabs API.
pub const DEFAULT_ELEVENLABS_URL: &str = "https://api.elevenlabs.io";

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the store lives.
    pub data_dir: PathBuf,
    /// Region for phones written without a country code.
    pub region: Region,
    /// Whether every group may dial numbers of other countries (by default only groups
    /// created with `otherCountries: true` do; the rest dial only in `region`).
    pub other_countries: bool,
    /// Used for call names and calling windows.
    pub timezone: Tz,
    pub lang: Lang,
    pub elevenlabs: ElevenLabsConfig,
    pub service: ServiceConfig,
    pub tui: TuiConfig,
    pub campaign: CampaignConfig,
    /// The file the settings came from, if any.
    pub source: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct ElevenLabsConfig {
    pub api_key: Option<Secret>,
    pub base_url: String,
    pub connect_timeout_secs: u64,
    pub request_timeout_secs: u64,
    pub max_retries: u32,
}

#[derive(Debug, Clone)]
pub struct ServiceConfig {
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
}

#[derive(Debug, Clone)]
pub struct TuiConfig {
    pub server: Option<String>,
    pub token: Option<Secret>,
    pub poll_interval_ms: u64,
    /// Where `e`/`E` write exports: the user's download folder when the platform has
    /// one, else `exports` in the data directory.
    pub export_dir: PathBuf,
}

/// Rules every batch follows: calling windows, automatic retries, circuit breaker.
#[derive(Debug, Clone)]
pub struct CampaignConfig {
    /// Calling-window rule pack; None when turned off (`rules = "off"`).
    pub rules: Option<RulePack>,
    /// Default automatic retry policy (a call start may give its own).
    pub retry: RetryPolicy,
    /// None when turned off (`breaker_window = 0`).
    pub breaker: Option<CircuitBreaker>,
}

impl Default for CampaignConfig {
    fn default() -> Self {
        Self {
            rules: Some(RulePack::colombia()),
            // One attempt: no automatic retry unless configured or asked per batch.
            retry: RetryPolicy {
                max_attempts: 1,
                ..RetryPolicy::default()
            },
            breaker: Some(CircuitBreaker::default()),
        }
    }
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

/// The file's shape: every field optional, unknown keys refused (they are typos).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    region: Option<String>,
    other_countries: Option<bool>,
    timezone: Option<String>,
    lang: Option<Lang>,
    #[serde(default)]
    elevenlabs: FileElevenLabs,
    #[serde(default)]
    service: FileService,
    #[serde(default)]
    tui: FileTui,
    #[serde(default)]
    campaign: FileCampaign,
}

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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileElevenLabs {
    api_key: Option<Secret>,
    base_url: Option<String>,
    connect_timeout_secs: Option<u64>,
    request_timeout_secs: Option<u64>,
    max_retries: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileService {
    addr: Option<SocketAddr>,
    admin_token: Option<Secret>,
    poll_interval_ms: Option<u64>,
    sse_timeout_secs: Option<u64>,
    keepalive_secs: Option<u64>,
    enrich_concurrency: Option<usize>,
    max_streams_per_token: Option<usize>,
    max_streams_total: Option<usize>,
    body_limit_bytes: Option<usize>,
    json_body_limit_bytes: Option<usize>,
    max_connections: Option<usize>,
    header_read_timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTui {
    server: Option<String>,
    token: Option<Secret>,
    poll_interval_ms: Option<u64>,
    export_dir: Option<PathBuf>,
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
            elevenlabs: ElevenLabsConfig {
                api_key: None,
                base_url: DEFAULT_ELEVENLABS_URL.to_string(),
                connect_timeout_secs: 5,
                request_timeout_secs: 30,
                max_retries: 3,
            },
            service: ServiceConfig {
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
            },
            tui: TuiConfig {
                server: None,
                token: None,
                poll_interval_ms: 5000,
                export_dir: default_export_dir(&data_dir),
            },
            campaign: CampaignConfig::default(),
            source: None,
        }
    }

    /// Defaults, then the file (`explicit`, or the default path when it exists), then the
    /// environment as read by `env`. Flags are applied by the caller afterwards.
    pub fn load(
        explicit: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut cfg = Self::defaults();
        let path = explicit
            .map(Path::to_path_buf)
            .or_else(|| env("CALLBOARD_CONFIG").map(PathBuf::from))
            .or_else(|| default_config_path().filter(|p| p.exists()));
        if let Some(path) = path {
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            let file: FileConfig = toml::from_str(&text).map_err(|e| invalid(&path, &text, &e))?;
            cfg.apply_file(file, &path)?;
            cfg.source = Some(path);
        }
        cfg.apply_env(env)?;
        Ok(cfg)
    }

    fn apply_file(&mut self, f: FileConfig, path: &Path) -> Result<(), ConfigError> {
        let origin = path.display().to_string();
        if let Some(d) = f.data_dir {
            self.data_dir = d;
        }
        if let Some(r) = f.region {
            self.set_region(&r, &origin)?;
        }
        if let Some(t) = f.timezone {
            self.set_timezone(&t, &origin)?;
        }
        if let Some(l) = f.lang {
            self.lang = l;
        }
        let e = f.elevenlabs;
        set(&mut self.elevenlabs.api_key, e.api_key.map(Some));
        set(&mut self.elevenlabs.base_url, e.base_url);
        set(
            &mut self.elevenlabs.connect_timeout_secs,
            e.connect_timeout_secs,
        );
        set(
            &mut self.elevenlabs.request_timeout_secs,
            e.request_timeout_secs,
        );
        set(&mut self.elevenlabs.max_retries, e.max_retries);
        let s = f.service;
        set(&mut self.service.addr, s.addr);
        set(
            &mut self.service.admin_token,
            s.admin_token.map(|t| Some(Secret::new(t.expose().trim()))),
        );
        set(&mut self.service.poll_interval_ms, s.poll_interval_ms);
        set(&mut self.service.sse_timeout_secs, s.sse_timeout_secs);
        set(&mut self.service.keepalive_secs, s.keepalive_secs);
        set(&mut self.service.enrich_concurrency, s.enrich_concurrency);
        set(
            &mut self.service.max_streams_per_token,
            s.max_streams_per_token,
        );
        set(&mut self.service.max_streams_total, s.max_streams_total);
        set(&mut self.service.body_limit_bytes, s.body_limit_bytes);
        set(
            &mut self.service.json_body_limit_bytes,
            s.json_body_limit_bytes,
        );
        set(&mut self.service.max_connections, s.max_connections);
        set(
            &mut self.service.header_read_timeout_secs,
            s.header_read_timeout_secs,
        );
        set(&mut self.other_countries, f.other_countries);
        let t = f.tui;
        set(&mut self.tui.server, t.server.map(Some));
        set(&mut self.tui.token, t.token.map(Some));
        set(&mut self.tui.poll_interval_ms, t.poll_interval_ms);
        set(&mut self.tui.export_dir, t.export_dir);
        self.apply_campaign(f.campaign, &origin)?;
        self.validate(&origin)
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
            self.set_region(&v, "CALLBOARD_REGION")?;
        }
        if let Some(v) = get("CALLBOARD_TIMEZONE") {
            self.set_timezone(&v, "CALLBOARD_TIMEZONE")?;
        }
        if let Some(v) = get("CALLBOARD_LANG") {
            self.lang = match v.to_ascii_lowercase().as_str() {
                "es" => Lang::Es,
                "en" => Lang::En,
                _ => return Err(value_err("lang", "CALLBOARD_LANG", "use `es` or `en`")),
            };
        }
        if let Some(v) = get("CALLBOARD_RULES") {
            self.set_rules(&v, "CALLBOARD_RULES")?;
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

    fn apply_campaign(&mut self, c: FileCampaign, origin: &str) -> Result<(), ConfigError> {
        if let Some(r) = c.rules {
            self.set_rules(&r, origin)?;
        }
        let retry = &mut self.campaign.retry;
        set(&mut retry.max_attempts, c.retry_max_attempts);
        set(&mut retry.spacing_secs, c.retry_spacing_secs);
        if let Some(outcomes) = c.retry_outcomes {
            retry.outcomes = outcomes
                .iter()
                .map(|o| match RecipientStatus::parse(o) {
                    s @ (RecipientStatus::Failed | RecipientStatus::Voicemail) => Ok(s),
                    _ => Err(value_err(
                        "campaign.retry_outcomes",
                        origin,
                        &format!("`{o}` cannot be retried; use \"failed\" and/or \"voicemail\""),
                    )),
                })
                .collect::<Result<_, _>>()?;
        }
        if c.breaker_window == Some(0) {
            self.campaign.breaker = None;
        } else if let Some(b) = self.campaign.breaker.as_mut() {
            set(&mut b.window, c.breaker_window);
            set(&mut b.threshold, c.breaker_threshold);
            set(&mut b.short_call_secs, c.breaker_short_call_secs);
            if !(0.0..=1.0).contains(&b.threshold) {
                return Err(value_err(
                    "campaign.breaker_threshold",
                    origin,
                    "must be between 0 and 1",
                ));
            }
        }
        Ok(())
    }

    /// `co` (built in), `off`, or the path of a rule-pack TOML file.
    pub fn set_rules(&mut self, value: &str, origin: &str) -> Result<(), ConfigError> {
        self.campaign.rules = match value.trim() {
            "off" | "none" => {
                tracing::warn!("calling windows are off: batches dial at any hour and on holidays");
                None
            }
            "co" | "CO" => Some(RulePack::colombia()),
            path => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    value_err(
                        "campaign.rules",
                        origin,
                        &format!("cannot read {path}: {e}"),
                    )
                })?;
                Some(
                    RulePack::from_toml(&text)
                        .map_err(|e| value_err("campaign.rules", origin, &e.to_string()))?,
                )
            }
        };
        Ok(())
    }

    pub fn set_region(&mut self, value: &str, origin: &str) -> Result<(), ConfigError> {
        self.region = value
            .parse()
            .map_err(|m: String| value_err("region", origin, &m))?;
        Ok(())
    }

    pub fn set_timezone(&mut self, value: &str, origin: &str) -> Result<(), ConfigError> {
        self.timezone = value.parse().map_err(|_| {
            value_err(
                "timezone",
                origin,
                &format!("unknown time zone `{value}`; use an IANA name such as America/Bogota"),
            )
        })?;
        Ok(())
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
