//! The real binary against a real store on disk: `import clients`, `user add/list`,
//! `--help`, `--version`, completions and the faces' exit codes.

use std::path::Path;
use std::process::{Command, Output};

fn callboard(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(args)
        .env("CALLBOARD_DATA_DIR", data_dir)
        .env("CALLBOARD_CONFIG", data_dir.join("no-config.toml"))
        .env_remove("ELEVENLABS_API_KEY")
        .output()
        .expect("run callboard")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[tokio::test]
async fn import_reports_rows_rejections_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    // An explicit CALLBOARD_CONFIG that does not exist is an error; point it at a real file.
    std::fs::write(dir.path().join("no-config.toml"), "").unwrap();
    let csv = dir.path().join("medicos.csv");
    std::fs::write(
        &csv,
        "\u{feff}Nombre;Teléfono;Correo;Especialidad\n\
         Dr. García;300 111 2223;g@h.co;Cardiología\n\
         Dra. Pérez;abc;p@h.co;Pediatría\n\
         Dr. García B;+57 300 111 2223;;\n\
         Dr. Ruiz;(300) 123-4567;r@h.co;Neurología\n",
    )
    .unwrap();
    let out = callboard(
        dir.path(),
        &[
            "import",
            "clients",
            csv.to_str().unwrap(),
            "--group",
            "Médicos Test",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("creado"), "{stdout}");
    assert!(stdout.contains("4 filas leídas"), "{stdout}");
    assert!(stdout.contains("2 clientes nuevos"), "{stdout}");
    assert!(stdout.contains("1 rechazadas"), "{stdout}");
    assert!(
        stdout.contains("línea 3") && stdout.contains("letras"),
        "{stdout}"
    );
    assert!(stdout.contains("duplicada línea 4"), "{stdout}");

    // The same file again updates instead of duplicating.
    let out = callboard(
        dir.path(),
        &[
            "import",
            "clients",
            csv.to_str().unwrap(),
            "--group",
            "medicos test",
        ],
    );
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("0 clientes nuevos, 2 actualizados"),
        "{stdout}"
    );

    // What was stored is readable by the library.
    let store = callboard::store::Store::open(dir.path()).unwrap();
    let g = store.group_by_name("Médicos Test").await.unwrap().unwrap();
    assert_eq!(store.clients(g.id).await.unwrap().len(), 2);
}

#[test]
fn import_of_a_file_without_phone_column_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("no-config.toml"), "").unwrap();
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "nombre,correo\nAna,a@x.co\n").unwrap();
    let out = callboard(
        dir.path(),
        &["import", "clients", csv.to_str().unwrap(), "--group", "X"],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("no hay columna de teléfono"), "{stderr}");
    let out = callboard(
        dir.path(),
        &["import", "clients", "/nonexistent.csv", "--group", "X"],
    );
    assert!(text(&out).1.contains("no se pudo leer"));
}

#[tokio::test]
async fn user_add_prints_token_once_and_list_never_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("no-config.toml"), "").unwrap();
    let out = callboard(
        dir.path(),
        &[
            "user",
            "add",
            "--name",
            "Supervisora Ana",
            "--agent-id",
            "agent_x",
            "--id",
            "19",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let token = stdout
        .lines()
        .find(|l| l.starts_with("cb_"))
        .expect("token line")
        .to_string();
    assert_eq!(token.len(), 3 + 64);
    let out = callboard(dir.path(), &["user", "list"]);
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("19") && stdout.contains("Supervisora Ana") && stdout.contains("agent_x")
    );
    assert!(!stdout.contains(&token[3..]), "the token is never listed");
    // The stored hash matches the printed token.
    let store = callboard::store::Store::open(dir.path()).unwrap();
    assert_eq!(store.user_by_token(&token).await.unwrap().unwrap().id, 19);
    drop(store);
    // A duplicate id is refused without changing anything.
    let out = callboard(
        dir.path(),
        &[
            "user",
            "add",
            "--name",
            "B",
            "--agent-id",
            "a",
            "--id",
            "19",
        ],
    );
    assert!(!out.status.success());
    assert!(text(&out).1.contains("already exists"));
}

#[test]
fn a_store_held_by_another_process_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("no-config.toml"), "").unwrap();
    let _held = callboard::store::Store::open(dir.path()).unwrap();
    let out = callboard(dir.path(), &["user", "list"]);
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr.contains("in use by another callboard process"),
        "{stderr}"
    );
}

