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
