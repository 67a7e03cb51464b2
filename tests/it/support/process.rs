//! Real processes for the dial-safety tests: `callboard sim` and `callboard serve` started
//! from the built binary on loopback ports, killed with SIGKILL when a test wants a crash.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ADMIN: &str = "admin-token-for-the-dial-safety-tests-0123456789";
pub const SUBMIT: &str = "POST /v1/convai/batch-calling/submit";
pub const LIST: &str = "GET /v1/convai/batch-calling/workspace";
pub const CANCEL: &str = "POST /v1/convai/batch-calling/{batch_id}/cancel";
pub const KEY: &str = "sk_dial_safety_test_key";

/// A child process killed (SIGKILL) when dropped.
pub struct Proc {
    child: Child,
    pub url: String,
}

impl Proc {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `kill -9`: no shutdown, no flush beyond what was already durable.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn spawn(cmd: &mut Command) -> Proc {
    spawn_logging(cmd, None)
}

/// Starts `cmd`; its log (stderr) goes to `log` when given, else nowhere.
fn spawn_logging(cmd: &mut Command, log: Option<&Path>) -> Proc {
    let stderr = match log {
        Some(p) => Stdio::from(std::fs::File::create(p).expect("the log file can be made")),
        None => Stdio::null(),
    };
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("the callboard binary starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        if let Some(Ok(first)) = lines.next() {
            let _ = tx.send(first);
        }
        // Keep draining so the child never blocks on a full pipe.
        for _ in lines {}
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the process prints where it listens");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    Proc { child, url }
}

/// `callboard sim` with the given extra flags.
pub fn sim(extra: &[&str]) -> Proc {
    spawn(
        Command::new(env!("CARGO_BIN_EXE_callboard"))
            .args(["sim", "--addr", "127.0.0.1:0", "--api-key", KEY])
            .args(extra),
    )
}

/// `callboard serve --demo-data` on `dir` against `sim_url`; `extra_toml` is appended to
/// the config file (sections of its own).
pub fn serve(dir: &Path, sim_url: &str, extra_toml: &str) -> Proc {
    serve_retrying(dir, sim_url, 1, extra_toml)
}

/// [`serve`] whose ElevenLabs client retries a failed request up to `max_retries` times.
pub fn serve_retrying(dir: &Path, sim_url: &str, max_retries: u32, extra_toml: &str) -> Proc {
    serve_with(dir, sim_url, max_retries, extra_toml, &[], None)
}

/// [`serve_retrying`] on a chosen address (when the simulator must know it first).
pub fn serve_on(dir: &Path, sim_url: &str, addr: &str, max_retries: u32, extra_toml: &str) -> Proc {
    serve_at(dir, sim_url, (addr, ""), max_retries, extra_toml, &[], None)
}

/// [`serve_retrying`] with more environment and its info log written to `log`.
pub fn serve_with(
    dir: &Path,
    sim_url: &str,
    max_retries: u32,
    extra_toml: &str,
    env: &[(&str, &str)],
    log: Option<&Path>,
) -> Proc {
    serve_at(
        dir,
        sim_url,
        ("127.0.0.1:0", ""),
        max_retries,
        extra_toml,
        env,
        log,
    )
}

/// [`serve`] with more `[service]` settings (`service_toml`, lines of that section).
pub fn serve_tuned(dir: &Path, sim_url: &str, service_toml: &str, extra_toml: &str) -> Proc {
    serve_at(
        dir,
        sim_url,
        ("127.0.0.1:0", service_toml),
        1,
        extra_toml,
        &[],
        None,
    )
}

/// `at`: the address, and lines of its own for the `[service]` section.
fn serve_at(
    dir: &Path,
    sim_url: &str,
    at: (&str, &str),
    max_retries: u32,
    extra_toml: &str,
    env: &[(&str, &str)],
    log: Option<&Path>,
) -> Proc {
    let (addr, service_toml) = at;
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[elevenlabs]\nbase_url = \"{sim_url}\"\nmax_retries = {max_retries}\nrequest_timeout_secs = 10\n\
             [service]\nadmin_token = \"{ADMIN}\"\npoll_interval_ms = 200\n{service_toml}\n\
             [campaign]\nrules = \"off\"\n{extra_toml}"
        ),
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_callboard"));
    cmd.envs(env.iter().copied());
    if log.is_some() {
        cmd.env("RUST_LOG", "callboard=info");
    }
    spawn_logging(
        cmd.args(["serve", "--addr", addr, "--demo-data", "--data-dir"])
            .arg(dir.join("data"))
            .env("CALLBOARD_CONFIG", &cfg)
            .env("ELEVENLABS_API_KEY", KEY)
            .env_remove("CALLBOARD_ADMIN_TOKEN")
            .env_remove("ELEVENLABS_BASE_URL")
            .env_remove("CALLBOARD_DATA_DIR")
            .env_remove("CALLBOARD_DATABASE_URL")
            .env_remove("ELEVENLABS_WEBHOOK_SECRET"),
        log,
    )
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A JSON request to the service as the admin; (status, body).
pub async fn call(
    base: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
    key: Option<&str>,
) -> (u16, Value) {
    let mut r = http()
        .request(method, format!("{base}{path}"))
        .bearer_auth(ADMIN);
    if let Some(b) = body {
        r = r.json(&b);
    }
    if let Some(k) = key {
        r = r.header("Idempotency-Key", k);
    }
    match r.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            (
                status,
                serde_json::from_str(&text).unwrap_or(Value::String(text)),
            )
        }
        Err(e) => (0, Value::String(e.to_string())),
    }
}

pub async fn get(base: &str, path: &str) -> (u16, Value) {
    call(base, reqwest::Method::GET, path, None, None).await
}

pub async fn post(base: &str, path: &str, body: Value) -> (u16, Value) {
    call(base, reqwest::Method::POST, path, Some(body), None).await
}

/// A group of `n` clients (Colombian mobiles from `first`) with the demo agent's variables.
pub async fn group(base: &str, name: &str, n: usize, first: usize) -> u64 {
    let (s, g) = post(
        base,
        "/api/groups",
        json!({"name": name, "variables": {"especialidad": "x", "ciudad": "y"}}),
    )
    .await;
    assert_eq!(s, 201, "{g:?}");
    let gid = g["data"]["id"].as_u64().unwrap();
    let clients: Vec<_> = (0..n)
        .map(|i| json!({"name": format!("C{i}"), "phone": format!("300{:07}", first + i)}))
        .collect();
    let (s, r) = post(base, &format!("/api/groups/{gid}/clients"), json!(clients)).await;
    assert_eq!(s, 201, "{r:?}");
    gid
}

/// The sim's first calling number.
pub async fn phone_id(base: &str) -> String {
    let (_, r) = get(base, "/api/phone-numbers").await;
    r["data"][0]["phone_number_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The sim's own view, as ElevenLabs' API.
pub async fn upstream(sim: &str, path: &str) -> Value {
    http()
        .get(format!("{sim}{path}"))
        .header("xi-api-key", KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Every batch in the sim's workspace.
pub async fn upstream_batches(sim: &str) -> Vec<Value> {
    upstream(sim, "/v1/convai/batch-calling/workspace?page_size=100").await["batch_calls"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

pub async fn set_faults(sim: &str, faults: Value) {
    let r = http()
        .post(format!("{sim}/_sim/faults"))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

pub async fn counters(sim: &str) -> Value {
    http()
        .get(format!("{sim}/_sim/counters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Waits until `f` gives Some (or fails after `secs`, saying what it waited for).
pub async fn until<T, F, Fut>(secs: u64, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: never happened");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
