//! `callboard serve` as a process: the first stdout line says where it listens.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn serve_prints_its_address_first_and_refuses_open_non_loopback() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("none.toml"), "").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["serve", "--addr", "127.0.0.1:0", "--no-auth", "--data-dir"])
        .arg(dir.path())
        .env_remove("ELEVENLABS_API_KEY")
        .env("CALLBOARD_CONFIG", dir.path().join("none.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line: {line:?}"));
    assert!(
        addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
        "{addr}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["serve", "--addr", "0.0.0.0:0", "--no-auth", "--data-dir"])
        .arg(dir.path())
        .env("CALLBOARD_CONFIG", dir.path().join("none.toml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}
