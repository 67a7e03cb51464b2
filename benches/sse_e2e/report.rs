//! What the end-to-end driver prints: one block per case, then a summary table.

use super::common::percentile;

pub struct Update {
    pub made_ms: i64,
    pub event: String,
    pub bytes: usize,
    /// Snapshot made → kernel receive time, per viewer, in ms.
    pub delays: Vec<f64>,
}

pub struct Case {
    pub mode: String,
    pub viewers: usize,
    pub ready: usize,
    pub refused: usize,
    pub recipients: usize,
    pub connect_secs: f64,
    pub rss_connected: f64,
    pub rss_end: f64,
    pub hwm: f64,
    pub idle_cpu_pct: f64,
    pub idle_secs: f64,
    pub idle_polls_per_interval: f64,
    pub idle_updates: usize,
    pub run_polls_per_interval: f64,
    pub completed: usize,
    pub updates: Vec<Update>,
}

pub fn stats(mut d: Vec<f64>) -> (f64, f64, f64) {
    d.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let max = d.last().copied().unwrap_or(f64::NAN);
    (percentile(&d, 0.5), percentile(&d, 0.99), max)
}

impl Case {
    fn all(&self) -> (f64, f64, f64) {
        stats(
            self.updates
                .iter()
                .flat_map(|u| u.delays.iter().copied())
                .collect(),
        )
    }
    /// The last state: its status event and `batch-completed` (both carry it).
    fn last(&self) -> (f64, f64, f64) {
        let last_made = self.updates.iter().map(|u| u.made_ms).max().unwrap_or(0);
        stats(
            self.updates
                .iter()
                .filter(|u| u.made_ms == last_made)
                .flat_map(|u| u.delays.iter().copied())
                .collect(),
        )
    }
    fn worst_update_p99(&self) -> f64 {
        self.updates
            .iter()
            .map(|u| stats(u.delays.clone()).1)
            .fold(0.0, f64::max)
    }
}

pub fn print_case(c: &Case) {
    println!(
        "\n== mode={} viewers={} (ready {}, refused {}) recipients={} connect {:.1} s",
        c.mode, c.viewers, c.ready, c.refused, c.recipients, c.connect_secs
    );
    println!(
        "serve RSS after connect {:.0} MB, end {:.0} MB, peak (VmHWM) {:.0} MB",
        c.rss_connected, c.rss_end, c.hwm
    );
    println!(
        "idle: CPU {:.2} % of a core over {:.1} s, upstream polls/interval {:.2}{}",
        c.idle_cpu_pct,
        c.idle_secs,
        c.idle_polls_per_interval,
        if c.idle_updates > 0 {
            format!(" (NOT idle: {} updates arrived)", c.idle_updates)
        } else {
            String::new()
        }
    );
    println!(
        "run: upstream polls/interval {:.2}, viewers with batch-completed {}/{}",
        c.run_polls_per_interval, c.completed, c.ready
    );
    println!("  update  event            bytes  deliveries   p50 ms   p99 ms   max ms");
    for (i, u) in c.updates.iter().enumerate() {
        let (p50, p99, max) = stats(u.delays.clone());
        println!(
            "  {:>6}  {:<15} {:>7}  {:>10} {:>8.0} {:>8.0} {:>8.0}",
            i + 1,
            u.event,
            u.bytes,
            u.delays.len(),
            p50,
            p99,
            max
        );
    }
    let (p50, p99, max) = c.all();
    let (l50, l99, lmax) = c.last();
    println!(
        "all updates: p50 {p50:.0} ms p99 {p99:.0} ms max {max:.0} ms; worst update's p99 {:.0} ms; last state p50 {l50:.0} p99 {l99:.0} max {lmax:.0} ms",
        c.worst_update_p99()
    );
}

pub fn print_summary(cases: &[Case]) {
    println!(
        "\n| mode | viewers | p50 ms | p99 ms (all updates) | worst update p99 | last state p99 | RSS connected | RSS peak (HWM) | idle CPU | polls/interval |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for c in cases {
        let (p50, p99, _) = c.all();
        let (_, l99, _) = c.last();
        println!(
            "| {} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} MB | {:.0} MB | {:.2} % | {:.2} |",
            c.mode,
            c.viewers,
            p50,
            p99,
            c.worst_update_p99(),
            l99,
            c.rss_connected,
            c.hwm,
            c.idle_cpu_pct,
            c.run_polls_per_interval
        );
    }
}
