//! Shared by the service's integration tests: start the service in-process on loopback
//! with a store in a tempdir, a tiny JSON client, and a minimal SSE reader.

use callboard::config::Config;
use callboard::secret::Secret;
use callboard::service::{ServeOptions, ServiceHandle, start};
use futures::StreamExt;
use serde_json::{Value, json};
use std::time::Duration;

pub const ADMIN: &str = "admin-test-token-0123456789abcdef-xyz";

pub fn config(dir: &std::path::Path, upstream: Option<&str>) -> Config {
    let mut cfg = Config::defaults();
    cfg.data_dir = dir.to_path_buf();
    cfg.service.admin_token = Some(Secret::new(ADMIN));
    cfg.service.poll_interval_ms = 100;
    cfg.service.keepalive_secs = 1;
    // Calling windows would make these tests depend on the hour; tests of the windows
    // turn them on themselves.
    cfg.campaign.rules = None;
    if let Some(url) = upstream {
        cfg.elevenlabs.base_url = url.to_string();
        cfg.elevenlabs.api_key = Some(Secret::new("sk_test_never_shown_0123456789"));
        cfg.elevenlabs.max_retries = 1;
        cfg.elevenlabs.request_timeout_secs = 5;
    } else {
        cfg.elevenlabs.api_key = None;
    }
    cfg
}

pub async fn serve(cfg: Config, no_auth: bool, demo: bool) -> ServiceHandle {
    start(
        cfg.service_options(),
        ServeOptions {
            addr: Some("127.0.0.1:0".parse().unwrap()),
            no_auth,
            demo_data: demo,
            clock: None,
        },
    )
    .await
    .expect("service starts")
}

#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub token: Option<String>,
    pub http: reqwest::Client,
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Api {
    pub fn new(base: String, token: Option<&str>) -> Self {
        Self {
            base,
            token: token.map(str::to_string),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        }
    }

    pub fn with_token(&self, token: Option<&str>) -> Self {
        Self {
            token: token.map(str::to_string),
            ..self.clone()
        }
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r
    }

    pub async fn send(&self, r: reqwest::RequestBuilder) -> Reply {
        let resp = r.send().await.expect("request reaches the service");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.req(reqwest::Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(self.req(reqwest::Method::POST, path).json(&body))
            .await
    }

    pub async fn post_empty(&self, path: &str) -> Reply {
        self.send(self.req(reqwest::Method::POST, path)).await
    }

    pub fn raw(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.req(method, path)
    }
}

/// Asserts the failure envelope: status, `success: false`, a code, a Spanish message.
pub fn assert_error(r: &Reply, status: u16, code: &str) {
    assert_eq!(r.status, status, "status of {:?}", r.body);
    assert_eq!(r.body["success"], false, "{:?}", r.body);
    assert_eq!(r.body["code"], code, "{:?}", r.body);
    let msg = r.body["message"].as_str().unwrap_or_default();
    assert!(!msg.is_empty(), "message present: {:?}", r.body);
}

/// One SSE event as a browser sees it.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub event: String,
    pub id: Option<String>,
    pub data: Value,
    pub retry: Option<u64>,
}

/// Reads an SSE response until it ends or `limit` passes; returns events and comments.
pub async fn read_sse(resp: reqwest::Response, limit: Duration) -> (Vec<SseEvent>, usize) {
    let mut stream = resp.bytes_stream();
    let mut buf = String::new();
    let mut events = Vec::new();
    let mut comments = 0;
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let next = tokio::time::timeout_at(deadline, stream.next()).await;
        let chunk = match next {
            Ok(Some(Ok(c))) => c,
            _ => break,
        };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(pos) = buf.find("\n\n") {
            let block: String = buf.drain(..pos + 2).collect();
            let (mut event, mut id, mut data, mut retry) =
                (String::from("message"), None, String::new(), None);
            let mut comment = false;
            for line in block.lines() {
                if line.starts_with(':') {
                    comment = true;
                } else if let Some(v) = line.strip_prefix("event: ") {
                    event = v.to_string();
                } else if let Some(v) = line.strip_prefix("id: ") {
                    id = Some(v.to_string());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data.push_str(v);
                } else if let Some(v) = line.strip_prefix("retry: ") {
                    retry = v.parse().ok();
                }
            }
            if comment && data.is_empty() {
                comments += 1;
                continue;
            }
            events.push(SseEvent {
                event,
                id,
                data: serde_json::from_str(&data).unwrap_or(Value::Null),
                retry,
            });
        }
    }
    (events, comments)
}

pub const CONV_ENDPOINT: &str = "GET /v1/convai/conversations/{conversation_id}";
pub const BATCH_ENDPOINT: &str = "GET /v1/convai/batch-calling/{batch_id}";
pub const SUBMIT_ENDPOINT: &str = "POST /v1/convai/batch-calling/submit";

pub async fn sim(speed: f64, seed: u64) -> callboard::sim::SimHandle {
    callboard::sim::start(
        callboard::sim::SimOptions {
            seed,
            speed,
            pickup_rate: 0.6,
            voicemail_rate: 0.2,
            ..Default::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("sim starts")
}

/// The workspace's first calling number.
pub async fn phone_id(api: &Api) -> String {
    api.get("/api/phone-numbers").await.body["data"][0]["phone_number_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A new group of `n` clients with every variable the demo agent uses.
pub async fn group(api: &Api, name: &str, n: usize, first: usize) -> u64 {
    let g = api
        .post(
            "/api/groups",
            json!({"name": name, "variables": {"especialidad": "x", "ciudad": "y"}}),
        )
        .await;
    assert_eq!(g.status, 201, "{:?}", g.body);
    let gid = g.body["data"]["id"].as_u64().unwrap();
    let clients: Vec<_> = (0..n)
        .map(|i| json!({"name": format!("C{i}"), "phone": format!("300{:07}", first + i)}))
        .collect();
    let r = api
        .post(&format!("/api/groups/{gid}/clients"), json!(clients))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body["message"]);
    gid
}

/// A simulator with its call outcomes and pace chosen by the test.
pub async fn sim_with(
    seed: u64,
    pickup_rate: f64,
    voicemail_rate: f64,
    concurrency: usize,
    speed: f64,
) -> callboard::sim::SimHandle {
    callboard::sim::start(
        callboard::sim::SimOptions {
            seed,
            speed,
            pickup_rate,
            voicemail_rate,
            concurrency,
            ..Default::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("sim starts")
}

/// Opens the SSE stream of a batch (token in the query, as a browser does).
pub async fn open_stream(api: &Api, batch_id: &str) -> reqwest::Response {
    let mut url = format!("{}/api/batch-calls/{batch_id}/status/stream", api.base);
    if let Some(t) = &api.token {
        url.push_str(&format!("?access_token={t}"));
    }
    let resp = reqwest::Client::new()
        .get(url)
        .send()
        .await
        .expect("stream opens");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    resp
}
