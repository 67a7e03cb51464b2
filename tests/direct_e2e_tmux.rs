//! `callboard tui --direct` for real: no separate service, the local store (filled with
//! the CLI) and ElevenLabs polled directly — here the simulator on loopback. A call is
//! started from the dashboard and followed to its end. Skipped, loudly, without tmux.

mod tmux_support;

use std::process::Command;
use tmux_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_mode_calls_a_local_group_through_elevenlabs() {
    if skip_without_tmux() {
        return;
    }
    let sim = callboard::sim::start(
        callboard::sim::SimOptions {
            seed: 9,
            speed: 120.0,
            api_key: Some("sk_direct_test_key_123".into()),
            ..Default::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[campaign]\nrules = \"off\"\n").unwrap();
    let bin = env!("CARGO_BIN_EXE_callboard");
    let cli = |args: &[&str]| {
        let out = Command::new(bin)
            .arg("--config")
            .arg(&cfg)
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    cli(&[
        "user",
        "add",
        "--name",
        "Ana",
        "--agent-id",
        &sim.first_agent_id(),
    ]);
    let csv = dir.path().join("clientes.csv");
    std::fs::write(
        &csv,
        "nombre;telefono;especialidad;ciudad\nAna Uno;3007770001;Pediatría;Cali\nBeto Dos;300 777 0002;Pediatría;Cali\nCarla Tres;(300) 777-0003;Pediatría;Cali\n",
    )
    .unwrap();
    cli(&[
        "import",
        "clients",
        csv.to_str().unwrap(),
        "--group",
        "Pediatras Cali",
    ]);

    let tmux = Tmux::start("direct", 160, 48, dir.path());
    let line = format!(
        "ELEVENLABS_API_KEY=sk_direct_test_key_123 ELEVENLABS_BASE_URL={} {bin} --config {} --data-dir {} tui --direct; echo EXIT=$?",
        sim.url(),
        cfg.display(),
        dir.path().display()
    );
    tmux.keys(&[&line, "Enter"]);
    tmux.wait_for("Pediatras Cali", 30);
    tmux.keys(&["c"]);
    let dialog = tmux.wait_for("¿Llamar al grupo «Pediatras Cali»?", 10);
    assert!(dialog.contains("Se marcará a 3 destinatarios"), "{dialog}");
    tmux.keys(&["y"]);
    tmux.wait_for("Lote: Llamada Pediatras Cali", 15);
    tmux.wait_for("3/3 (100%)", 60);
    let screen = tmux.screen();
    assert!(
        !screen.contains("sk_direct_test_key_123"),
        "the key never shows: {screen}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0", 15);
    assert_terminal_restored(&tmux);
    assert_eq!(sim.request_count("POST /v1/convai/batch-calling/submit"), 1);
    sim.shutdown().await;
}
