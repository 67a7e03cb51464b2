//! `callboard demo` keeps its promises (issue 14, findings 1 and 2), checked in-process
//! for several seeds: the first batch always has unanswered and voicemail calls, its
//! automatic retry round is scheduled a simulated minute after its last call — by the
//! same clock the calls are stamped with — and `g` has somewhere to go.

use callboard::api::{BatchStatusView, Envelope};
use callboard::cli::DemoArgs;
use callboard::config::Config;
use callboard::domain::RecipientStatus;
use callboard::faces::demo::Demo;
use std::time::{Duration, Instant};

async fn status(base: &str, token: &str, id: &str) -> BatchStatusView {
    let env: Envelope<BatchStatusView> = reqwest::Client::new()
        .get(format!("{base}/api/batch-calls/{id}/status"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    env.data.expect("a status view")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_batch_always_has_someone_to_retry_on_one_clock() {
    for seed in [1, 7, 42] {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = Config::defaults();
        cfg.data_dir = dir.path().to_path_buf();
        let demo = Demo::start(&cfg, &DemoArgs { speed: 120.0, seed })
            .await
            .expect("the demo starts");
        // The dashboard gets the simulator's clock (ahead of the wall's by now).
        tokio::time::sleep(Duration::from_millis(600)).await;
        let clock = demo
            .tui_options(&cfg, &DemoArgs { speed: 120.0, seed })
            .clock;
        let (tui_now, sim_now) = (clock.now().timestamp(), demo.sim.now_unix());
        assert!((tui_now - sim_now).abs() <= 2, "{tui_now} vs {sim_now}");
        assert!(tui_now - chrono::Utc::now().timestamp() >= 30);
        assert!(clock.is_accelerated());
        let base = demo.service.url();
        let token = demo.token.expose().to_string();
        let started = Instant::now();
        let view = loop {
            let v = status(&base, &token, &demo.live_batch).await;
            if v.continued_by.is_some() {
                break v;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "seed {seed}: no retry round: {:?}",
                v.recipients.iter().map(|r| &r.status).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let count = |s: RecipientStatus| view.recipients.iter().filter(|r| r.status == s).count();
        assert!(count(RecipientStatus::Failed) >= 1, "seed {seed}");
        assert!(count(RecipientStatus::Voicemail) >= 1, "seed {seed}");
        // One clock: the round is due a simulated minute after the last call it re-dials
        // ended (by the clock the calls are stamped with), and it does not begin before.
        let last = view
            .recipients
            .iter()
            .map(|r| r.updated_at_unix)
            .max()
            .unwrap();
        if let Some(due) = view.auto_retry.as_ref().and_then(|a| a.next_at_unix) {
            assert!(
                (due - last - 60).abs() <= 5,
                "seed {seed}: due {due}, last call {last}"
            );
        }
        let next = status(&base, &token, view.continued_by.as_deref().unwrap()).await;
        let begins = next.created_at_unix.max(next.scheduled_time_unix);
        // A round due within half a minute is sent at once (the service's rule).
        assert!(
            begins >= last + 25,
            "seed {seed}: the round begins at {begins}, the last call ended at {last}"
        );
        assert_eq!(
            next.recipients.len(),
            count(RecipientStatus::Failed) + count(RecipientStatus::Voicemail),
            "seed {seed}"
        );
        // The demo's simulator posts each call's webhook to the demo's service.
        let hub = demo.service.state().hub().ok().cloned().expect("a hub");
        assert!(hub.webhooks_received() > 0, "seed {seed}: webhooks wired");
        demo.shutdown().await;
    }
}
