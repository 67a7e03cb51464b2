//! The simulator's raw answers, read as JSON: every field the newest official SDK requires,
//! explicit nulls, upstream's spellings, error shapes, the admin endpoints, and a
//! 10,000-recipient batch.

use callboard::sim::{self, FaultConfig, SimHandle, SimOptions};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn start(opts: SimOptions) -> SimHandle {
    sim::start(opts, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

struct Raw {
    http: reqwest::Client,
    base: String,
}

impl Raw {
    fn new(h: &SimHandle) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: h.url(),
        }
    }
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(k) = key {
            req = req.header("xi-api-key", k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, Some("k"), None).await
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some("k"), Some(body))
            .await
    }
}

fn has_all(v: &Value, fields: &[&str], what: &str) {
    for f in fields {
        assert!(v.get(*f).is_some(), "{what} lacks required `{f}`: {v}");
    }
}

const BATCH_REQUIRED: &[&str] = &[
    "id",
    "name",
    "agent_id",
    "created_at_unix",
    "scheduled_time_unix",
    "total_calls_dispatched",
    "total_calls_scheduled",
    "total_calls_finished",
    "last_updated_at_unix",
    "status",
    "retry_count",
    "telephony_call_config",
    "agent_name",
    "phone_number_id",
    "phone_provider",
    "whatsapp_params",
    "branch_id",
    "environment",
    "timezone",
    "target_concurrency_limit",
    "branch_name",
];

fn body(h: &SimHandle, n: usize) -> Value {
    let recipients: Vec<Value> = (0..n)
        .map(|i| json!({ "phone_number": format!("+57301{i:07}"), "conversation_initiation_client_data": {
            "dynamic_variables": { "name": format!("Dr. {i}"), "especialidad": "Neurología", "ciudad": "Pasto" } } }))
        .collect();
    json!({ "call_name": "forma", "agent_id": h.first_agent_id(), "agent_phone_number_id": h.phone_number_ids()[1],
            "scheduled_time_unix": null, "recipients": recipients })
}

