//! `callboard tui` from the shell, where no terminal UI can start: every refusal is a
//! clear message and a distinct exit code.

use std::process::Command;

fn tui(args: &[&str]) -> (i32, String) {
    tui_lang("es", args)
}

fn tui_lang(lang: &str, args: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["--lang", lang])
        .arg("--config")
        .arg(&cfg)
        .arg("--data-dir")
        .arg(dir.path())
        .arg("tui")
        .args(args)
        .env_remove("CALLBOARD_SERVER")
        .env_remove("CALLBOARD_TOKEN")
        .env_remove("CALLBOARD_LANG")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn direct_mode_says_it_is_not_available_yet() {
    let (code, err) = tui(&["--direct"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`callboard tui --direct` is not yet available"),
        "{err}"
    );
}

#[test]
fn no_server_is_explained_in_spanish_and_in_english() {
    let (code, err) = tui(&[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("falta la dirección del servicio: use --server URL"),
        "{err}"
    );
    let (code, err) = tui_lang("en", &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("no service address: use --server URL"),
        "{err}"
    );
}

#[test]
fn without_a_terminal_it_refuses_before_touching_the_screen() {
    // stdout is a pipe here, never a TTY.
    let (code, err) = tui(&[
        "--server",
        "http://127.0.0.1:9",
        "--token",
        "tok_secret_xyz",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("necesita una terminal"), "{err}");
    assert!(!err.contains("tok_secret_xyz"), "{err}");
}
