//! A private tmux server for end-to-end tests of the real binary: type with `send-keys`,
//! read the screen with `capture-pane`. Without tmux a test fails on CI and skips loudly
//! elsewhere (`support::tools`).

use super::tools::{TMUX, require};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// One tmux server of our own (`-L`), so nothing else's sessions or environment leak in,
/// and so that it can be stopped without touching anyone else's.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(name: &str, w: u16, h: u16, dir: &Path) -> Self {
        let socket = format!("callboard-e2e-{name}-{}", std::process::id());
        let t = Self { socket };
        t.run(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
            "-c",
            &dir.display().to_string(),
            "env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME=/tmp bash --norc --noprofile",
        ]);
        t
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Wait until the screen contains `text`; panics with the screen after `secs`.
    pub fn wait_for(&self, text: &str, secs: u64) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                panic!("waited {secs}s for {text:?}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until `text` has left the screen. Needed after `Escape`: a key sent right
    /// behind it reaches the terminal as one `ESC x` sequence (Alt+x).
    pub fn wait_gone(&self, text: &str, secs: u64) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if !s.contains(text) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                panic!("waited {secs}s for {text:?} to go; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn pane_pid(&self) -> u32 {
        self.run(&["list-panes", "-t", "e2e", "-F", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("pane pid")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// True when tmux is missing and the calling test should return: see [`require`].
pub fn skip_without_tmux() -> bool {
    require(&TMUX).is_none()
}

/// Raw mode is off again: the terminal echoes and is line-buffered. (`$((1+1))` prints a
/// marker that the typed command line itself does not contain.)
pub fn assert_terminal_restored(tmux: &Tmux) {
    tmux.keys(&[
        "stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo; echo STTY-$((1+1))",
        "Enter",
    ]);
    let modes = tmux.wait_for("STTY-2", 5);
    assert!(modes.lines().any(|l| l.trim() == "icanon"), "{modes}");
    assert!(modes.lines().any(|l| l.trim() == "echo"), "{modes}");
}
