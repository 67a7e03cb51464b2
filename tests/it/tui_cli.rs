//! `callboard tui` from the shell, where no terminal UI can start: every refusal is a
//! clear message and a distinct exit code.

use std::process::Command;

fn tui(args: &[&str]) -> (i32, String) {
    tui_lang("es", args)
}

fn tui_lang(lang: &str, args: &[&str]) -> (i32, String) {
    tui_env(lang, args, &[])
}

fn tui_env(lang: &str, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
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
        .env_remove("ELEVENLABS_API_KEY")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn direct_mode_needs_a_key_and_a_user_with_an_agent() {
    let (code, err) = tui(&["--direct"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("defina ELEVENLABS_API_KEY"), "{err}");
    let (code, err) = tui_env(
        "es",
        &["--direct"],
        &[("ELEVENLABS_API_KEY", "sk_x_never_shown")],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no hay usuarios con agente"), "{err}");
    assert!(!err.contains("sk_x_never_shown"));
    let (code, err) = tui_env(
        "en",
        &["--direct", "--user", "7"],
        &[("ELEVENLABS_API_KEY", "sk_x_never_shown")],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("there is no user 7"), "{err}");
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
