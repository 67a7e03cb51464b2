//! Issue 14 at the command line: `serve`'s logs read as plain text when stderr is not a
//! terminal, and `--help` speaks to users, not to the project's history.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

#[test]
fn serve_logs_carry_no_colour_codes_into_a_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("none.toml"), "").unwrap();
    // No key: the service warns that calls will answer 503, a log line to look at.
    let mut child = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["serve", "--addr", "127.0.0.1:0", "--no-auth", "--data-dir"])
        .arg(dir.path())
        .env_remove("ELEVENLABS_API_KEY")
        .env_remove("NO_COLOR")
        .env("CALLBOARD_CONFIG", dir.path().join("none.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(line.starts_with("listening on"), "{line}");
    assert!(
        logs.contains("ElevenLabs"),
        "the warning was logged: {logs:?}"
    );
    assert!(
        !logs.contains('\u{1b}'),
        "ANSI codes in piped logs: {logs:?}"
    );
}

#[test]
fn help_speaks_to_users() {
    for args in [&["--help"][..], &["serve", "--help"], &["demo", "--help"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_callboard"))
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for jargon in ["the seed", "seed's", "issue "] {
            assert!(!text.contains(jargon), "{args:?} says {jargon:?}:\n{text}");
        }
    }
    let serve = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&serve.stdout);
    assert!(text.contains("ELEVENLABS_API_KEY"), "{text}");
    assert!(text.contains("demo-user-19.token"), "{text}");
}
