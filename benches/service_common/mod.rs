//! Shared by the service benches: run `callboard sim` / `callboard serve` as processes
//! (so the service's memory is its own), raw-socket SSE viewers, percentiles.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Proc {
    pub child: Child,
    pub url: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a callboard subcommand and reads `listening on http://ADDR` from its stdout.
pub fn spawn(args: &[&str], envs: &[(&str, &str)]) -> Proc {
    // BENCH_CALLBOARD_BIN: another build (an older one, as a baseline); else this one.
    let bin = std::env::var("BENCH_CALLBOARD_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_callboard").to_string());
    let mut cmd = Command::new(bin);
    // BENCH_LOGS=1: the children's logs on this process's stderr.
    let logs = std::env::var_os("BENCH_LOGS").is_some();
    cmd.args(args).stdout(Stdio::piped()).stderr(if logs {
        Stdio::inherit()
    } else {
        Stdio::null()
    });
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("callboard runs");
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    out.read_line(&mut line).expect("first line");
    // Keep reading: a closed pipe would make the child's next line (the demo token) fail.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_string();
    Proc { child, url }
}

/// Resident and peak memory of a process, in MB.
pub fn rss_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Milliseconds since the epoch of a `2025-08-24T10:30:00.000Z` timestamp.
pub fn ts_ms(ts: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|d| d.timestamp_millis())
}

pub async fn json(url: &str) -> serde_json::Value {
    reqwest::get(url)
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

pub async fn post(url: &str, body: serde_json::Value) -> serde_json::Value {
    reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json")
}

/// A batch of `n` recipients (Colombian mobiles, every variable the demo agent uses),
/// submitted straight to the simulator as callboard would; returns its id.
pub async fn submit_bench_batch(
    sim: &callboard::sim::SimHandle,
    upstream: &callboard::elevenlabs::ClientSettings,
    n: usize,
) -> String {
    use callboard::domain::phone::Region;
    use callboard::domain::{Client, Group};
    use std::collections::BTreeMap;
    let client = callboard::elevenlabs::ElevenLabsClient::new(upstream).unwrap();
    let group = Group {
        id: 1,
        name: "Bench".into(),
        variables: BTreeMap::from([
            ("especialidad".into(), "Pediatría".into()),
            ("ciudad".into(), "Cali".into()),
        ]),
        created_at: chrono::Utc::now(),
        owner: None,
        other_countries: false,
        setup: Default::default(),
    };
    let clients: Vec<Client> = (0..n as u64)
        .map(|i| {
            let phone = format!("+5730{:08}", 10_000_000 + i);
            Client {
                id: i + 1,
                group_id: 1,
                name: format!("Cliente {i}"),
                email: None,
                empresa: None,
                cargo: None,
                phone_e164: callboard::domain::phone::normalize(&phone, Region::COLOMBIA),
                phone,
                extra: BTreeMap::new(),
            }
        })
        .collect();
    let none = std::collections::BTreeSet::new();
    let p = callboard::domain::preflight::run(&callboard::domain::preflight::PreflightInput::new(
        &group,
        &clients,
        &none,
        chrono::Utc::now(),
    ));
    assert_eq!(p.recipients.len(), n);
    let req = callboard::journal::submit_request(
        &p.recipients,
        "Bench".into(),
        &sim.first_agent_id(),
        &sim.phone_number_ids()[0],
        None,
        chrono_tz::UTC,
    );
    client.submit_batch(&req).await.unwrap().id
}

/// `callboard serve --no-auth --demo-data` against `sim_url`, polling every `interval_ms`,
/// with room for `cap` connections and streams; `env` is added to its environment.
pub fn serve_for_viewers(
    dir: &std::path::Path,
    sim_url: &str,
    interval_ms: u64,
    cap: usize,
    env: &[(&str, &str)],
) -> Proc {
    serve_for_viewers_with(dir, sim_url, interval_ms, cap, env, "")
}

/// `serve_for_viewers` with sections of its own added to the config (`[store] url = …`).
pub fn serve_for_viewers_with(
    dir: &std::path::Path,
    sim_url: &str,
    interval_ms: u64,
    cap: usize,
    env: &[(&str, &str)],
    extra_toml: &str,
) -> Proc {
    let cfg = dir.join("bench.toml");
    std::fs::write(
        &cfg,
        format!(
            "[service]\npoll_interval_ms = {interval_ms}\nsse_timeout_secs = 3600\nmax_connections = {cap}\nmax_streams_total = {cap}\nmax_streams_per_token = {cap}\n{extra_toml}"
        ),
    )
    .unwrap();
    let data = dir.join("data");
    let mut envs = vec![
        ("ELEVENLABS_API_KEY", "sk_bench"),
        ("CALLBOARD_CONFIG", cfg.to_str().unwrap()),
    ];
    envs.extend_from_slice(env);
    spawn(
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--no-auth",
            "--demo-data",
            "--elevenlabs-url",
            sim_url,
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &envs,
    )
}