#[tokio::test]
async fn answers_have_every_required_field_and_upstream_spellings() {
    let h = start(SimOptions {
        speed: 200.0,
        pickup_rate: 1.0,
        voicemail_rate: 0.0,
        ..Default::default()
    })
    .await;
    let raw = Raw::new(&h);
    let (status, b) = raw
        .post("/v1/convai/batch-calling/submit", body(&h, 3))
        .await;
    assert_eq!(status, 200, "{b}");
    has_all(&b, BATCH_REQUIRED, "BatchCallResponse");
    assert_eq!(b["status"], "pending");
    assert_eq!(b["phone_provider"], "sip_trunk");
    assert_eq!(b["whatsapp_params"], Value::Null, "explicit null");
    let id = b["id"].as_str().unwrap().to_string();

    // Wait for a call in progress: its conversation says `in-progress`, with a hyphen.
    let deadline = Instant::now() + Duration::from_secs(20);
    let (detail, conv) = loop {
        let (_, d) = raw.get(&format!("/v1/convai/batch-calling/{id}")).await;
        if let Some(r) = d["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["status"] == "in_progress")
        {
            let (_, c) = raw
                .get(&format!(
                    "/v1/convai/conversations/{}",
                    r["conversation_id"].as_str().unwrap()
                ))
                .await;
            if c["status"] == "in-progress" {
                break (d, c);
            }
        }
        assert!(Instant::now() < deadline, "no call in progress seen");
        tokio::time::sleep(Duration::from_millis(3)).await;
    };
    has_all(&detail, BATCH_REQUIRED, "BatchCallDetailedResponse");
    assert_eq!(detail["status"], "in_progress");
    for r in detail["recipients"].as_array().unwrap() {
        has_all(
            r,
            &[
                "id",
                "status",
                "created_at_unix",
                "updated_at_unix",
                "conversation_id",
                "phone_number",
            ],
            "recipient",
        );
        let echo = &r["conversation_initiation_client_data"];
        has_all(
            echo,
            &[
                "dynamic_variables",
                "conversation_config_override",
                "custom_llm_extra_body",
                "source_info",
                "branch_id",
                "environment",
            ],
            "echo",
        );
    }
    has_all(
        &conv,
        &[
            "agent_id",
            "status",
            "metadata",
            "conversation_id",
            "has_audio",
            "has_user_audio",
            "has_response_audio",
            "has_auxiliary_audio",
            "transcript",
            "analysis",
            "user_id",
        ],
        "conversation",
    );
    assert_eq!(
        conv["analysis"],
        Value::Null,
        "no analysis while the call runs"
    );
    has_all(
        &conv["metadata"],
        &[
            "start_time_unix_secs",
            "call_duration_secs",
            "batch_call",
            "phone_call",
            "termination_reason",
            "error",
            "cost_fiat",
        ],
        "metadata",
    );
    assert_eq!(conv["metadata"]["batch_call"]["batch_call_id"], json!(id));
    assert_eq!(conv["metadata"]["phone_call"]["type"], "sip_trunking");

    // Finished: analysis with summary, success, evaluation and data collection.
    let cid = conv["conversation_id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    let done = loop {
        let (_, c) = raw.get(&format!("/v1/convai/conversations/{cid}")).await;
        if c["status"] == "done" {
            break c;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    has_all(
        &done["analysis"],
        &[
            "call_successful",
            "transcript_summary",
            "evaluation_criteria_results",
            "data_collection_results",
        ],
        "analysis",
    );
    assert!(
        ["success", "failure"].contains(&done["analysis"]["call_successful"].as_str().unwrap())
    );
    assert!(done["metadata"]["call_duration_secs"].as_i64().unwrap() > 0);
    let first = done["transcript"][0]["message"].as_str().unwrap();
    assert!(
        first.contains("Neurología") && first.contains("Pasto"),
        "{first}"
    );

    let (_, phones) = raw.get("/v1/convai/phone-numbers").await;
    let phones = phones.as_array().unwrap();
    has_all(
        &phones[0],
        &[
            "phone_number",
            "label",
            "phone_number_id",
            "provider",
            "assigned_agent",
        ],
        "twilio number",
    );
    has_all(&phones[1], &["livekit_stack"], "SIP number");
    let (_, agents) = raw.get("/v1/convai/agents").await;
    has_all(&agents, &["agents", "has_more"], "agents page");
    has_all(
        &agents["agents"][0],
        &[
            "agent_id",
            "name",
            "voice_id",
            "tags",
            "created_at_unix_secs",
            "updated_at_unix_secs",
            "access_info",
        ],
        "agent summary",
    );
    let (_, agent) = raw
        .get(&format!("/v1/convai/agents/{}", h.first_agent_id()))
        .await;
    has_all(
        &agent,
        &["agent_id", "name", "conversation_config", "metadata"],
        "agent",
    );
    let (_, list) = raw.get("/v1/convai/batch-calling/workspace").await;
    has_all(
        &list,
        &["batch_calls", "next_doc", "has_more"],
        "workspace page",
    );
    h.shutdown().await;
}

#[tokio::test]
async fn errors_come_in_upstream_shapes() {
    let h = start(SimOptions {
        api_key: Some("k".into()),
        ..Default::default()
    })
    .await;
    let raw = Raw::new(&h);
    let path = "/v1/convai/batch-calling/submit";
    let (s, e) = raw
        .call(reqwest::Method::POST, path, None, Some(body(&h, 1)))
        .await;
    assert_eq!(
        (s, e["detail"]["code"].as_str()),
        (401, Some("missing_api_key"))
    );
    let (s, e) = raw
        .call(reqwest::Method::POST, path, Some("nope"), Some(body(&h, 1)))
        .await;
    assert_eq!(
        (s, e["detail"]["status"].as_str()),
        (401, Some("invalid_api_key"))
    );

    let (s, e) = raw.post(path, json!({ "recipients": [] })).await;
    assert_eq!(s, 422);
    let locs: Vec<String> = e["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["loc"].to_string())
        .collect();
    for want in [
        r#"["body","call_name"]"#,
        r#"["body","agent_id"]"#,
        r#"["body","agent_phone_number_id"]"#,
        r#"["body","recipients"]"#,
    ] {
        assert!(locs.iter().any(|l| l == want), "{want} not in {locs:?}");
    }
    let mut bad = body(&h, 2);
    bad["recipients"][1]["phone_number"] = json!("3001234567");
    let (s, e) = raw.post(path, bad).await;
    assert_eq!(s, 422);
    assert_eq!(
        e["detail"][0]["loc"],
        json!(["body", "recipients", 1, "phone_number"])
    );
    assert!(e["detail"][0]["msg"].as_str().unwrap().contains("E.164"));
    let mut bad = body(&h, 1);
    bad["agent_id"] = json!("agent_nobody");
    let (s, e) = raw.post(path, bad).await;
    assert_eq!(
        (s, e["detail"]["code"].as_str()),
        (404, Some("agent_not_found"))
    );
    let (s, e) = raw.get("/v1/convai/batch-calling/btcal_nothing").await;
    assert_eq!((s, e["detail"]["type"].as_str()), (404, Some("not_found")));
    let (s, e) = raw.get("/v1/no/such/path").await;
    assert_eq!((s, e), (404, json!({ "detail": "Not Found" })));
    assert_eq!(h.batch_count(), 0, "nothing invalid was created");
    h.shutdown().await;
}

#[tokio::test]
async fn admin_endpoints_set_faults_and_count_requests() {
    let h = start(SimOptions::default()).await;
    let raw = Raw::new(&h);
    let (s, f) = raw
        .post(
            "/_sim/faults",
            json!({ "error_503_rate": 1.0, "retry_after_secs": 7, "max_faults": 1 }),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(f["error_503_rate"], 1.0);
    assert_eq!(h.faults().max_faults, Some(1));
    let resp = raw
        .http
        .get(format!("{}/v1/convai/phone-numbers", raw.base))
        .header("xi-api-key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 503);
    assert_eq!(resp.headers()["retry-after"], "7");
    let (s, _) = raw.get("/v1/convai/phone-numbers").await;
    assert_eq!(s, 200, "max_faults reached");
    let (_, counters) = raw.get("/_sim/counters").await;
    assert_eq!(counters["GET /v1/convai/phone-numbers"], 2);
    assert_eq!(h.request_count("GET /v1/convai/phone-numbers"), 2);
    let (s, _) = raw
        .post("/_sim/faults", json!({ "error_503_rate": "lots" }))
        .await;
    assert_eq!(s, 422);
    h.set_faults(FaultConfig::default());
    h.shutdown().await;
}

#[tokio::test]
async fn ten_thousand_recipients_in_one_batch() {
    let h = start(SimOptions {
        speed: 50.0,
        ..Default::default()
    })
    .await;
    let raw = Raw::new(&h);
    let (s, b) = raw
        .post("/v1/convai/batch-calling/submit", body(&h, 10_000))
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["total_calls_scheduled"], 10_000);
    let (s, d) = raw
        .get(&format!(
            "/v1/convai/batch-calling/{}",
            b["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, 200);
    assert_eq!(d["recipients"].as_array().unwrap().len(), 10_000);
    let (s, e) = raw
        .post("/v1/convai/batch-calling/submit", body(&h, 10_001))
        .await;
    assert_eq!(s, 422);
    assert_eq!(e["detail"][0]["type"], "too_long");
    h.shutdown().await;
}

#[tokio::test]
async fn batch_view_is_gzipped_for_clients_that_ask() {
    let h = start(SimOptions {
        speed: 1.0,
        ..Default::default()
    })
    .await;
    let raw = Raw::new(&h);
    let (_, b) = raw
        .post("/v1/convai/batch-calling/submit", body(&h, 200))
        .await;
    let url = format!(
        "{}/v1/convai/batch-calling/{}",
        raw.base,
        b["id"].as_str().unwrap()
    );
    let plain = raw
        .http
        .get(&url)
        .header("xi-api-key", "k")
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    let gz = raw
        .http
        .get(&url)
        .header("xi-api-key", "k")
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let gz = gz.bytes().await.unwrap();
    assert!(
        gz.len() * 5 < plain.len(),
        "{} vs {}",
        gz.len(),
        plain.len()
    );
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out).unwrap();
    let (a, b): (Value, Value) = (
        serde_json::from_slice(&out).unwrap(),
        serde_json::from_slice(&plain).unwrap(),
    );
    // Same virtual second or not, the recipients and their ids are the same.
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["recipients"].as_array().unwrap().len(), 200);
    h.shutdown().await;
}
