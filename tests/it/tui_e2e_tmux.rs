//! The real binary in a real terminal: `callboard tui --server …` runs inside tmux
//! against the contract server started by this test on 127.0.0.1:0. Keys go in with
//! `send-keys`, the screen is read with `capture-pane`. Skipped, loudly, without tmux.
//!
//! When `callboard demo` exists this is the same script against the demo's own service.

use crate::support::heavy;
use crate::support::tmux::*;
use crate::support::tui_contract::*;
use callboard::domain::BatchStatus;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn command_line(dir: &Path, server: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_callboard");
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, "").expect("write empty config");
    format!(
        "{bin} --config {} --data-dir {} tui --server {server} --token {TOKEN}; echo EXIT=$?",
        cfg.display(),
        dir.display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_a_call_watch_it_complete_read_a_transcript_and_quit() {
    if skip_without_tmux() {
        return;
    }
    let _alone = heavy().await;
    let c = Shared::default();
    c.event_gap_ms
        .store(300, std::sync::atomic::Ordering::SeqCst);
    c.statuses
        .lock()
        .unwrap()
        .push_back(view(6, BatchStatus::InProgress));
    c.streams.lock().unwrap().push_back((
        vec![
            Ev::Connected,
            Ev::Update(view(4, BatchStatus::InProgress)),
            Ev::Update(view(2, BatchStatus::InProgress)),
            Ev::Completed(view(1, BatchStatus::Completed)),
        ],
        End::Hang,
    ));
    let addr = serve(c.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("call", 160, 48, dir.path());
    let line = command_line(dir.path(), &format!("http://{addr}"));
    tmux.keys(&[&line, "Enter"]);
    tmux.wait_for("Cardiología Bogotá", 20);

    // Call the first group: the service first asks about missing variables.
    tmux.keys(&["c"]);
    tmux.wait_for("¿Llamar al grupo «Médicos Test»?", 10);
    // The dry-run answers first: who lacks variables is known before `y`.
    let checked = tmux.wait_for("Sin todas las variables (1): Dra. Pérez (especialidad)", 10);
    assert!(
        checked.contains("Listos para llamar ahora: 11 de 12"),
        "{checked}"
    );
    assert!(checked.contains("[ ] o = omitir incompletos"), "{checked}");
    assert_eq!(c.dry_runs.lock().unwrap().len(), 1);
    assert!(c.starts.lock().unwrap().is_empty());
    // `y` without `o` is refused in the dialog itself, with what to do.
    tmux.keys(&["y"]);
    tmux.wait_for("No se llamó: pulse o para llamar solo a los listos", 10);
    assert!(c.starts.lock().unwrap().is_empty());
    tmux.keys(&["o"]);
    tmux.wait_for("[x] o = omitir incompletos", 5);
    tmux.keys(&["y"]);
    // The new batch is followed live until it ends.
    tmux.wait_for("Llamadas iniciadas: 13 destinatarios", 10);
    let done = tmux.wait_for("24/24 terminadas (100%)", 20);
    assert!(done.contains("completado"), "{done}");

    // Open the first recipient's conversation.
    tmux.keys(&["Enter"]);
    let t = tmux.wait_for("Conversación: Dr. García 1", 5);
    assert!(
        t.contains("Agente: Buenos días, ¿hablo con Dr. García 1?"),
        "{t}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("Destinatarios 24 de 24", 5);

    tmux.keys(&["q"]);
    let after = tmux.wait_for("EXIT=0", 10);
    assert!(
        !after.contains("Destinatarios"),
        "the alternate screen was left:\n{after}"
    );
    assert_terminal_restored(&tmux);
    // One start only: the refused `y` never left the dialog.
    assert_eq!(c.starts.lock().unwrap().len(), 1);
    assert!(c.starts.lock().unwrap()[0].skip_incomplete);
}

/// The dashboard process: the only child of the pane's shell.
fn tui_pid(tmux: &Tmux) -> u32 {
    let shell = tmux.pane_pid();
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
        .expect("children of the pane shell");
    children
        .split_whitespace()
        .next()
        .expect("tui process")
        .parse()
        .expect("pid")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_restores_the_terminal() {
    if skip_without_tmux() {
        return;
    }
    let _alone = heavy().await;
    let c = Shared::default();
    let addr = serve(c.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("term", 100, 30, dir.path());
    tmux.keys(&[
        &command_line(dir.path(), &format!("http://{addr}")),
        "Enter",
    ]);
    tmux.wait_for("Grupos (2)", 20);
    let pid = tui_pid(&tmux);
    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let after = tmux.wait_for("EXIT=0", 10);
    assert!(!after.contains("Grupos (2)"), "{after}");
    assert_terminal_restored(&tmux);
}

/// Not a pass/fail test: measures idle CPU and memory of the real binary following a
/// live but unchanging 10,000-recipient batch, for BENCHMARKS.md. Run with
/// `cargo test --release --test it idle_cpu_and_memory -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn idle_cpu_and_memory_with_10k_recipients() {
    if skip_without_tmux() {
        return;
    }
    let _alone = heavy().await;
    let c = Shared::default();
    let big = view_n(10_000, 3, BatchStatus::InProgress);
    let transcripts = big
        .recipients
        .iter()
        .filter(|r| r.transcript.is_some())
        .count();
    c.statuses.lock().unwrap().push_back(big.clone());
    c.streams
        .lock()
        .unwrap()
        .push_back((vec![Ev::Connected, Ev::Update(big)], End::Hang));
    let addr = serve(c.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("idle", 160, 48, dir.path());
    tmux.keys(&[
        &command_line(dir.path(), &format!("http://{addr}")),
        "Enter",
    ]);
    tmux.wait_for("Cardiología Bogotá", 20);
    tmux.keys(&["Tab", "Enter"]);
    tmux.wait_for("Destinatarios 10000 de 10000", 20);
    std::thread::sleep(Duration::from_secs(2));
    let shell = tmux.pane_pid();
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
    let pid: u32 = children
        .split_whitespace()
        .next()
        .expect("tui process")
        .parse()
        .unwrap();
    let cpu = |pid: u32| -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let f: Vec<&str> = after.split_whitespace().collect();
        f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
    };
    let ticks = 100.0; // USER_HZ on Linux
    let t0 = cpu(pid);
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(10));
    let used = (cpu(pid) - t0) as f64 / ticks;
    let wall = start.elapsed().as_secs_f64();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .map(|l| l.trim_start_matches(k).trim().to_string())
            .unwrap_or_default()
    };
    println!(
        "idle over {wall:.1}s: {:.2}% of one core; VmRSS {}; VmHWM {}; {transcripts} transcripts loaded",
        100.0 * used / wall,
        field("VmRSS:"),
        field("VmHWM:")
    );
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0", 10);
}
