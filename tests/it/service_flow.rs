//! The seed's whole flow against the simulator: prepare → call → stream to
//! `batch-completed` → status with enrichment → audio → retry → cancel → list; and the
//! guards: idempotency, the 409 on an active batch, missing variables, upstream errors.

use crate::support::service::*;
use serde_json::{Value, json};
use std::time::Duration;

fn counts_sum(v: &Value) -> u64 {
    v["counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum()
}

#[tokio::test]
async fn seed_flow_end_to_end() {
    let sim = sim(600.0, 7).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), false, true).await;
    let token = svc
        .demo_token
        .as_ref()
        .expect("demo user created")
        .expose()
        .to_string();
    let api = Api::new(svc.url(), Some(&token));

    // 1. Prepare the agent with the group's variables.
    let prep = api
        .post("/api/groups/55/prepare-agent", json!({"userId": 19}))
        .await;
    assert_eq!(prep.status, 200, "{:?}", prep.body);
    assert_eq!(prep.body["data"]["agentId"], sim.first_agent_id());
    assert_eq!(prep.body["data"]["missingVariables"], json!([]));
    assert!(
        prep.body["data"]["variables"]
            .as_array()
            .unwrap()
            .contains(&json!("especialidad"))
    );

    // 2. Start the calls (the seed's body), with an idempotency key.
    let phones = api.get("/api/phone-numbers").await;
    let phone_id = phones.body["data"][0]["phone_number_id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"userId": 19, "agentPhoneNumberId": phone_id, "scheduledTimeUnix": null});
    let start = |key: &'static str| {
        let api = api.clone();
        let body = body.clone();
        async move {
            api.send(
                api.raw(reqwest::Method::POST, "/api/groups/55/call")
                    .header("Idempotency-Key", key)
                    .json(&body),
            )
            .await
        }
    };
    let r = start("k-1").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["success"], true);
    assert_eq!(
        r.body["message"],
        "Llamadas iniciadas exitosamente para el grupo \"Médicos Test\""
    );
    let d = &r.body["data"];
    let batch_id = d["batchId"].as_str().unwrap().to_string();
    assert_eq!(
        (d["groupId"].clone(), d["recipientsCount"].clone()),
        (json!(55), json!(14))
    );
    let today = chrono::Utc::now().with_timezone(&chrono_tz::America::Bogota);
    use chrono::Datelike;
    let name = format!(
        "Llamada Médicos Test - {}/{}/{}",
        today.day(),
        today.month(),
        today.year()
    );
    assert_eq!(d["callName"], name);
    assert_eq!(d["skipped"][0]["code"], "invalid_phone");
    assert_eq!(d["batchData"]["id"], batch_id.as_str());
    // The same key replays the first answer; no second batch upstream.
    let again = start("k-1").await;
    assert_eq!(again.body["data"]["batchId"], batch_id.as_str());
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(sim.batches_named(&name), 1);
    // A new key while the batch runs: 409 with the batch id.
    let busy = start("k-2").await;
    assert_error(&busy, 409, "batch_active");
    assert_eq!(busy.body["details"]["batchId"], batch_id.as_str());
    assert_eq!(sim.request_count(SUBMIT_ENDPOINT), 1, "never a second dial");

    // 3. Watch it live to the end.
    let (events, _) = read_sse(open_stream(&api, &batch_id).await, Duration::from_secs(60)).await;
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names.first(), Some(&"connected"), "{names:?}");
    assert_eq!(events[0].retry, Some(5000));
    assert_eq!(events[0].data["batchId"], batch_id.as_str());
    assert_eq!(
        &names[names.len() - 2..],
        ["status-update", "batch-completed"],
        "{names:?}"
    );
    let ids: Vec<u64> = events[1..]
        .iter()
        .filter_map(|e| e.id.as_ref()?.parse().ok())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] <= w[1]), "ids grow: {ids:?}");
    let done = &events.last().unwrap().data;
    assert_eq!(done["message"], "Batch call completed");
    let final_view = &done["data"];
    let final_status = final_view["status"].as_str().unwrap();
    assert!(
        ["completed", "partially_completed"].contains(&final_status),
        "{final_status}"
    );
    assert_eq!(done["finalStatus"], final_status);
    assert_eq!(counts_sum(final_view), 14);
    assert_eq!(final_view["batch_id"], final_view["id"]);
    let update = &events[events.len() - 2].data;
    assert_eq!(
        (update["success"].clone(), update["data"]["status"].clone()),
        (json!(true), json!(final_status))
    );

    // 4. The status, enriched; each conversation fetched once.
    let st = api
        .get(&format!("/api/batch-calls/{batch_id}/status"))
        .await;
    assert_eq!(st.status, 200);
    assert_eq!(
        st.body["message"],
        "Estado del batch call obtenido exitosamente"
    );
    let recips = st.body["data"]["recipients"].as_array().unwrap().clone();
    let completed: Vec<&Value> = recips
        .iter()
        .filter(|r| r["status"] == "completed")
        .collect();
    assert!(!completed.is_empty(), "some calls answered");
    for r in &completed {
        assert!(
            r["transcript"].as_array().is_some_and(|t| !t.is_empty()),
            "{r:?}"
        );
        assert!(
            r["summary"].is_string() && r["duration_secs"].is_u64() && r["call_duration"].is_u64()
        );
        assert!(
            r["variables"]["especialidad"] == "Medicina General",
            "{r:?}"
        );
        // Absolute, at the address the request came to: usable outside the page.
        assert_eq!(
            r["audio_url"],
            format!(
                "{}/api/conversations/{}/audio",
                svc.url(),
                r["conversation_id"].as_str().unwrap()
            )
        );
    }
    // Once each; a conversation fetched while ElevenLabs was still processing it is not
    // cached and is fetched again (a slow machine sees that now and then).
    let fetched = sim.request_count(CONV_ENDPOINT);
    let answered = completed.len() as u64;
    assert!(
        (answered..=2 * answered).contains(&fetched),
        "{fetched} fetches for {answered} answered calls"
    );
    api.get(&format!("/api/batch-calls/{batch_id}/status"))
        .await;
    assert_eq!(
        sim.request_count(CONV_ENDPOINT),
        fetched,
        "second status: 0 fetches"
    );
    // Unchanged since the last answer: 304 without a body.
    let etag = st.headers["etag"].to_str().unwrap().to_string();
    let again = api
        .send(
            api.raw(
                reqwest::Method::GET,
                &format!("/api/batch-calls/{batch_id}/status"),
            )
            .header("if-none-match", &etag),
        )
        .await;
    assert_eq!((again.status, again.body.clone()), (304, json!("")));
    assert_eq!(again.headers["etag"].to_str().unwrap(), etag);
    let audio = reqwest::Client::new()
        .get(completed[0]["audio_url"].as_str().unwrap())
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(audio.status().as_u16(), 200);
    assert!(
        audio.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("audio/")
    );
    assert!(!audio.bytes().await.unwrap().is_empty());

    // 5. Retry the failed ones (or be told there is nothing to retry), then cancel.
    let retryable = recips
        .iter()
        .filter(|r| r["status"] == "failed" || r["status"] == "voicemail")
        .count();
    let retry = api
        .post_empty(&format!("/api/batch-calls/{batch_id}/retry"))
        .await;
    if retryable > 0 {
        assert_eq!(retry.status, 200, "{:?}", retry.body);
        assert_eq!(retry.body["message"], "Batch call reintentado exitosamente");
        assert_eq!(retry.body["data"]["retried_count"], retryable);
        assert_eq!(retry.body["data"]["status"], "retrying");
        let (events, _) =
            read_sse(open_stream(&api, &batch_id).await, Duration::from_secs(60)).await;
        assert_eq!(events.last().unwrap().event, "batch-completed");
    } else {
        assert_error(&retry, 409, "nothing_to_retry");
    }
    assert_error(
        &api.post_empty(&format!("/api/batch-calls/{batch_id}/cancel"))
            .await,
        409,
        "batch_already_final",
    );

    // A scheduled batch on another group, cancelled before anyone is dialled.
    let later = sim.now_unix() + 10 * 86_400;
    let r = api
        .post(
            "/api/groups/56/call",
            json!({"userId": 19, "agentPhoneNumberId": phone_id, "scheduledTimeUnix": later}),
        )
        .await;
    assert_eq!(
        r.status, 422,
        "the first agent needs especialidad: {:?}",
        r.body
    );
    assert_eq!(r.body["code"], "missing_variables");
    let r = api
        .post(
            "/api/groups/56/call",
            json!({"userId": 19, "agentPhoneNumberId": phone_id, "scheduledTimeUnix": later, "skipIncomplete": true}),
        )
        .await;
    assert_error(&r, 422, "no_complete_recipients");
    let mixed = api
        .post(
            "/api/groups",
            json!({"name": "Mixto", "variables": {"especialidad": "Pediatría"}}),
        )
        .await;
    let mid = mixed.body["data"]["id"].as_u64().unwrap();
    api.post(
        &format!("/api/groups/{mid}/clients"),
        json!([
            {"name": "Ana", "phone": "3005550001", "variables": {"ciudad": "Cali"}},
            {"name": "Beto", "phone": "3005550002"},
            {"name": "Carla", "phone": "3005550003", "variables": {"ciudad": "Pasto"}}
        ]),
    )
    .await;
    let call = format!("/api/groups/{mid}/call");
    let r = api
        .post(
            &call,
            json!({"userId": 19, "agentPhoneNumberId": phone_id, "scheduledTimeUnix": later}),
        )
        .await;
    assert_error(&r, 422, "missing_variables");
    assert_eq!(r.body["details"]["recipients"][0]["name"], "Beto");
    assert_eq!(
        r.body["details"]["recipients"][0]["missing"],
        json!(["ciudad"])
    );
    let r = api
        .post(&call, json!({"userId": 19, "agentPhoneNumberId": phone_id, "scheduledTimeUnix": later, "skipIncomplete": true}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["data"]["recipientsCount"], 2);
    assert_eq!(r.body["data"]["skipped"][0]["code"], "missing_variables");
    let scheduled = r.body["data"]["batchId"].as_str().unwrap().to_string();
    let c = api
        .post_empty(&format!("/api/batch-calls/{scheduled}/cancel"))
        .await;
    assert_eq!(c.status, 200, "{:?}", c.body);
    assert_eq!(c.body["message"], "Batch call cancelado exitosamente");
    assert_eq!(
        c.body["data"],
        json!({"batch_id": scheduled, "status": "cancelled", "cancelled_count": 2})
    );

    // 6. The list: newest first, the seed's fields.
    let list = api.get("/api/batch-calls").await;
    assert_eq!(
        list.body["message"],
        "Lista de batch calls obtenida exitosamente"
    );
    let items = list.body["data"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["batch_id"], scheduled.as_str());
    assert_eq!(items[0]["status"], "cancelled");
    assert_eq!(items[1]["batch_id"], batch_id.as_str());
    assert_eq!(items[1]["call_name"], name);
    assert_eq!(items[1]["recipients_count"], 14);
    assert!(items[1]["created_at"].as_str().unwrap().ends_with('Z'));

    svc.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn upstream_errors_are_translated_and_never_leak_the_key() {
    // The simulator accepts only its own key: ours is refused with 401.
    let sim = callboard::sim::start(
        callboard::sim::SimOptions {
            api_key: Some("sk_the_right_one".into()),
            ..Default::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), true, false).await;
    let api = Api::new(svc.url(), None);
    let r = api.get("/api/phone-numbers").await;
    assert_error(&r, 502, "upstream_auth");
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("clave de elevenlabs inválida")
    );
    assert!(
        !r.body.to_string().contains("sk_test_never_shown"),
        "key never echoed"
    );
    svc.shutdown().await;
    sim.shutdown().await;

    // Rate limited upstream: 503 with a retry hint.
    let sim = sim_with_faults(callboard::sim::FaultConfig {
        rate_limit_rate: 1.0,
        retry_after_secs: Some(7),
        endpoints: vec!["GET /v1/convai/phone-numbers".into()],
        ..Default::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), true, false).await;
    let r = Api::new(svc.url(), None).get("/api/phone-numbers").await;
    assert_error(&r, 503, "upstream_rate_limited");
    assert_eq!(r.headers["retry-after"], "7");
    let api = Api::new(svc.url(), None);
    let agents = api.get("/api/agents").await;
    assert_eq!(agents.status, 200, "other endpoints unaffected");
    // A batch ElevenLabs does not know: 404 on status, an error event then the end on SSE.
    for _ in 0..3 {
        assert_error(
            &api.get("/api/batch-calls/btcal_nope/status").await,
            404,
            "batch_not_found",
        );
    }
    let (events, _) = read_sse(
        open_stream(&api, "btcal_nope").await,
        Duration::from_secs(10),
    )
    .await;
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names, ["connected", "error"]);
    assert_eq!(events[1].data["code"], "upstream_not_found");
    svc.shutdown().await;
    sim.shutdown().await;
}

async fn sim_with_faults(faults: callboard::sim::FaultConfig) -> callboard::sim::SimHandle {
    callboard::sim::start(
        callboard::sim::SimOptions {
            speed: 600.0,
            faults,
            ..Default::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}
