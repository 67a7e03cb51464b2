//! `callboard demo` for real: simulator, service and dashboard in one process, driven in
//! tmux as a supervisor would. The demo opens on a live batch; the test starts a call on
//! "Médicos Test", watches it finish, reads a transcript, quits, and checks the terminal
//! is restored. Skipped, loudly, without tmux.

use crate::support::heavy_blocking;
use crate::support::tmux::*;

#[test]
fn demo_start_a_call_watch_it_complete_read_a_transcript_and_quit() {
    if skip_without_tmux() {
        return;
    }
    let _alone = heavy_blocking();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "").unwrap();
    let tmux = Tmux::start("demo", 160, 48, dir.path());
    let line = format!(
        "{} --config {} --data-dir {} demo --speed 60; echo EXIT=$?",
        env!("CARGO_BIN_EXE_callboard"),
        cfg.display(),
        dir.path().display()
    );
    tmux.keys(&[&line, "Enter"]);
    // The screen is live at once, on the demo's own running batch.
    let first = tmux.wait_for("Lote: Llamada Seguimiento Cardiología", 30);
    assert!(first.contains("Médicos Test"), "{first}");

    // Call "Médicos Test" (the first group): the dialog says who is skipped and why.
    tmux.keys(&["Tab"]);
    tmux.keys(&["c"]);
    // The dialog opens at once and the reasons follow with the service's dry-run answer
    // (later on a busy machine): wait for the reason, then check the whole dialog.
    let dialog = tmux.wait_for("7 dígitos", 10);
    assert!(
        dialog.contains("¿Llamar al grupo «Médicos Test»?"),
        "{dialog}"
    );
    assert!(dialog.contains("Se llamará a 14 destinatarios"), "{dialog}");
    assert!(
        dialog.contains("7 dígitos"),
        "the invalid landline is explained: {dialog}"
    );
    tmux.keys(&["y"]);
    tmux.wait_for("Lote: Llamada Médicos Test", 15);
    let done = tmux.wait_for("14/14 terminadas (100%)", 60);
    assert!(done.contains("completad"), "{done}");

    // Open the first recipient that was answered: its transcript uses its variables.
    tmux.keys(&["/"]);
    tmux.keys(&["completada", "Enter"]);
    tmux.keys(&["Enter"]);
    let t = tmux.wait_for("Conversación:", 10);
    assert!(
        t.contains("Sofía"),
        "the agent's first message is in the transcript: {t}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_gone("Conversación:", 5);

    tmux.keys(&["q"]);
    let after = tmux.wait_for("EXIT=0", 15);
    assert!(
        !after.contains("Destinatarios"),
        "the alternate screen was left:\n{after}"
    );
    assert_terminal_restored(&tmux);
}
