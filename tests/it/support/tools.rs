//! The outside tools some tests drive (tmux, Chromium). A test whose tool is missing fails
//! when `CI=true` (CI installs them on purpose, so a skip there would hide a lost test) and
//! elsewhere skips loudly: it says what is missing and how to install it.

use std::io::Write;
use std::path::PathBuf;

pub struct Tool {
    /// What the tool is called in messages.
    pub name: &'static str,
    /// The executables that will do, in order of preference.
    pub binaries: &'static [&'static str],
    /// How to install it on Debian or Ubuntu (what `.ci/run` does).
    pub install: &'static str,
}

pub const TMUX: Tool = Tool {
    name: "tmux",
    binaries: &["tmux"],
    install: "apt-get install tmux",
};

pub const CHROMIUM: Tool = Tool {
    name: "Chromium",
    binaries: &["chromium", "chromium-browser", "google-chrome"],
    install: "apt-get install chromium",
};

/// What a test does without its tool.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Return early, after printing this.
    Skip(String),
    /// Panic with this.
    Fail(String),
}

/// The decision, apart from the environment it is usually read from.
pub fn missing_tool(tool: &Tool, test: &str, ci: bool) -> Outcome {
    if ci {
        Outcome::Fail(format!(
            "{test}: {} is not installed but CI=true, so this test must run ({})",
            tool.name, tool.install
        ))
    } else {
        Outcome::Skip(format!(
            "\n*** SKIPPED {test}: {} is not installed (none of {:?} on PATH); install it with `{}` ***\n",
            tool.name, tool.binaries, tool.install
        ))
    }
}

/// The tool's executable on PATH; when there is none, fails on CI and otherwise says the
/// calling test is skipped (the caller then returns).
pub fn require(tool: &Tool) -> Option<PathBuf> {
    if let Some(found) = find(tool) {
        return Some(found);
    }
    let current = std::thread::current();
    let test = current.name().unwrap_or("a test");
    match missing_tool(tool, test, std::env::var("CI").as_deref() == Ok("true")) {
        Outcome::Fail(why) => panic!("{why}"),
        // Straight to the process's stderr: `eprintln!` would be captured by the test
        // harness and shown only for failed tests, and a skip must be seen.
        Outcome::Skip(why) => {
            let _ = writeln!(std::io::stderr(), "{why}");
        }
    }
    None
}

fn find(tool: &Tool) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    tool.binaries.iter().find_map(|bin| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(bin))
            .find(|candidate| is_executable(candidate))
    })
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[test]
fn a_missing_tool_fails_on_ci_and_skips_loudly_elsewhere() {
    let on_ci = missing_tool(&TMUX, "some_test", true);
    let Outcome::Fail(why) = on_ci else {
        panic!("CI=true must fail: {on_ci:?}");
    };
    assert!(why.contains("some_test") && why.contains("tmux") && why.contains("CI=true"));

    let local = missing_tool(&CHROMIUM, "other_test", false);
    let Outcome::Skip(why) = local else {
        panic!("without CI it must skip: {local:?}");
    };
    assert!(why.contains("SKIPPED other_test"), "{why}");
    assert!(why.contains("apt-get install chromium"), "{why}");
}