#[test]
fn help_version_and_completions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("no-config.toml"), "").unwrap();
    let out = callboard(dir.path(), &["--help"]);
    let (stdout, _) = text(&out);
    for sub in [
        "demo",
        "tui",
        "serve",
        "sim",
        "import",
        "user",
        "completions",
    ] {
        assert!(stdout.contains(sub), "--help lists {sub}");
    }
    let out = callboard(dir.path(), &["--version"]);
    assert!(text(&out).0.starts_with("callboard "));
    let out = callboard(dir.path(), &["completions", "bash"]);
    assert!(out.status.success());
    assert!(text(&out).0.contains("_callboard()"));
}

#[test]
fn broken_config_file_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cb.toml");
    std::fs::write(&cfg, "[service]\nkeepalive_secs = -3\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["--config", cfg.to_str().unwrap(), "user", "list"])
        .env("CALLBOARD_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr.contains("cb.toml") && stderr.contains("line 2"),
        "{stderr}"
    );
    assert!(stderr.contains("service.keepalive_secs"), "{stderr}");
}

#[test]
fn api_key_from_environment_is_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("no-config.toml"), "").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["-vvv", "user", "list"])
        .env("CALLBOARD_DATA_DIR", dir.path())
        .env("CALLBOARD_CONFIG", dir.path().join("no-config.toml"))
        .env("ELEVENLABS_API_KEY", "sk_supersecret_value_123")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(!stdout.contains("supersecret") && !stderr.contains("supersecret"));
}

#[test]
fn optouts_import_add_remove_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("no-config.toml"), "").unwrap();
    let csv = dir.path().join("rne.csv");
    std::fs::write(
        &csv,
        "telefono;motivo\n3001234567;RNE\nno-es;x\n3001234568;\n",
    )
    .unwrap();
    let out = callboard(dir.path(), &["optout", "import", csv.to_str().unwrap()]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("2 teléfonos leídos, 2 nuevos"), "{stdout}");
    assert!(stdout.contains("línea 3"), "{stdout}");
    // Importing again adds nothing and removes nothing.
    let out = callboard(dir.path(), &["optout", "import", csv.to_str().unwrap()]);
    assert!(text(&out).0.contains("0 nuevos en la lista, 2 ya estaban"));
    let out = callboard(
        dir.path(),
        &["optout", "add", "300 123 4569", "--reason", "llamó molesto"],
    );
    assert!(text(&out).0.contains("+573001234569: agregado"));
    let out = callboard(dir.path(), &["optout", "remove", "+573001234568"]);
    assert!(text(&out).0.contains("retirado"));
    let out = callboard(dir.path(), &["optout", "add", "abc"]);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("letras"));
    let (list, _) = text(&callboard(dir.path(), &["optout", "list"]));
    assert!(list.contains("+573001234567") && list.contains("+573001234569"));
    assert!(!list.contains("+573001234568"));
    let (audit, _) = text(&callboard(dir.path(), &["audit"]));
    let actions: Vec<&str> = audit
        .lines()
        .filter_map(|l| l.split_whitespace().nth(3))
        .collect();
    assert_eq!(
        actions,
        vec![
            "optout.import",
            "optout.import",
            "optout.add",
            "optout.remove"
        ],
        "{audit}"
    );
}

#[tokio::test]
async fn user_token_rotate_and_revoke() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("no-config.toml"), "").unwrap();
    let out = callboard(
        dir.path(),
        &[
            "user",
            "add",
            "--name",
            "Ana",
            "--agent-id",
            "agent_1",
            "--id",
            "7",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let old = text(&out)
        .0
        .lines()
        .find(|l| l.starts_with("cb_"))
        .unwrap()
        .to_string();
    let out = callboard(
        dir.path(),
        &[
            "user",
            "token",
            "rotate",
            "--id",
            "7",
            "--expires-in-days",
            "30",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let new = stdout.lines().find(|l| l.starts_with("cb_")).unwrap();
    assert_ne!(new, old);
    assert!(stdout.contains("Vence el"), "{stdout}");
    let out = callboard(dir.path(), &["user", "token", "revoke", "--id", "7"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let store = callboard::store::Store::open(dir.path()).unwrap();
    assert_eq!(store.user_by_token(new).await.unwrap(), None);
    assert_eq!(store.user_by_token(&old).await.unwrap(), None);
    drop(store);
    let out = callboard(dir.path(), &["user", "token", "revoke", "--id", "8"]);
    assert!(!out.status.success());
    assert!(
        callboard(
            dir.path(),
            &["user", "add", "--name", "X", "--agent-id", "a", "--id", "0"]
        )
        .status
        .code()
            != Some(0)
    );
}
