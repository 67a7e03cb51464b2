//! A small Chrome DevTools Protocol client for the browser tests: Chromium runs headless
//! with `--remote-debugging-pipe` (it reads commands on fd 3 and writes answers on fd 4,
//! NUL-terminated JSON), so no WebSocket and no extra crate are needed. Enough to load a
//! page, run JavaScript in it, click like a mouse, type, pick files, download and take
//! screenshots.

pub mod page;

use super::tools::{CHROMIUM, require};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::unix::pipe;
use tokio::sync::oneshot;

/// How long one wait may last before the test fails with what the page shows. Generous:
/// the machine may be busy; nothing is asserted about speed.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// The Chromium binary on PATH; without one the calling test fails on CI and otherwise is
/// reported skipped and should return.
pub fn chromium() -> Option<PathBuf> {
    require(&CHROMIUM)
}

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>;

/// One headless Chromium with one page; killed when dropped.
pub struct Browser {
    child: tokio::process::Child,
    writer: tokio::sync::Mutex<pipe::Sender>,
    pending: Pending,
    /// Exceptions thrown by the page's scripts and not caught.
    errors: Arc<Mutex<Vec<String>>>,
    /// `METHOD url` of every request the page sent.
    requests: Arc<Mutex<Vec<String>>>,
    next: AtomicU64,
    session: String,
    profile: tempfile::TempDir,
}

