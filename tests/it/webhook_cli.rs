//! `callboard webhook setup` and `callboard webhook test` as processes: setup creates the
//! workspace webhook at the simulator (ElevenLabs' endpoint), attaches it to the post-call
//! events and prints its secret once; test sends a signed sample that a running service
//! accepts with that secret and refuses with any other.

use crate::support::process::{self, KEY, upstream};
use std::process::Command;

fn callboard(config: &std::path::Path, args: &[&str], envs: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_callboard"));
    cmd.arg("--config")
        .arg(config)
        .args(args)
        .env_remove("ELEVENLABS_WEBHOOK_SECRET")
        .env_remove("ELEVENLABS_API_KEY")
        .env_remove("ELEVENLABS_BASE_URL");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("callboard runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_creates_and_attaches_the_webhook_and_test_needs_its_secret() {
    let sim = process::sim(&[]);
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let (ok, out) = callboard(
        &empty,
        &[
            "webhook",
            "setup",
            "--url",
            "https://callboard.example.test",
        ],
        &[
            ("ELEVENLABS_API_KEY", KEY),
            ("ELEVENLABS_BASE_URL", &sim.url),
        ],
    );
    assert!(ok, "{out}");
    let field = |name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("{name} in {out}"))
    };
    let id = field("webhook_id:");
    let secret = field("secret (shown once / se muestra una sola vez):");
    assert!(!secret.is_empty());
    let hooks = upstream(&sim.url, "/v1/workspace/webhooks").await;
    assert_eq!(hooks["webhooks"][0]["webhook_id"], id.as_str());
    assert_eq!(
        hooks["webhooks"][0]["webhook_url"],
        "https://callboard.example.test/api/webhooks/elevenlabs"
    );
    let settings = upstream(&sim.url, "/v1/convai/settings").await;
    assert_eq!(settings["webhooks"]["post_call_webhook_id"], id.as_str());
    assert_eq!(
        settings["webhooks"]["events"],
        serde_json::json!(["transcript", "call_initiation_failure"])
    );

    // The service started with that secret accepts the signed sample; another secret is refused.
    let svc = process::serve(
        dir.path(),
        &sim.url,
        &format!("[webhooks]\nsecret = \"{secret}\"\n"),
    );
    let url = format!("{}/api/webhooks/elevenlabs", svc.url);
    let (ok, out) = callboard(
        &empty,
        &["webhook", "test", "--url", &url],
        &[("ELEVENLABS_WEBHOOK_SECRET", &secret)],
    );
    assert!(ok, "{out}");
    assert!(out.contains("200"), "{out}");
    let (ok, out) = callboard(
        &empty,
        &["webhook", "test", "--url", &url],
        &[("ELEVENLABS_WEBHOOK_SECRET", "wsec_someone_else")],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("401") && out.contains("webhook_invalid_signature"),
        "{out}"
    );
    assert!(
        !out.contains("wsec_someone_else"),
        "the secret is not printed: {out}"
    );
}
