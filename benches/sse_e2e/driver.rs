//! What the end-to-end drivers (`sse_e2e`, `sse_cluster`) share: settings from the
//! environment, the open-files limit, a process's CPU time, the simulator's poll counter,
//! a batch submitted straight to the simulator, and deliveries per update.
#![allow(dead_code)]

use super::common::{Proc, json, spawn};
use super::report::Update;
use super::viewer;
use std::collections::BTreeMap;

pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// As many open files as the hard limit allows (the serve child inherits it).
pub fn raise_fd_limit() -> u64 {
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        lim.rlim_cur
    }
}

/// utime + stime of a process, in seconds.
pub fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| f.get(i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
}

/// The simulator (seed 3) at `speed`, and when it started (its clock runs `speed` times
/// faster from then).
pub fn start_sim(speed: f64) -> (Proc, i64) {
    let started = chrono::Utc::now().timestamp();
    let speed = speed.to_string();
    let args = [
        "sim",
        "--addr",
        "127.0.0.1:0",
        "--speed",
        &speed,
        "--seed",
        "3",
    ];
    (spawn(&args, &[]), started)
}

/// The first calling number and the first agent a service offers (its demo data).
pub async fn phone_and_agent(svc: &str) -> (String, String) {
    let phones = json(&format!("{svc}/api/phone-numbers")).await;
    let phone = phones["data"][0]["phone_number_id"]
        .as_str()
        .expect("a phone");
    let agents = json(&format!("{svc}/api/agents")).await;
    let agent = agents["data"][0]["agent_id"].as_str().expect("an agent");
    (phone.to_string(), agent.to_string())
}

pub async fn sim_polls(sim: &str) -> u64 {
    let c = json(&format!("{sim}/_sim/counters")).await;
    let key = "GET /v1/convai/batch-calling/{batch_id}";
    c.get(key)
        .or_else(|| c.get("counters").and_then(|m| m.get(key)))
        .and_then(|v| v.as_u64())
        .unwrap_or(0)
}

/// A batch of `n` recipients submitted straight to the simulator, to start at `at` (its
/// clock): not one of callboard's (no schedule of ours), so the service polls it every
/// interval while it waits, as it would a live batch where nothing changes.
pub async fn submit(sim: &str, agent: &str, phone: &str, n: usize, at: i64) -> String {
    let recipients: Vec<_> = (0..n)
        .map(|i| {
            serde_json::json!({"phone_number": format!("+5730012{:05}", i), "conversation_initiation_client_data":
                {"dynamic_variables": {"name": format!("Cliente {i}"), "nombre": format!("Cliente {i}"),
                 "especialidad": "Medicina general", "ciudad": "Cali", "empresa": "Clínica", "cargo": "Médico"}}})
        })
        .collect();
    let body = serde_json::json!({"call_name": "Carga", "agent_id": agent, "agent_phone_number_id": phone,
        "scheduled_time_unix": at, "recipients": recipients});
    let r: serde_json::Value = reqwest::Client::new()
        .post(format!("{sim}/v1/convai/batch-calling/submit"))
        .header("xi-api-key", "sk_bench")
        .json(&body)
        .send()
        .await
        .expect("submit")
        .json()
        .await
        .expect("json");
    r["id"]
        .as_str()
        .unwrap_or_else(|| panic!("submitted: {r}"))
        .to_string()
}

/// Deliveries per update: every status event after a viewer's first, and the end.
pub fn updates(got: &[viewer::Got]) -> Vec<Update> {
    let mut firsts = std::collections::HashSet::new();
    let mut by: BTreeMap<(i64, bool), Update> = BTreeMap::new();
    for g in got {
        let status = g.event.starts_with("status");
        if !(status || g.event == "batch-completed") {
            continue;
        }
        if status && firsts.insert(g.viewer) {
            continue; // the state on connect is old by design
        }
        let Some(made) = g.made_ms else { continue };
        let u = by.entry((made, !status)).or_insert_with(|| Update {
            made_ms: made,
            event: g.event.clone(),
            bytes: 0,
            delays: Vec::new(),
        });
        if g.viewer == 0 || u.bytes == 0 {
            u.bytes = g.bytes;
        }
        u.delays
            .push((g.recv_us as f64 / 1000.0 - made as f64).max(0.0));
    }
    by.into_values().collect()
}
