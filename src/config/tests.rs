//! Loading: file, environment, the example file, and the errors that name line and key.

use super::*;
use crate::domain::RecipientStatus;
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
    let text = include_str!("../../config.example.toml");
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

#[test]
fn a_section_given_in_part_keeps_the_defaults_of_the_rest() {
    let cfg = load_with(
        "[tui]\nserver = \"http://x:1\"\n[service]\npoll_interval_ms = 700\n[elevenlabs]\nmax_retries = 5\n",
        &[],
    )
    .unwrap();
    let d = Config::defaults();
    assert_eq!(cfg.tui.server.as_deref(), Some("http://x:1"));
    assert_eq!(cfg.tui.poll_interval_ms, d.tui.poll_interval_ms);
    assert_eq!(cfg.service.poll_interval_ms, 700);
    assert_eq!(cfg.service.keepalive_secs, d.service.keepalive_secs);
    assert_eq!(cfg.elevenlabs.max_retries, 5);
    assert_eq!(cfg.elevenlabs.base_url, d.elevenlabs.base_url);
    assert!(!cfg.tui.export_dir.as_os_str().is_empty());
}

#[test]
fn webhook_secret_from_the_environment_never_printed_and_path_checked() {
    let cfg = load_with("", &[("ELEVENLABS_WEBHOOK_SECRET", " wsec_from_env ")]).unwrap();
    assert_eq!(cfg.webhooks.secret().unwrap().expose(), "wsec_from_env");
    assert!(cfg.webhooks.pace().is_some(), "a secret turns webhooks on");
    assert!(
        !format!("{cfg:?}").contains("wsec_from_env"),
        "redacted in Debug"
    );
    assert!(
        Config::defaults().webhooks.pace().is_none(),
        "off without a secret"
    );
    let err = load_with("[webhooks]\npath = \"/api/groups\"\n", &[]).unwrap_err();
    assert!(err.to_string().contains("webhooks.path"), "{err}");
}

#[test]
fn database_url_from_file_or_environment_never_printed_and_checked() {
    let d = load_with("", &[]).unwrap();
    assert!(
        matches!(d.store_location(), StoreLocation::Dir(ref p) if *p == d.data_dir),
        "sled in the data directory by default"
    );
    let cfg = load_with(
        "[store]\nurl = \"postgres://cb:file-pass@db:5432/cb\"\n",
        &[(
            "CALLBOARD_DATABASE_URL",
            "postgres://cb:env-pass@db2:5432/cb",
        )],
    )
    .unwrap();
    match cfg.store_location() {
        StoreLocation::Database(url) => {
            assert_eq!(url.expose(), "postgres://cb:env-pass@db2:5432/cb")
        }
        other => panic!("the environment's database, got {other:?}"),
    }
    let shown = format!("{cfg:?} {:?}", cfg.service_options());
    assert!(
        !shown.contains("env-pass") && !shown.contains("file-pass"),
        "{shown}"
    );
    let err = load_with("[store]\nurl = \"mysql://x@y/z\"\n", &[]).unwrap_err();
    assert!(
        err.to_string().contains("store.url") && err.to_string().contains("postgres://"),
        "{err}"
    );
}
