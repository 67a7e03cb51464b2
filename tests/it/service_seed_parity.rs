//! Seed parity against real `callboard sim` and `callboard serve` processes: the call
//! start logs each phone's formatting and answers ElevenLabs' batch JSON whole (fields
//! callboard does not model included); `audio_url` is an absolute link of this service
//! (its configured public address); `retried_count` is what ElevenLabs re-dialled, not
//! callboard's guess that voicemail is re-dialled too.

use crate::support::process::{self, Proc, get, post, until};
use serde_json::{Value, json};

const PUBLIC: &str = "https://calls.example.co";

async fn status(svc: &Proc, batch: &str) -> Value {
    get(&svc.url, &format!("/api/batch-calls/{batch}/status"))
        .await
        .1["data"]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_start_retry_and_audio_links_say_what_elevenlabs_did() {
    // Re-dials failed calls only (voicemail stays), as ElevenLabs may.
    let sim = process::sim(&[
        "--speed",
        "600",
        "--seed",
        "5",
        "--pickup-rate",
        "0.4",
        "--voicemail-rate",
        "0.3",
        "--no-voicemail-retry",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let svc = process::serve_with(
        dir.path(),
        &sim.url,
        1,
        "",
        &[("CALLBOARD_PUBLIC_URL", PUBLIC)],
        Some(&log),
    );
    let (s, g) = post(
        &svc.url,
        "/api/groups",
        json!({"name": "Paridad", "variables": {"especialidad": "x", "ciudad": "y"}}),
    )
    .await;
    assert_eq!(s, 201, "{g}");
    let gid = g["data"]["id"].as_u64().unwrap();
    // Phones as supervisors write them (the seed's examples), and 16 plain ones.
    let mut clients = vec![
        json!({"name": "Guiones", "phone": "300-555-0001"}),
        json!({"name": "Paréntesis", "phone": "(300) 555-0002"}),
        json!({"name": "Con país", "phone": "57 300 555 0003"}),
        json!({"name": "Ya correcto", "phone": "+573005550004"}),
    ];
    clients.extend(
        (5..21).map(|i| json!({"name": format!("C{i}"), "phone": format!("30055500{i:02}")})),
    );
    let (s, r) = post(
        &svc.url,
        &format!("/api/groups/{gid}/clients"),
        json!(clients),
    )
    .await;
    assert_eq!(s, 201, "{r}");

    let phone = process::phone_id(&svc.url).await;
    let (s, start) = post(
        &svc.url,
        &format!("/api/groups/{gid}/call"),
        json!({"userId": 19, "agentPhoneNumberId": phone}),
    )
    .await;
    assert_eq!(s, 200, "{start}");
    let data = &start["data"];
    let batch = data["batchId"].as_str().unwrap().to_string();
    // ElevenLabs' answer whole: a field callboard does not model is still there.
    assert!(
        data["batchData"]["sim_clock_unix"].is_i64(),
        "batchData kept the unknown field: {}",
        data["batchData"]
    );
    assert_eq!(data["batchData"]["id"], batch);

    // Each phone's formatting is in the service's log.
    let logged = std::fs::read_to_string(&log).unwrap();
    for (raw, e164) in [
        ("300-555-0001", "+573005550001"),
        ("(300) 555-0002", "+573005550002"),
        ("57 300 555 0003", "+573005550003"),
        ("+573005550004", "+573005550004"),
    ] {
        assert!(
            logged.lines().any(|l| l.contains("phone formatted")
                && l.contains(&format!("raw=\"{raw}\""))
                && l.contains(&format!("e164={e164}"))),
            "{raw} → {e164} not logged:\n{logged}"
        );
    }

    let done = until(120, "the batch ends", || async {
        let v = status(&svc, &batch).await;
        matches!(
            v["status"].as_str(),
            Some("completed" | "partially_completed")
        )
        .then_some(v)
    })
    .await;
    let recipients = done["recipients"].as_array().unwrap();
    // Audio links: absolute, at the configured public address.
    let audio: Vec<&str> = recipients
        .iter()
        .filter_map(|r| r["audio_url"].as_str())
        .collect();
    assert!(!audio.is_empty(), "some calls were answered: {done}");
    for a in &audio {
        assert!(
            a.starts_with(&format!("{PUBLIC}/api/conversations/")),
            "{a}"
        );
    }
    // The same audio, fetched through the link's path on this service.
    let path = audio[0].strip_prefix(PUBLIC).unwrap();
    let resp = process::http()
        .get(format!("{}{path}", svc.url))
        .bearer_auth(process::ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);

    // The live stream's links too, in both kinds of events.
    for view in ["", "?view=delta"] {
        let text = process::http()
            .get(format!(
                "{}/api/batch-calls/{batch}/status/stream{view}",
                svc.url
            ))
            .bearer_auth(process::ADMIN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let links: Vec<&str> = text
            .split("\"audio_url\":\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap())
            .collect();
        assert!(!links.is_empty(), "stream{view}: {text}");
        for l in links {
            assert!(
                l.starts_with(&format!("{PUBLIC}/api/conversations/")),
                "stream{view}: {l}"
            );
        }
    }

    let count = |s: &str| recipients.iter().filter(|r| r["status"] == s).count();
    let (failed, voicemail) = (count("failed"), count("voicemail"));
    assert!(
        failed > 0 && voicemail > 0,
        "the check needs both: {failed} failed, {voicemail} voicemail"
    );
    let (s, retry) = post(
        &svc.url,
        &format!("/api/batch-calls/{batch}/retry"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200, "{retry}");
    assert_eq!(
        retry["data"]["retried_count"], failed,
        "ElevenLabs re-dialled the {failed} failed calls, not the {voicemail} voicemails"
    );
    drop(svc);
    drop(sim);
}
