//! The post-call webhook receiver on a real service: the `ElevenLabs-Signature` table
//! (valid, wrong secret, stale, future, tampered, replayed, missing, no secret set), each
//! refusal leaving the cache untouched; the scheme checked against a vector computed
//! outside callboard (Python's `hmac` by hand, and `openssl` at test time); events other
//! than the transcription acknowledged; the body limit.

use crate::support::service::*;
use callboard::elevenlabs::webhook_sig::{self, SIGNATURE_HEADER};
use callboard::secret::Secret;
use serde_json::{Value, json};

const SECRET: &str = "wsec_test_secret_for_the_table_0123";
const PATH: &str = "/api/webhooks/elevenlabs";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn transcription(cid: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": "post_call_transcription",
        "event_timestamp": now(),
        "data": {
            "agent_id": "agent_1", "conversation_id": cid, "status": "done",
            "transcript": [
                {"role": "agent", "message": "Hola", "time_in_call_secs": 0},
                {"role": "user", "message": "Sí, allí estaré", "time_in_call_secs": 3}
            ],
            "metadata": {"start_time_unix_secs": 1767261610, "call_duration_secs": 34,
                         "termination_reason": "Call ended by remote party", "cost": 210},
            "analysis": {"call_successful": "success", "transcript_summary": "Confirmó.",
                         "data_collection_results": {"will_attend": {"data_collection_id": "will_attend", "value": true}}},
            "has_audio": true, "has_user_audio": true, "has_response_audio": true
        }
    }))
    .unwrap()
}

async fn deliver(api: &Api, body: Vec<u8>, signature: Option<String>) -> Reply {
    let mut r = api
        .raw(reqwest::Method::POST, PATH)
        .header("content-type", "application/json")
        .body(body);
    if let Some(s) = signature {
        r = r.header(SIGNATURE_HEADER, s);
    }
    api.send(r).await
}

async fn service(secret: Option<&str>) -> (tempfile::TempDir, callboard::service::ServiceHandle) {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), None);
    cfg.webhooks.secret = secret.map(Secret::new);
    cfg.webhooks.tolerance_secs = 300;
    cfg.webhooks.body_limit_bytes = 64 * 1024;
    let svc = serve(cfg, false, false).await;
    (dir, svc)
}

async fn cached(svc: &callboard::service::ServiceHandle, cid: &str) -> bool {
    svc.state()
        .store()
        .conversation(cid)
        .await
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn only_signed_fresh_untampered_first_deliveries_are_accepted() {
    let (_dir, svc) = service(Some(SECRET)).await;
    let api = Api::new(svc.url(), None);
    let t = now();
    let valid = transcription("conv_valid");
    let valid_sig = webhook_sig::sign(SECRET, t, &valid);
    let tampered = {
        let mut b = transcription("conv_tampered");
        let s = webhook_sig::sign(SECRET, t, &b);
        let text = String::from_utf8(b.clone())
            .unwrap()
            .replace("Confirmó", "Rechazó");
        b = text.into_bytes();
        (b, s)
    };
    type Case = (
        &'static str,
        &'static str,
        Vec<u8>,
        Option<String>,
        u16,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "valid",
            "conv_valid",
            valid.clone(),
            Some(valid_sig.clone()),
            200,
            "",
        ),
        (
            "replay",
            "conv_valid",
            valid.clone(),
            Some(valid_sig.clone()),
            401,
            "webhook_replayed",
        ),
        (
            "wrong secret",
            "conv_wrong",
            transcription("conv_wrong"),
            Some(webhook_sig::sign(
                "wsec_not_ours",
                t,
                &transcription("conv_wrong"),
            )),
            401,
            "webhook_invalid_signature",
        ),
        (
            "stale",
            "conv_stale",
            transcription("conv_stale"),
            Some(webhook_sig::sign(
                SECRET,
                t - 301,
                &transcription("conv_stale"),
            )),
            401,
            "webhook_invalid_signature",
        ),
        (
            "future",
            "conv_future",
            transcription("conv_future"),
            Some(webhook_sig::sign(
                SECRET,
                t + 301,
                &transcription("conv_future"),
            )),
            401,
            "webhook_invalid_signature",
        ),
        (
            "tampered",
            "conv_tampered",
            tampered.0,
            Some(tampered.1),
            401,
            "webhook_invalid_signature",
        ),
        (
            "missing header",
            "conv_missing",
            transcription("conv_missing"),
            None,
            401,
            "webhook_invalid_signature",
        ),
        (
            "malformed header",
            "conv_malformed",
            transcription("conv_malformed"),
            Some("v0=deadbeef".into()),
            401,
            "webhook_invalid_signature",
        ),
    ];
    for (name, cid, body, sig, status, code) in cases {
        let r = deliver(&api, body, sig).await;
        assert_eq!(r.status, status, "{name}: {:?}", r.body);
        if status == 200 {
            assert_eq!(r.body["success"], true, "{name}");
            assert!(cached(&svc, cid).await, "{name}: the transcript is cached");
        } else {
            assert_eq!(r.body["code"], code, "{name}");
            assert!(
                !r.body.to_string().contains(SECRET),
                "{name}: the secret is never echoed"
            );
            if name != "replay" {
                assert!(!cached(&svc, cid).await, "{name}: nothing changed");
            }
        }
    }
    // What the poller will show: the webhook's transcript, summary, duration, analysis.
    let c = svc
        .state()
        .store()
        .conversation("conv_valid")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.transcript.len(), 2);
    assert_eq!(c.summary.as_deref(), Some("Confirmó."));
    assert_eq!(c.duration_secs, Some(34));
    assert_eq!(c.call_successful.as_deref(), Some("success"));
    assert_eq!(c.data_collection["will_attend"], json!(true));
    svc.shutdown().await;
}

