//! Where the client's time goes on a big batch: parsing one 1,000-recipient
//! `BatchCallDetailedResponse` into the typed model vs into `serde_json::Value` vs only
//! validating it (`IgnoredAny`), on the same bytes, in the same run.
//!
//! Run: `cargo bench --bench elevenlabs_parse` (release profile).

use callboard::elevenlabs::BatchCallDetailedResponse;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn body(n: usize) -> Vec<u8> {
    let recipients: Vec<Value> = (0..n)
        .map(|i| json!({
            "id": format!("rcpt_01{i:026}"), "phone_number": format!("+57300{i:07}"), "whatsapp_user_id": null,
            "status": "completed", "created_at_unix": 1767261600, "updated_at_unix": 1767261755,
            "conversation_id": format!("conv_01{i:026}"),
            "conversation_initiation_client_data": {
                "dynamic_variables": { "name": format!("Dr. {i}"), "especialidad": "Cardiología", "ciudad": "Cali", "email": "x@y.co" },
                "conversation_config_override": { "asr": null, "turn": null, "tts": null, "conversation": null, "agent": null },
                "custom_llm_extra_body": {}, "source_info": { "source": null, "version": null }, "branch_id": null, "environment": null } }))
        .collect();
    serde_json::to_vec(&json!({
        "id": "btcal_1", "phone_number_id": "phnum_1", "phone_provider": "twilio", "whatsapp_params": null, "name": "bench",
        "agent_id": "agent_1", "branch_id": null, "environment": null, "created_at_unix": 1, "scheduled_time_unix": 1,
        "timezone": null, "total_calls_dispatched": n, "total_calls_scheduled": n, "total_calls_finished": n,
        "last_updated_at_unix": 2, "status": "completed", "retry_count": 0,
        "telephony_call_config": { "ringing_timeout_secs": 60, "twilio_call_recording_enabled": false },
        "target_concurrency_limit": null, "agent_name": "A", "branch_name": null, "recipients": recipients
    }))
    .expect("json")
}

fn time(label: &str, bytes: &[u8], f: impl Fn(&[u8])) {
    let mut v: Vec<Duration> = (0..200)
        .map(|_| {
            let t = Instant::now();
            f(bytes);
            t.elapsed()
        })
        .collect();
    v.sort();
    println!(
        "{label:<28} median {:>8.1} µs",
        v[v.len() / 2].as_secs_f64() * 1e6
    );
}

fn main() {
    let bytes = body(1000);
    println!("1,000 recipients, {} bytes", bytes.len());
    for _ in 0..2 {
        time("typed (BatchCallDetailed)", &bytes, |b| {
            std::hint::black_box(
                serde_json::from_slice::<BatchCallDetailedResponse>(b).expect("typed"),
            );
        });
        time("typed, status only", &bytes, |b| {
            let light: callboard::elevenlabs::BatchStatusOnly =
                serde_json::from_slice(b).expect("light");
            std::hint::black_box(BatchCallDetailedResponse::from(light));
        });
        time("serde_json::Value", &bytes, |b| {
            std::hint::black_box(serde_json::from_slice::<Value>(b).expect("value"));
        });
        time("validate only (IgnoredAny)", &bytes, |b| {
            std::hint::black_box(serde_json::from_slice::<serde::de::IgnoredAny>(b).expect("any"));
        });
    }
}
