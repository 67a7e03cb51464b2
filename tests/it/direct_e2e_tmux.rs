//! `callboard tui --direct` for real: no separate service, the local store (filled with
//! the CLI) and ElevenLabs polled directly — here the simulator on loopback. The call
//! dialog shows the service's pre-flight, the call is followed to its end, a recipient is
//! put on the do-not-call list (checked in the store afterwards), and the KPI pane shows
//! its bars. Skipped, loudly, without tmux.

use crate::support::heavy;
use crate::support::tmux::*;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_mode_calls_a_local_group_through_elevenlabs() {
    if skip_without_tmux() {
        return;
    }
    let _alone = heavy().await;
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
    tmux.wait_for("¿Llamar al grupo «Pediatras Cali»?", 10);
    // The service's dry-run fills the dialog; nothing is dialled by it.
    let dialog = tmux.wait_for("Variables del agente", 15);
    assert!(dialog.contains("Se llamará a 3 destinatarios"), "{dialog}");
    assert!(dialog.contains("Omitidos: ninguno"), "{dialog}");
    assert!(
        dialog.contains("Horario: sin restricción de horario"),
        "{dialog}"
    );
    assert!(dialog.contains("Estimado: "), "{dialog}");
    assert!(dialog.contains("Reintentos automáticos (a): "), "{dialog}");
    assert_eq!(sim.request_count("POST /v1/convai/batch-calling/submit"), 0);
    tmux.keys(&["y"]);
    tmux.wait_for("Lote: Llamada Pediatras Cali", 15);
    tmux.wait_for("3/3 terminadas (100%)", 60);
    let screen = tmux.screen();
    assert!(
        !screen.contains("sk_direct_test_key_123"),
        "the key never shows: {screen}"
    );

    // `o` on the selected recipient, confirmed: the service adds it and the row is marked.
    tmux.keys(&["o"]);
    let ask = tmux.wait_for("a la lista de no llamar?", 10);
    let phone = ask
        .split("¿Añadir ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the dialog names the phone")
        .to_string();
    assert!(phone.starts_with("+57300777000"), "{ask}");
    tmux.keys(&["y"]);
    let marked = tmux.wait_for("agregado a la lista de no llamar", 10);
    assert!(marked.contains(&phone), "{marked}");
    tmux.wait_for("⊘ = no llamar", 10);

    // The KPI pane: five bars, drawn with █ and ░. Wait for its last bar: a capture taken
    // while the pane is being drawn shows only its first lines.
    tmux.keys(&["i"]);
    tmux.wait_for("Indicadores: Llamada Pediatras Cali", 10);
    let kpi = tmux.wait_for("Cobertura ", 10);
    for label in [
        "Contestadas",
        "Buzón de voz",
        "Fallidas",
        "Éxito",
        "Cobertura",
    ] {
        assert!(kpi.contains(label), "{label}: {kpi}");
    }
    assert!(kpi.contains("3 de 3 terminadas"), "{kpi}");
    assert!(kpi.contains("Cobertura      100% █"), "{kpi}");

    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0", 15);
    assert_terminal_restored(&tmux);
    assert_eq!(sim.request_count("POST /v1/convai/batch-calling/submit"), 1);
    // The opt-out is in the local store the direct mode used.
    let store = callboard::store::Store::open(dir.path()).unwrap();
    let saved = store
        .optout(&phone)
        .await
        .unwrap()
        .expect("the phone is on the list");
    assert_eq!(saved.reason, "añadido desde el panel");
    sim.shutdown().await;
}
