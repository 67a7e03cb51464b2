//! Turning the words of the file and the environment into settings: regions, time zones,
//! rule packs, the `[campaign]` keys, and TOML errors that name the line and the key.

use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};
use std::path::Path;

use super::error::ConfigError;
use crate::domain::phone::Region;
use crate::domain::rules::RulePack;
use crate::domain::{CampaignRules, RecipientStatus};

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

/// `co` (built in), `off`, or the path of a rule-pack TOML file.
pub(super) fn parse_rules(value: &str) -> Result<Option<RulePack>, String> {
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

pub(super) fn parse_region(value: &str) -> Result<Region, String> {
    value.parse()
}

pub(super) fn parse_timezone(value: &str) -> Result<Tz, String> {
    value.parse().map_err(|_| {
        format!("unknown time zone `{value}`; use an IANA name such as America/Bogota")
    })
}

pub(super) fn de_region<'de, D: Deserializer<'de>>(d: D) -> Result<Region, D::Error> {
    parse_region(&String::deserialize(d)?).map_err(serde::de::Error::custom)
}

pub(super) fn de_timezone<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
    parse_timezone(&String::deserialize(d)?).map_err(serde::de::Error::custom)
}

pub(super) fn de_campaign<'de, D: Deserializer<'de>>(d: D) -> Result<CampaignRules, D::Error> {
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

pub(super) fn value_err(key: &str, origin: &str, message: &str) -> ConfigError {
    ConfigError::Value {
        key: key.to_string(),
        origin: origin.to_string(),
        message: message.to_string(),
    }
}

/// Turns a TOML error into one that names the line and the dotted key on it.
pub(super) fn invalid(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
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
