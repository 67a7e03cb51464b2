//! End to end, several `serve` instances on one PostgreSQL database (issue 17): real
//! `callboard sim` and `callboard serve` processes, this driver's viewers on raw sockets
//! (the `sse_e2e` viewer: kernel receive timestamps), spread evenly over the instances.
//! Three phases, each a batch of ≥ 60 recipients submitted straight to the simulator, a
//! poll interval of 1 s:
//! 1. baseline: one instance on sled (as without PostgreSQL), for each count in
//!    `BENCH_BASELINE_VIEWERS` (default: as many viewers as one cluster instance has, then
//!    as many as the whole cluster has), each on fresh processes;
//! 2. cluster: N instances on a fresh database, `BENCH_VIEWERS` viewers on each; delivery
//!    per instance (on the followers it includes the holder's store write, the NOTIFY and
//!    the follower's read) and the upstream batch GETs per interval (the sim's counters);
//! 3. takeover: the same instances, a new batch, `kill -9` of the lease holder
//!    `BENCH_KILL_AFTER_SECS` after the first update; time from the kill to the first
//!    upstream poll by another instance, to the new lease row, and to the next update on
//!    the surviving viewers, who must all get the end.
//!
//! CALLBOARD_TEST_DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/postgres cargo bench --bench sse_cluster
//! BENCH_INSTANCES=3 BENCH_VIEWERS=2000 BENCH_BASELINE_VIEWERS=2000,6000 BENCH_RECIPIENTS=64
//! BENCH_SPEED=10 BENCH_IDLE_SECS=5 BENCH_KILL_AFTER_SECS=2 BENCH_VIEW=full|delta

#[path = "service_common/mod.rs"]
mod common;
#[path = "sse_e2e/driver.rs"]
mod driver;
#[allow(dead_code)] // the single-instance report: only its `Update` and `stats` here
#[path = "sse_e2e/report.rs"]
mod report;
#[path = "sse_cluster/summary.rs"]
mod summary;
#[path = "sse_cluster/takeover.rs"]
mod takeover;
#[path = "sse_e2e/viewer.rs"]
mod viewer;

use common::*;
use driver::*;
use std::time::{Duration, Instant};
use summary::Phase;
use tokio::sync::mpsc;

pub struct Setup {
    recipients: usize,
    speed: f64,
    idle: Duration,
    kill_after: Duration,
    view: String,
}

/// The simulator and the `serve` instances (None once killed).
pub struct Cluster {
    sim: Proc,
    svcs: Vec<Option<Proc>>,
    _dirs: Vec<tempfile::TempDir>,
    db_url: Option<String>,
    sim_started: i64,
    agent: String,
    phone: String,
}

/// Starts the simulator and `n` instances one after the other (the first makes the
/// schema and the demo data), on `db_url` or, without one, on sled.
async fn start(n: usize, db_url: Option<&str>, cap: usize, s: &Setup) -> Cluster {
    let (sim, sim_started) = start_sim(s.speed);
    let store = db_url
        .map(|u| format!("[store]\nurl = \"{u}\"\n"))
        .unwrap_or_default();
    let dirs: Vec<_> = (0..n).map(|_| tempfile::tempdir().unwrap()).collect();
    let env = [("CALLBOARD_RULES", "off")];
    let svcs: Vec<_> = dirs
        .iter()
        .map(|d| {
            Some(serve_for_viewers_with(
                d.path(),
                &sim.url,
                1000,
                cap,
                &env,
                &store,
            ))
        })
        .collect();
    let (phone, agent) = phone_and_agent(&svcs[0].as_ref().unwrap().url).await;
    Cluster {
        sim,
        svcs,
        _dirs: dirs,
        db_url: db_url.map(str::to_string),
        sim_started,
        agent,
        phone,
    }
}

impl Cluster {
    fn pid(&self, i: usize) -> Option<u32> {
        self.svcs[i].as_ref().map(|p| p.child.id())
    }
}

/// A batch on the simulator's clock, `pending` seconds of ours from now.
async fn new_batch(c: &Cluster, s: &Setup, pending: f64) -> String {
    let now = chrono::Utc::now().timestamp();
    let sim_now = c.sim_started as f64 + (now - c.sim_started) as f64 * s.speed;
    let at = (sim_now + pending * s.speed) as i64;
    submit(&c.sim.url, &c.agent, &c.phone, s.recipients, at).await
}

