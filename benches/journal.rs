//! What the submission journal costs, measured as a user meets it.
//!
//! 1. A call start of 1,000 clients writes, besides the batch record it always wrote, the
//!    key's binding and the intent before the submit, and settles both after it. Baseline
//!    (same run): the record alone, as before the journal. Median of 31 runs each.
//! 2. A service whose store holds 1,000 recorded batches (100 recipients each, half of
//!    them not final) answers its first request: time from `start` to the first answer
//!    of `GET /api/groups`, a real HTTP request on loopback. Recovery (settling the
//!    journal, re-adopting the unfinished batches) goes on behind it.
//!
//! cargo bench --bench journal

use callboard::domain::intent::IntentKind;
use callboard::domain::{BatchRecord, BatchStatus, SubmittedRecipient, Variables};
use callboard::journal::{Draft, draft};
use callboard::store::Store;
use callboard::store::cache::IdempotentResponse;
use std::time::{Duration, Instant};

const RUNS: usize = 31;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn record(id: &str, n: usize, done: bool) -> BatchRecord {
    let recipients = (0..n)
        .map(|i| {
            let mut variables = Variables::new();
            variables.insert("name".into(), format!("Cliente {i}"));
            variables.insert("ciudad".into(), "Cali".into());
            SubmittedRecipient {
                client_id: i as u64,
                name: format!("Cliente {i}"),
                phone_number: format!("+57300{:07}", i),
                variables,
                prior_attempts: 0,
            }
        })
        .collect();
    BatchRecord {
        batch_id: id.into(),
        group_id: 1,
        group_name: "Grande".into(),
        user_id: 19,
        agent_id: "agent_1".into(),
        phone_number_id: "phnum_1".into(),
        call_name: "Llamada Grande - 30/11/2026".into(),
        created_at: chrono::Utc::now(),
        recipients,
        last_status: Some(if done {
            BatchStatus::Completed
        } else {
            BatchStatus::InProgress
        }),
        done,
        ..Default::default()
    }
}

async fn journal_cost() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut base = Vec::new();
    let mut ours = Vec::new();
    for i in 0..RUNS {
        let rec = record(&format!("btcal_base_{i}"), 1000, false);
        let t = Instant::now();
        store.put_batch(&rec).await.unwrap();
        base.push(t.elapsed().as_secs_f64() * 1e3);

        let mut rec = record("", 1000, false);
        rec.batch_id.clear();
        let t = Instant::now();
        let intent = draft(
            rec,
            Draft {
                kind: IntentKind::Start,
                timezone: chrono_tz::America::Bogota,
                key: None,
                parent: None,
                due_unix: None,
            },
        );
        let bind = IdempotentResponse {
            status: 0,
            body: serde_json::Value::Null,
            created_at: chrono::Utc::now(),
            fingerprint: Some("f".into()),
            intent_id: Some(intent.id.clone()),
        };
        store
            .put_idempotent("call/19/1", &format!("k{i}"), &bind)
            .await
            .unwrap();
        store.put_intent(&intent).await.unwrap();
        let mut settled = intent.record.clone();
        settled.batch_id = format!("btcal_journal_{i}");
        store.settle_intent(&intent, &settled).await.unwrap();
        ours.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (b, o) = (median(base), median(ours));
    println!("call start writes, 1,000 recipients (median of {RUNS}):");
    println!("  record only (before the journal): {b:.2} ms");
    println!(
        "  key + intent + settle (journal):  {o:.2} ms  → adds {:.2} ms",
        o - b
    );
}

fn first_answer() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let sim = callboard::sim::start(Default::default(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            for i in 0..1000 {
                store
                    .put_batch(&record(&format!("btcal_old_{i:04}"), 100, i % 2 == 0))
                    .await
                    .unwrap();
            }
        }
        let mut cfg = callboard::config::Config::defaults();
        cfg.data_dir = dir.path().to_path_buf();
        cfg.elevenlabs.base_url = sim.url();
        cfg.elevenlabs.api_key = Some(callboard::secret::Secret::new("sk_bench"));
        cfg.campaign.rules = None;
        let t = Instant::now();
        let svc = callboard::service::start(
            cfg.service_options(),
            callboard::service::ServeOptions {
                addr: Some("127.0.0.1:0".parse().unwrap()),
                no_auth: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let http = reqwest::Client::new();
        let answered = loop {
            if let Ok(r) = http.get(format!("{}/api/groups", svc.url())).send().await
                && r.status().is_success()
            {
                break t.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        println!("service with 1,000 recorded batches (500 unfinished):");
        println!(
            "  start → first answer of GET /api/groups: {:.0} ms",
            answered.as_secs_f64() * 1e3
        );
        svc.shutdown().await;
    });
}

fn main() {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(journal_cost());
    first_answer();
}
