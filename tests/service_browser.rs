//! The web page in a real headless Chromium: the seed's flow (group → "📞 Llamar" →
//! EventSource progress → results with transcripts) against `serve --no-auth` and the
//! simulator. Skips loudly when Chromium is not installed (`apt-get install chromium`).

mod service_support;

use service_support::*;
use std::path::PathBuf;
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("which").arg(name).output().ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        })
}

fn run_browser(bin: &PathBuf, args: &[String]) -> std::process::Output {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
    ]);
    cmd.args(args);
    cmd.output().expect("chromium runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_page_runs_the_seed_flow_in_chromium() {
    let Some(bin) = chromium() else {
        eprintln!(
            "\n*** SKIPPED web_page_runs_the_seed_flow_in_chromium: chromium is not installed (apt-get install chromium) ***\n"
        );
        return;
    };
    let sim = sim(900.0, 7).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), true, true).await;
    let url = format!("{}/?auto=55", svc.url());
    let profile = tempfile::tempdir().unwrap();
    let dom = {
        let bin = bin.clone();
        let args = vec![
            format!("--user-data-dir={}", profile.path().display()),
            "--virtual-time-budget=30000".to_string(),
            "--dump-dom".to_string(),
            url.clone(),
        ];
        tokio::task::spawn_blocking(move || run_browser(&bin, &args))
            .await
            .unwrap()
    };
    let html = String::from_utf8_lossy(&dom.stdout).to_string();
    assert!(
        html.contains("call-group-btn"),
        "page rendered: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    // The seed's code ran: a batch started, progress reached the end, results shown.
    assert_eq!(
        sim.request_count(SUBMIT_ENDPOINT),
        1,
        "the page pressed Llamar once"
    );
    assert!(
        html.contains("data-batch-state=\"done\""),
        "onBatchCompleted ran:\n{html}"
    );
    assert!(
        html.contains("✅ Llamadas Completadas"),
        "button in its final state"
    );
    assert!(
        html.contains("14/14 completadas") || html.contains("/14 completadas"),
        "progress bar text"
    );
    assert!(
        html.contains("<details class=\"transcript\">"),
        "transcripts listed"
    );
    assert!(html.contains("<audio controls"), "audio player present");

    // A screenshot of the same page, for people reading the test output.
    let shot = std::env::temp_dir().join(format!("callboard-web-{}.png", std::process::id()));
    let args = vec![
        format!("--user-data-dir={}", profile.path().display()),
        "--window-size=1280,1000".to_string(),
        "--virtual-time-budget=30000".to_string(),
        format!("--screenshot={}", shot.display()),
        url,
    ];
    let out = tokio::task::spawn_blocking(move || run_browser(&bin, &args))
        .await
        .unwrap();
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 1000,
        "screenshot written: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "screenshot of the web page: {} ({size} bytes)",
        shot.display()
    );
    svc.shutdown().await;
    sim.shutdown().await;
}