/// Opens `per` viewers on every instance (viewer i on instance i % n) and waits until
/// each has its first state.
async fn connect(
    c: &Cluster,
    batch: &str,
    per: usize,
    s: &Setup,
    p: &mut Phase,
) -> mpsc::UnboundedReceiver<viewer::Got> {
    let n = c.svcs.len();
    let view = if s.view == "delta" { "?view=delta" } else { "" };
    let path = format!("/api/batch-calls/{batch}/status/stream{view}");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let t = Instant::now();
    for i in 0..per * n {
        let addr = c.svcs[i % n]
            .as_ref()
            .unwrap()
            .url
            .trim_start_matches("http://")
            .to_string();
        tokio::spawn(viewer::run(i, addr, path.clone(), 0, tx.clone()));
        if i % 250 == 249 {
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    drop(tx);
    let mut first = vec![false; per * n];
    let (mut ready, mut refused) = (0, 0);
    while ready + refused < per * n && t.elapsed() < Duration::from_secs(120) {
        match tokio::time::timeout(Duration::from_secs(1), rx.recv()).await {
            Ok(Some(g)) => {
                if g.event == "refused" || g.event == "connect-failed" {
                    refused += 1;
                } else if g.event.starts_with("status") && !first[g.viewer] {
                    first[g.viewer] = true;
                    p.ready[g.viewer % n] += 1;
                    ready += 1;
                }
                p.got.push(g);
            }
            Ok(None) => break,
            Err(_) => {}
        }
    }
    p.refused = refused;
    p.connect_secs = t.elapsed().as_secs_f64();
    rx
}

/// One batch followed to the end by `per` viewers on each instance; with `kill`, the
/// lease holder is killed mid-batch.
async fn run_batch(c: &mut Cluster, s: &Setup, per: usize, label: &str, kill: bool) -> Phase {
    let n = c.svcs.len();
    let mut p = Phase::new(label, n, per);
    let pending = 8.0 + (per * n) as f64 / 400.0 + s.idle.as_secs_f64() + 4.0;
    let batch = new_batch(c, s, pending).await;
    let notes = c.db_url.as_deref().map(|u| takeover::listen(u, &batch));
    let mut rx = connect(c, &batch, per, s, &mut p).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    p.holder = takeover::holder_index(c, &batch).await;
    let (polls0, t0) = (sim_polls(&c.sim.url).await, Instant::now());
    tokio::time::sleep(s.idle).await;
    p.idle_polls = (sim_polls(&c.sim.url).await - polls0) as f64 / t0.elapsed().as_secs_f64();
    while let Ok(g) = rx.try_recv() {
        p.note(g);
    }
    let (polls1, t1) = (sim_polls(&c.sim.url).await, Instant::now());
    let mut kill_at: Option<Instant> = None;
    let mut watch = None;
    while p.done() < p.target() && t1.elapsed() < Duration::from_secs(900) {
        if let Ok(Some(g)) = tokio::time::timeout(Duration::from_millis(100), rx.recv()).await {
            if kill && kill_at.is_none() && g.event.starts_with("status") {
                kill_at = Some(Instant::now() + s.kill_after);
            }
            p.note(g);
        }
        if kill_at.is_some_and(|k| Instant::now() >= k) && watch.is_none() {
            watch = Some(takeover::kill_holder(c, &batch, &mut p).await);
        }
    }
    p.run_secs = t1.elapsed().as_secs_f64();
    p.run_polls = (sim_polls(&c.sim.url).await - polls1) as f64 / p.run_secs;
    p.notified = notes.map(|n| n.lock().unwrap().clone()).unwrap_or_default();
    if let Some(w) = watch {
        p.takeover = Some(w.await.expect("the takeover watcher"));
    }
    p
}

/// A fresh database on the server of CALLBOARD_TEST_DATABASE_URL; exits when there is none.
async fn database() -> callboard::store::pg::testing::TestDb {
    if std::env::var_os("CALLBOARD_DATABASE_URL").is_some() {
        eprintln!(
            "sse_cluster: unset CALLBOARD_DATABASE_URL: the baseline must run on sled and the cluster makes its own database"
        );
        std::process::exit(2);
    }
    let Some(db) = callboard::store::pg::testing::fresh_db("sse_cluster").await else {
        eprintln!(
            "sse_cluster: needs PostgreSQL: set CALLBOARD_TEST_DATABASE_URL to an admin URL whose role may create databases, e.g. postgres://USER:PASSWORD@127.0.0.1:5432/postgres"
        );
        std::process::exit(2);
    };
    db
}

#[tokio::main]
async fn main() {
    let per: usize = env_or("BENCH_VIEWERS", 2000);
    let n: usize = env_or("BENCH_INSTANCES", 3);
    // As many viewers as one cluster instance has, and as the whole cluster has.
    let baselines: Vec<usize> = env_or("BENCH_BASELINE_VIEWERS", format!("{per},{}", per * n))
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    let s = Setup {
        recipients: env_or("BENCH_RECIPIENTS", 64),
        speed: env_or("BENCH_SPEED", 10.0),
        idle: Duration::from_secs(env_or("BENCH_IDLE_SECS", 5)),
        kill_after: Duration::from_secs(env_or("BENCH_KILL_AFTER_SECS", 2)),
        view: env_or("BENCH_VIEW", "full".to_string()),
    };
    let db = database().await;
    let fds = raise_fd_limit();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "sse_cluster: {n} instances × {per} viewers ({} view), baselines 1 instance (sled) × {baselines:?}, {} recipients, sim speed {}, open files {fds}, load {}",
        s.view,
        s.recipients,
        s.speed,
        load.trim()
    );
    let mut phases = Vec::new();
    for &b in &baselines {
        let mut solo = start(1, None, b + 200, &s).await;
        let label = format!("baseline (sled, 1 instance × {b})");
        phases.push(run_batch(&mut solo, &s, b, &label, false).await);
        summary::print_phase(phases.last().unwrap());
    }
    let mut cl = start(n, Some(&db.url), per + 200, &s).await;
    phases.push(run_batch(&mut cl, &s, per, "cluster (PostgreSQL)", false).await);
    summary::print_phase(phases.last().unwrap());
    phases.push(run_batch(&mut cl, &s, per, "takeover (kill -9 of the holder)", true).await);
    summary::print_phase(phases.last().unwrap());
    drop(cl);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("\nload at the end: {}", load.trim());
    summary::print_table(&phases);
}
