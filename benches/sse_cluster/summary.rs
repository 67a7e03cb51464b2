//! What `sse_cluster` keeps of a phase and prints: delivery per instance and overall,
//! upstream polls per interval, the takeover's times.

use super::common::percentile;
use super::driver::updates;
use super::report::{Update, stats};
use super::takeover::Takeover;
use super::viewer::Got;

pub struct Phase {
    pub label: String,
    pub instances: usize,
    pub per: usize,
    /// Per instance: viewers with their first state, viewers with `batch-completed`.
    pub ready: Vec<usize>,
    pub completed: Vec<usize>,
    pub refused: usize,
    pub connect_secs: f64,
    pub run_secs: f64,
    pub idle_polls: f64,
    pub run_polls: f64,
    /// The lease holder after connecting (None on sled), the killed instance.
    pub holder: Option<usize>,
    pub dead: Option<usize>,
    pub got: Vec<Got>,
    pub takeover: Option<Takeover>,
    /// When the driver's own LISTEN got each snapshot's NOTIFY (µs since the epoch).
    pub notified: Vec<i64>,
}

impl Phase {
    pub fn new(label: &str, instances: usize, per: usize) -> Self {
        Phase {
            label: label.into(),
            instances,
            per,
            ready: vec![0; instances],
            completed: vec![0; instances],
            refused: 0,
            connect_secs: 0.0,
            run_secs: 0.0,
            idle_polls: 0.0,
            run_polls: 0.0,
            holder: None,
            dead: None,
            got: Vec::new(),
            takeover: None,
            notified: Vec::new(),
        }
    }
    pub fn note(&mut self, g: Got) {
        if g.event == "batch-completed" {
            self.completed[g.viewer % self.instances] += 1;
        }
        self.got.push(g);
    }
    fn alive(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.instances).filter(|&i| Some(i) != self.dead)
    }
    /// Viewers on the living instances that have the end / that had their first state.
    pub fn done(&self) -> usize {
        self.alive().map(|i| self.completed[i]).sum()
    }
    pub fn target(&self) -> usize {
        self.alive().map(|i| self.ready[i]).sum()
    }
    fn role(&self, i: usize) -> &'static str {
        match (
            self.holder,
            self.dead,
            self.takeover.as_ref().and_then(|t| t.new_holder),
        ) {
            (_, Some(d), _) if d == i => "killed holder",
            (_, _, Some(h)) if h == i => "follower, then holder",
            (None, _, _) => "sled",
            (Some(h), _, _) if h == i => "holder",
            _ => "follower",
        }
    }
}

/// p50, p99 over all updates, worst update's p99, last state's p99, deliveries.
fn row(ups: &[Update]) -> (f64, f64, f64, f64, usize) {
    let all: Vec<f64> = ups.iter().flat_map(|u| u.delays.iter().copied()).collect();
    let n = all.len();
    let (p50, p99, _) = stats(all);
    let worst = ups
        .iter()
        .map(|u| stats(u.delays.clone()).1)
        .fold(0.0, f64::max);
    let last_made = ups.iter().map(|u| u.made_ms).max().unwrap_or(0);
    let last = ups.iter().filter(|u| u.made_ms == last_made);
    let (_, l99, _) = stats(last.flat_map(|u| u.delays.iter().copied()).collect());
    (p50, p99, worst, l99, n)
}

fn of(p: &Phase, i: usize) -> Vec<Got> {
    p.got
        .iter()
        .filter(|g| g.viewer % p.instances == i)
        .cloned()
        .collect()
}

pub fn print_phase(p: &Phase) {
    println!(
        "\n== {}: {} instance(s) × {} viewers (ready {:?}, refused {}), connect {:.1} s, run {:.1} s",
        p.label, p.instances, p.per, p.ready, p.refused, p.connect_secs, p.run_secs
    );
    println!(
        "upstream batch GETs per second (interval 1 s): idle {:.2}, run {:.2}",
        p.idle_polls, p.run_polls
    );
    println!(
        "  instance  role                    ready  with end  deliveries  p50 ms  p99 ms  worst update p99  last state p99"
    );
    for i in 0..p.instances {
        let (p50, p99, worst, l99, n) = row(&updates(&of(p, i)));
        println!(
            "  {i:>8}  {:<22} {:>6} {:>9} {n:>11} {p50:>7.0} {p99:>7.0} {worst:>17.0} {l99:>15.0}",
            p.role(i),
            p.ready[i],
            p.completed[i]
        );
    }
    let (p50, p99, worst, l99, n) = row(&updates(&p.got));
    println!(
        "  {:>8}  {:<22} {:>6} {:>9} {n:>11} {p50:>7.0} {p99:>7.0} {worst:>17.0} {l99:>15.0}",
        "all",
        "",
        p.ready.iter().sum::<usize>(),
        p.completed.iter().sum::<usize>()
    );
    if !p.notified.is_empty() {
        print_notify(p);
    }
    if let Some(t) = &p.takeover {
        print_takeover(p, t);
    }
    if std::env::var_os("BENCH_DETAIL").is_some() {
        print_detail(p);
    }
}