fn pipe_pair() -> (OwnedFd, OwnedFd) {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills the two-element array it is given.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just created and are owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

fn truthy(v: &Value) -> bool {
    !matches!(v, Value::Null | Value::Bool(false))
        && v.as_f64() != Some(0.0)
        && v.as_str() != Some("")
}

impl Browser {
    /// Starts Chromium, opens a page and lets it save downloads into `downloads`.
    pub async fn launch(bin: &Path, downloads: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let (browser_in, to_browser) = pipe_pair();
        let (from_browser, browser_out) = pipe_pair();
        let (fd3, fd4) = (browser_in.as_raw_fd(), browser_out.as_raw_fd());
        let log = std::fs::File::create(profile.path().join("chromium.log")).unwrap();
        let mut cmd = tokio::process::Command::new(bin);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--remote-debugging-pipe",
            "--window-size=1280,1000",
            "--lang=es-CO",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.path().join("p").display()
        ))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true);
        // SAFETY: between fork and exec only async-signal-safe calls (fcntl, dup2, close).
        // Both ends are first moved above 10, since either may already be fd 3 or 4.
        unsafe {
            cmd.pre_exec(move || {
                let a = libc::fcntl(fd3, libc::F_DUPFD, 10);
                let b = libc::fcntl(fd4, libc::F_DUPFD, 10);
                if a < 0 || b < 0 || libc::dup2(a, 3) < 0 || libc::dup2(b, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                libc::close(a);
                libc::close(b);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("chromium starts");
        drop((browser_in, browser_out));
        let writer = pipe::Sender::from_owned_fd(to_browser).unwrap();
        let mut reader = pipe::Receiver::from_owned_fd(from_browser).unwrap();
        let pending: Pending = Arc::default();
        let errors: Arc<Mutex<Vec<String>>> = Arc::default();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let (p, e, r) = (pending.clone(), errors.clone(), requests.clone());
        tokio::spawn(async move {
            let (mut buf, mut chunk) = (Vec::new(), vec![0u8; 1 << 16]);
            while let Ok(n @ 1..) = reader.read(&mut chunk).await {
                buf.extend_from_slice(&chunk[..n]);
                while let Some(end) = buf.iter().position(|b| *b == 0) {
                    let msg: Vec<u8> = buf.drain(..=end).collect();
                    let Ok(v) = serde_json::from_slice::<Value>(&msg[..end]) else {
                        continue;
                    };
                    if let Some(id) = v["id"].as_u64() {
                        if let Some(tx) = p.lock().unwrap().remove(&id) {
                            let _ = tx.send(v);
                        }
                    } else if v["method"] == "Runtime.exceptionThrown" {
                        let d = &v["params"]["exceptionDetails"];
                        e.lock().unwrap().push(format!(
                            "{} {} ({}:{})",
                            d["text"].as_str().unwrap_or(""),
                            d["exception"]["description"].as_str().unwrap_or(""),
                            d["url"].as_str().unwrap_or(""),
                            d["lineNumber"]
                        ));
                    } else if v["method"] == "Network.requestWillBeSent" {
                        let q = &v["params"]["request"];
                        r.lock().unwrap().push(format!(
                            "{} {}",
                            q["method"].as_str().unwrap_or(""),
                            q["url"].as_str().unwrap_or("")
                        ));
                    }
                }
            }
            // Chromium is gone: waiters fail instead of hanging.
            p.lock().unwrap().clear();
        });
        let mut b = Browser {
            child,
            writer: tokio::sync::Mutex::new(writer),
            pending,
            errors,
            requests,
            next: AtomicU64::new(1),
            session: String::new(),
            profile,
        };
        let target = b
            .call(None, "Target.createTarget", json!({"url": "about:blank"}))
            .await;
        let attached = b
            .call(
                None,
                "Target.attachToTarget",
                json!({"targetId": target["targetId"], "flatten": true}),
            )
            .await;
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in ["Page.enable", "Runtime.enable", "Network.enable"] {
            b.cmd(domain, json!({})).await;
        }
        b.call(
            None,
            "Browser.setDownloadBehavior",
            json!({"behavior": "allow", "downloadPath": downloads, "eventsEnabled": true}),
        )
        .await;
        b
    }

    /// One DevTools command; panics with Chromium's error when it fails.
    pub async fn call(&self, session: Option<&str>, method: &str, params: Value) -> Value {
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.writer
            .lock()
            .await
            .write_all(&bytes)
            .await
            .expect("chromium reads its pipe");
        let reply = tokio::time::timeout(PATIENCE, rx)
            .await
            .unwrap_or_else(|_| panic!("chromium did not answer {method}"))
            .unwrap_or_else(|_| panic!("chromium exited during {method}: {}", self.log()));
        if let Some(err) = reply.get("error") {
            panic!("{method} failed: {err}");
        }
        reply["result"].clone()
    }

    /// A command to the page.
    pub async fn cmd(&self, method: &str, params: Value) -> Value {
        self.call(Some(&self.session), method, params).await
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.profile.path().join("chromium.log")).unwrap_or_default()
    }

    pub async fn goto(&self, url: &str) {
        self.cmd("Page.navigate", json!({"url": url})).await;
    }

    /// Runs `expr` in the page (promises are awaited) and returns its JSON value.
    pub async fn eval(&self, expr: &str) -> Value {
        let r = self
            .cmd(
                "Runtime.evaluate",
                json!({"expression": expr, "awaitPromise": true, "returnByValue": true}),
            )
            .await;
        if let Some(ex) = r.get("exceptionDetails") {
            panic!("JavaScript failed: {expr}\n{ex}");
        }
        r["result"]["value"].clone()
    }

    /// Waits until `expr` is truthy in the page and returns its value.
    pub async fn wait_for(&self, expr: &str, what: &str) -> Value {
        let probe =
            format!("(() => {{ try {{ return ({expr}); }} catch (e) {{ return null; }} }})()");
        let start = Instant::now();
        loop {
            let v = self.eval(&probe).await;
            if truthy(&v) {
                return v;
            }
            if start.elapsed() > PATIENCE {
                let text = self.eval("document.body.innerText").await;
                panic!(
                    "waited in vain for {what} ({expr})\npage:\n{}\nerrors: {:?}",
                    text.as_str().unwrap_or_default(),
                    self.js_errors()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element like a mouse would: it must exist, be enabled, visible, and be
    /// what is under the pointer (not covered by a dialog, say).
    pub async fn click(&self, selector: &str) {
        let sel = serde_json::to_string(selector).unwrap();
        let at = self
            .eval(&format!(
                r#"(() => {{
                const el = document.querySelector({sel});
                if (!el) return 'missing';
                if (el.disabled) return 'disabled';
                el.scrollIntoView({{block: 'center'}});
                const r = el.getBoundingClientRect();
                if (!r.width || !r.height) return 'hidden';
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                const top = document.elementFromPoint(x, y);
                if (!top || !(el === top || el.contains(top))) return 'covered by ' + (top ? top.outerHTML.slice(0, 80) : 'nothing');
                return [x, y];
            }})()"#
            ))
            .await;
        let (Some(x), Some(y)) = (at[0].as_f64(), at[1].as_f64()) else {
            panic!("cannot click {selector}: {at}");
        };
        for kind in ["mousePressed", "mouseReleased"] {
            self.cmd(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            )
            .await;
        }
    }

    /// Focuses a field, selects what it holds and types `text` over it.
    pub async fn type_into(&self, selector: &str, text: &str) {
        let sel = serde_json::to_string(selector).unwrap();
        let ok = self
            .eval(&format!(
                "(() => {{ const el = document.querySelector({sel}); if (!el) return false; el.focus(); el.select(); return true; }})()"
            ))
            .await;
        assert_eq!(ok, json!(true), "no field {selector}");
        if text.is_empty() {
            self.cmd(
                "Input.dispatchKeyEvent",
                json!({"type": "keyDown", "key": "Backspace", "code": "Backspace", "windowsVirtualKeyCode": 8}),
            )
            .await;
            self.cmd(
                "Input.dispatchKeyEvent",
                json!({"type": "keyUp", "key": "Backspace", "code": "Backspace", "windowsVirtualKeyCode": 8}),
            )
            .await;
        } else {
            self.cmd("Input.insertText", json!({"text": text})).await;
        }
    }

    /// Chooses a select's option as a user would (value set, `change` fired).
    pub async fn select(&self, selector: &str, value: &str) {
        let (sel, val) = (
            serde_json::to_string(selector).unwrap(),
            serde_json::to_string(value).unwrap(),
        );
        let ok = self
            .eval(&format!(
                r#"(() => {{ const el = document.querySelector({sel});
                if (!el || ![...el.options].some((o) => o.value === {val})) return false;
                el.focus(); el.value = {val}; el.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()"#
            ))
            .await;
        assert_eq!(ok, json!(true), "no option {value} in {selector}");
    }

    /// Puts files in an `<input type=file>`, as the file chooser would.
    pub async fn set_files(&self, selector: &str, files: &[&Path]) {
        let sel = serde_json::to_string(selector).unwrap();
        let r = self
            .cmd(
                "Runtime.evaluate",
                json!({"expression": format!("document.querySelector({sel})")}),
            )
            .await;
        let object = r["result"]["objectId"]
            .as_str()
            .unwrap_or_else(|| panic!("no {selector}"));
        let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        self.cmd(
            "DOM.setFileInputFiles",
            json!({"files": files, "objectId": object}),
        )
        .await;
    }

    /// A PNG of the whole page.
    pub async fn screenshot(&self) -> Vec<u8> {
        let r = self
            .cmd(
                "Page.captureScreenshot",
                json!({"format": "png", "captureBeyondViewport": true}),
            )
            .await;
        base64_decode(r["data"].as_str().unwrap_or_default())
    }

    pub fn js_errors(&self) -> Vec<String> {
        self.errors.lock().unwrap().clone()
    }

    /// Requests the page sent whose `METHOD url` contains `needle`.
    pub fn requests_matching(&self, needle: &str) -> Vec<String> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.contains(needle))
            .cloned()
            .collect()
    }

    pub async fn close(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Waits for a finished download (no `.crdownload` left) and returns its bytes.
pub async fn downloaded(dir: &Path, name: &str) -> Vec<u8> {
    let path = dir.join(name);
    let partial = dir.join(format!("{name}.crdownload"));
    let start = Instant::now();
    loop {
        if path.exists() && !partial.exists() {
            let bytes = std::fs::read(&path).unwrap();
            if !bytes.is_empty() {
                return bytes;
            }
        }
        let listing: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(
            start.elapsed() < PATIENCE,
            "no download {name} in {}: {listing:?}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