#[tokio::test]
async fn other_events_are_acknowledged_failures_recorded_and_big_bodies_refused() {
    let (_dir, svc) = service(Some(SECRET)).await;
    let api = Api::new(svc.url(), None);
    let signed = |v: Value| {
        let body = serde_json::to_vec(&v).unwrap();
        let sig = webhook_sig::sign(SECRET, now(), &body);
        (body, Some(sig))
    };
    let (b, s) =
        signed(json!({"type": "voice_removal_notice", "event_timestamp": now(), "data": {}}));
    assert_eq!(
        deliver(&api, b, s).await.status,
        200,
        "unknown events acknowledged"
    );
    let (b, s) = signed(json!({"type": "post_call_audio", "event_timestamp": now(),
        "data": {"agent_id": "a", "conversation_id": "conv_audio", "full_audio": "SUQz"}}));
    assert_eq!(deliver(&api, b, s).await.status, 200, "audio acknowledged");
    assert!(!cached(&svc, "conv_audio").await, "audio ignored");
    let (b, s) = signed(
        json!({"type": "call_initiation_failure", "event_timestamp": now(),
        "data": {"agent_id": "a", "conversation_id": "conv_busy", "failure_reason": "busy",
                 "metadata": {"type": "sip", "body": {"to_number": "+573001112223", "sip_status_code": 486,
                              "error_reason": "INVITE failed: sip status: 486: Busy Here"}}}}),
    );
    assert_eq!(deliver(&api, b, s).await.status, 200);
    let failed = svc
        .state()
        .store()
        .conversation("conv_busy")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.status, "failed");
    assert!(failed.termination_reason.unwrap().starts_with("busy"));
    // Over the limit: refused before anything is read into the cache.
    let mut big = transcription("conv_big");
    big.extend(std::iter::repeat_n(b' ', 70 * 1024));
    let sig = webhook_sig::sign(SECRET, now(), &big);
    let r = deliver(&api, big, Some(sig)).await;
    assert_eq!(r.status, 413, "{:?}", r.body);
    assert!(!cached(&svc, "conv_big").await);
    svc.shutdown().await;

    // No secret configured: everything refused, and it says what to set.
    let (_dir, svc) = service(None).await;
    let api = Api::new(svc.url(), None);
    let body = transcription("conv_unconfigured");
    let sig = webhook_sig::sign(SECRET, now(), &body);
    let r = deliver(&api, body, Some(sig)).await;
    assert_error(&r, 401, "webhook_not_configured");
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("ELEVENLABS_WEBHOOK_SECRET")
    );
    assert!(!cached(&svc, "conv_unconfigured").await);
    svc.shutdown().await;
}

/// The scheme against vectors made outside callboard: HMAC-SHA256 keyed with the secret
/// over `"<t>.<body>"`, hex. The constant was computed with Python's `hmac` module; the
/// same input is also given to `openssl dgst` now.
#[test]
fn the_signature_matches_independent_hmac_implementations() {
    let body = br#"{"type":"post_call_transcription","event_timestamp":1767261660,"data":{"conversation_id":"conv_vector"}}"#;
    let secret = "wsec_documented_example";
    let header = webhook_sig::sign(secret, 1767261660, body);
    assert_eq!(
        header,
        "t=1767261660,v0=05584f60e5b86f395501d399ff3f6d0265c90de7efa73e1d79ac339102d9c596"
    );
    let mut input = b"1767261660.".to_vec();
    input.extend_from_slice(body);
    let out = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-hmac", secret])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(&input)?;
            c.wait_with_output()
        });
    match out {
        Ok(o) => {
            let text = String::from_utf8_lossy(&o.stdout);
            let hex = text.trim().rsplit(' ').next().unwrap_or_default();
            assert_eq!(
                format!("t=1767261660,v0={hex}"),
                header,
                "openssl says {text}"
            );
        }
        Err(e) => assert!(
            std::env::var("CI").is_err(),
            "openssl is needed under CI=true: {e}"
        ),
    }
    // And it verifies, within the tolerance only.
    assert!(webhook_sig::verify(Some(&header), body, secret, 1767261660 + 5, 300).is_ok());
    assert!(webhook_sig::verify(Some(&header), body, secret, 1767261660 + 301, 300).is_err());
}