/// BENCH_DETAIL=1: every update on every instance (made = the snapshot's timestamp).
fn print_detail(p: &Phase) {
    for i in 0..p.instances {
        println!(
            "  instance {i} ({}): update  made (ms, wall clock)  event  deliveries  p50  p99  max",
            p.role(i)
        );
        for (k, u) in updates(&of(p, i)).iter().enumerate() {
            let (p50, p99, max) = stats(u.delays.clone());
            println!(
                "    {:>3}  {}  {:<15} {:>5} {p50:>6.0} {p99:>6.0} {max:>6.0}",
                k + 1,
                u.made_ms,
                u.event,
                u.delays.len()
            );
        }
    }
}

/// The first snapshot made after the kill, as the surviving viewers got it.
fn next_update(p: &Phase, t: &Takeover) -> Option<(f64, Vec<f64>)> {
    let kill_ms = t.kill_us as f64 / 1000.0;
    let survivors = |g: &&Got| g.viewer % p.instances != t.dead;
    let fresh = |g: &&Got| g.made_ms.is_some_and(|m| m as f64 > kill_ms);
    let made = p
        .got
        .iter()
        .filter(survivors)
        .filter(fresh)
        .filter_map(|g| g.made_ms)
        .min()?;
    let mut firsts = std::collections::HashMap::new();
    for g in p
        .got
        .iter()
        .filter(survivors)
        .filter(|g| g.made_ms == Some(made))
    {
        let e = firsts.entry(g.viewer).or_insert(g.recv_us);
        *e = (*e).min(g.recv_us);
    }
    let mut d: Vec<f64> = firsts
        .values()
        .map(|&r| r as f64 / 1000.0 - kill_ms)
        .collect();
    d.sort_by(|a, b| a.partial_cmp(b).unwrap());
    Some((made as f64 - kill_ms, d))
}

fn print_takeover(p: &Phase, t: &Takeover) {
    let ms = |v: Option<f64>| v.map_or("never (30 s)".into(), |v| format!("{v:.0} ms"));
    println!(
        "takeover: killed instance {} → first upstream poll by another instance after {}, live lease of instance {:?} after {}",
        t.dead,
        ms(t.first_poll_ms),
        t.new_holder,
        ms(t.lease_ms)
    );
    match next_update(p, t) {
        Some((made, d)) => println!(
            "  next update: made {made:.0} ms after the kill; received by {}/{} surviving viewers, kill → receipt p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
            d.len(),
            p.target(),
            percentile(&d, 0.5),
            percentile(&d, 0.99),
            d.last().copied().unwrap_or(f64::NAN)
        ),
        None => println!("  next update: none after the kill"),
    }
    println!(
        "  surviving viewers with the end: {}/{}",
        p.done(),
        p.target()
    );
}

/// One markdown table of every phase and instance.
pub fn print_table(phases: &[Phase]) {
    println!(
        "\n| phase | instance | role | viewers with end | p50 ms | p99 ms (all updates) | worst update p99 | last state p99 | batch GETs/s (run) |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|");
    for p in phases {
        let mut rows: Vec<(String, &str, Vec<Got>)> = (0..p.instances)
            .map(|i| (i.to_string(), p.role(i), of(p, i)))
            .collect();
        if p.instances > 1 {
            rows.push(("all".into(), "", p.got.clone()));
        }
        for (name, role, got) in rows {
            let (p50, p99, worst, l99, _) = row(&updates(&got));
            let ended: usize = got.iter().filter(|g| g.event == "batch-completed").count();
            println!(
                "| {} | {name} | {role} | {ended} | {p50:.0} | {p99:.0} | {worst:.0} | {l99:.0} | {:.2} |",
                p.label, p.run_polls
            );
        }
    }
}

/// Snapshot made (its `timestamp`) → the first NOTIFY for the batch after it, as the
/// driver's own LISTEN got it: the holder's encoding, store write and notification.
fn print_notify(p: &Phase) {
    let mut made: Vec<i64> = updates(&p.got).iter().map(|u| u.made_ms).collect();
    made.dedup();
    let mut d: Vec<f64> = made
        .iter()
        .filter_map(|&m| {
            let n = p.notified.iter().find(|&&n| n / 1000 >= m)?;
            Some(*n as f64 / 1000.0 - m as f64)
        })
        .filter(|&v| v < 1000.0)
        .collect();
    d.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "snapshot made → NOTIFY at a listener: {} of {} snapshots, p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        d.len(),
        made.len(),
        percentile(&d, 0.5),
        percentile(&d, 0.99),
        d.last().copied().unwrap_or(f64::NAN)
    );
}
