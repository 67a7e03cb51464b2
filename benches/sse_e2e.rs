//! End-to-end load driver: N SSE viewers of one live batch, measured from outside.
//! Real processes: `callboard sim` (ElevenLabs) and `callboard serve` (poll interval 1 s),
//! this driver as a third; N viewers on real TCP sockets, each a raw HTTP/1.1 request,
//! arrival times from the kernel's receive timestamps (`SO_TIMESTAMP`, so a busy driver
//! cannot inflate them). A batch of ≥ 60 recipients, scheduled a little ahead so the
//! viewers connect and sit idle first. For each mode (`full`, the seed's events; `delta`,
//! callboard's own clients) a 1-viewer baseline runs first, then N viewers, each on fresh
//! processes. Reports delivery per update (the snapshot's `timestamp` → kernel receive
//! time) including the last, serve's RSS after connecting and its peak (VmRSS/VmHWM),
//! serve's idle CPU with N connected (utime+stime over the idle window) and the upstream
//! polls per interval (the simulator's counters).
//!
//! cargo bench --bench sse_e2e
//! BENCH_VIEWERS=5000 BENCH_MODES=full,delta BENCH_RECIPIENTS=64 BENCH_SPEED=10 BENCH_IDLE_SECS=10
//! BENCH_RCVBUF=bytes: fix the viewers' receive buffers (0, the default: the kernel's).
//! BENCH_CALLBOARD_BIN=path: run another build of callboard (an older one, as a baseline).
//! BENCH_BASELINE=0: skip the 1-viewer baseline (for quick iterations only, not for the record).

#[path = "service_common/mod.rs"]
mod common;
#[path = "sse_e2e/driver.rs"]
mod driver;
#[path = "sse_e2e/report.rs"]
mod report;
#[path = "sse_e2e/viewer.rs"]
mod viewer;

use common::*;
use driver::*;
use report::Case;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

struct Setup {
    recipients: usize,
    speed: f64,
    idle: Duration,
    rcvbuf: i32,
}

async fn run_case(mode: &str, n: usize, s: &Setup) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let (sim, sim_started) = start_sim(s.speed);
    let svc = serve_for_viewers(
        dir.path(),
        &sim.url,
        1000,
        n + 200,
        &[("CALLBOARD_RULES", "off")],
    );
    let pid = svc.child.id();
    let (phone, agent) = phone_and_agent(&svc.url).await;
    // Waiting long enough to connect everyone and measure the idle window.
    let pending = 8.0 + n as f64 / 400.0 + s.idle.as_secs_f64() + 4.0;
    let now = chrono::Utc::now().timestamp();
    let sim_now = sim_started as f64 + (now - sim_started) as f64 * s.speed;
    let at = (sim_now + pending * s.speed) as i64;
    let batch = submit(&sim.url, &agent, &phone, s.recipients, at).await;
    let recipients = s.recipients;

    let addr = svc.url.trim_start_matches("http://").to_string();
    let view = if mode == "delta" { "?view=delta" } else { "" };
    let path = format!("/api/batch-calls/{batch}/status/stream{view}");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let t_connect = Instant::now();
    for i in 0..n {
        tokio::spawn(viewer::run(
            i,
            addr.clone(),
            path.clone(),
            s.rcvbuf,
            tx.clone(),
        ));
        if i % 250 == 249 {
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    drop(tx);
    // Connected: every viewer has its first state.
    let mut got = Vec::new();
    let mut first_seen = vec![false; n];
    let mut ready = 0;
    let mut refused = 0;
    while ready + refused < n && t_connect.elapsed() < Duration::from_secs(120) {
        match tokio::time::timeout(Duration::from_secs(1), rx.recv()).await {
            Ok(Some(g)) => {
                if g.event == "refused" || g.event == "connect-failed" {
                    refused += 1;
                } else if g.event.starts_with("status") && !first_seen[g.viewer] {
                    first_seen[g.viewer] = true;
                    ready += 1;
                }
                got.push(g);
            }
            Ok(None) => break,
            Err(_) => {}
        }
    }
    let connect_secs = t_connect.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_connected = rss_mb(pid).0;
    // Idle: nothing changes upstream (the batch waits for its time).
    let (cpu0, polls0, t0) = (cpu_secs(pid), sim_polls(&sim.url).await, Instant::now());
    tokio::time::sleep(s.idle).await;
    let (cpu1, polls1) = (cpu_secs(pid), sim_polls(&sim.url).await);
    let idle_secs = t0.elapsed().as_secs_f64();
    let mut idle_updates = 0;
    while let Ok(g) = rx.try_recv() {
        idle_updates += usize::from(g.event.starts_with("status"));
        got.push(g);
    }
    // The batch runs: every event until each viewer has `batch-completed`.
    let mut done = got.iter().filter(|g| g.event == "batch-completed").count();
    let run_start = Instant::now();
    let polls_run0 = sim_polls(&sim.url).await;
    let mut peak_rss: f64 = 0.0;
    while done < ready && run_start.elapsed() < Duration::from_secs(900) {
        match tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
            Ok(Some(g)) => {
                done += usize::from(g.event == "batch-completed");
                got.push(g);
            }
            Ok(None) => break,
            Err(_) => peak_rss = peak_rss.max(rss_mb(pid).0),
        }
    }
    let run_secs = run_start.elapsed().as_secs_f64();
    let polls_run = sim_polls(&sim.url).await - polls_run0;
    let (rss_end, hwm) = rss_mb(pid);
    drop(svc);
    drop(sim);
    Case {
        mode: mode.to_string(),
        viewers: n,
        ready,
        refused,
        recipients,
        connect_secs,
        rss_connected,
        rss_end: rss_end.max(peak_rss),
        hwm,
        idle_cpu_pct: (cpu1 - cpu0) / idle_secs * 100.0,
        idle_secs,
        idle_polls_per_interval: (polls1 - polls0) as f64 / idle_secs,
        idle_updates,
        run_polls_per_interval: polls_run as f64 / run_secs,
        completed: done,
        updates: updates(&got),
    }
}

#[tokio::main]
async fn main() {
    let n: usize = env_or("BENCH_VIEWERS", 5000);
    let modes: String = env_or("BENCH_MODES", "full,delta".to_string());
    let setup = Setup {
        recipients: env_or("BENCH_RECIPIENTS", 64),
        speed: env_or("BENCH_SPEED", 10.0),
        idle: Duration::from_secs(env_or("BENCH_IDLE_SECS", 10)),
        rcvbuf: env_or("BENCH_RCVBUF", 0),
    };
    let fds = raise_fd_limit();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "sse_e2e: {n} viewers, {} recipients, sim speed {}, viewer SO_RCVBUF {} (0: kernel default), open files {fds}, load {}",
        setup.recipients,
        setup.speed,
        setup.rcvbuf,
        load.trim()
    );
    let mut cases = Vec::new();
    for mode in modes.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        let baseline = env_or("BENCH_BASELINE", 1) != 0;
        for viewers in [1, n].into_iter().filter(|&v| baseline || v == n) {
            let c = run_case(mode, viewers, &setup).await;
            report::print_case(&c);
            cases.push(c);
        }
    }
    report::print_summary(&cases);
}
