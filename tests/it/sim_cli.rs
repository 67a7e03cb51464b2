//! `callboard sim` as a process: the first stdout line names the address, the API answers
//! there with the key given by `--api-key`, and bad flags are refused with a clear message.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn prints_its_address_first_then_serves() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_callboard"))
            .args([
                "sim",
                "--addr",
                "127.0.0.1:0",
                "--seed",
                "5",
                "--speed",
                "100",
                "--api-key",
                "sk_cli",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    });
    let line = tokio::time::timeout(Duration::from_secs(20), line)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"));
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let http = reqwest::Client::new();
    let ok = http
        .get(format!("{url}/v1/convai/phone-numbers"))
        .header("xi-api-key", "sk_cli")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let phones: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(phones.as_array().unwrap().len(), 2);
    let wrong = http
        .get(format!("{url}/v1/convai/phone-numbers"))
        .header("xi-api-key", "other")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
}

#[test]
fn bad_flags_are_refused_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["sim", "--speed", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--speed"), "{err}");
    assert!(out.stdout.is_empty(), "nothing printed as if it listened");
}
