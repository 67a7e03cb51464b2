//! Call start for a 10,000-client group, excluding the upstream submit: read the group's
//! clients from the store, plan (valid, de-duplicated phones and variables), check the
//! agent's variables, build and serialise the submit request. Baseline (same run): the
//! same with phones normalised at call time, as the seed formats them on every call.
//!
//! Second part: what a call start reads of past batches (the estimate's history and, with
//! the one-contact-a-day rule, today's numbers) from a store holding 100 batches of 1,000
//! recipients. Baseline (same run): reading every record whole.
//!
//! cargo bench --bench service_callstart

use callboard::domain::phone::{Region, normalize};
use callboard::domain::preflight::{self, PreflightInput};
use callboard::domain::{ClientDraft, variables};
use callboard::journal as plan;
use callboard::store::Store;
use std::collections::BTreeMap;
use std::time::Instant;

const RUNS: usize = 15;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let g = store
        .add_group(
            "Grande",
            BTreeMap::from([
                ("especialidad".into(), "Pediatría".into()),
                ("ciudad".into(), "Cali".into()),
            ]),
            None,
        )
        .await
        .unwrap();
    let formats = ["30{}", "30{}", "+5730{}", "57 30{}"];
    let drafts: Vec<ClientDraft> = (0..10_000u64)
        .map(|i| ClientDraft {
            name: format!("Cliente {i}"),
            phone: formats[(i % 4) as usize].replace("{}", &format!("{:08}", 10_000_000 + i)),
            email: Some(format!("c{i}@example.com")),
            ..Default::default()
        })
        .collect();
    store
        .add_clients(g.id, drafts, Region::COLOMBIA)
        .await
        .unwrap();
    let required = variables::placeholders("Hola {{name}}, {{especialidad}} en {{ciudad}}");
    let tz = chrono_tz::America::Bogota;

    let mut ours = Vec::new();
    let mut baseline = Vec::new();
    let mut recipients = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let clients = store.clients(g.id).await.unwrap();
        let p = preflight::run(&PreflightInput::new(
            &g,
            &clients,
            &required,
            chrono::Utc::now(),
        ));
        assert!(p.incomplete.is_empty());
        let req = plan::submit_request(
            &p.recipients,
            plan::call_name(&g.name, chrono::Utc::now(), tz),
            "agent",
            "ph",
            None,
            tz,
        );
        let body = serde_json::to_vec(&req).unwrap();
        ours.push(t.elapsed().as_secs_f64() * 1e3);
        recipients = p.recipients.len();
        assert!(body.len() > 1_000_000);

        let t = Instant::now();
        let mut clients = store.clients(g.id).await.unwrap();
        for c in &mut clients {
            c.phone_e164 = normalize(&c.phone, Region::COLOMBIA);
        }
        let p = preflight::run(&PreflightInput::new(
            &g,
            &clients,
            &required,
            chrono::Utc::now(),
        ));
        assert!(p.incomplete.is_empty());
        let req = plan::submit_request(
            &p.recipients,
            plan::call_name(&g.name, chrono::Utc::now(), tz),
            "agent",
            "ph",
            None,
            tz,
        );
        let _ = serde_json::to_vec(&req).unwrap();
        baseline.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!("call start, 10,000 clients ({recipients} recipients), median of {RUNS}:");
    println!(
        "callboard  (phones normalised at import) {:>7.1} ms",
        median(ours)
    );
    println!(
        "baseline   (phones normalised per call)  {:>7.1} ms",
        median(baseline)
    );

    history_reads().await;
}

async fn history_reads() {
    use callboard::domain::{BatchOutcome, BatchRecord, SubmittedRecipient, Variables};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let day = chrono::Duration::days(1);
    let now = chrono::Utc::now();
    for b in 0..100u64 {
        let mut vars = Variables::new();
        vars.insert("name".into(), "Cliente".into());
        vars.insert("especialidad".into(), "Pediatría".into());
        store
            .put_batch(&BatchRecord {
                batch_id: format!("btcal_{b:04}"),
                agent_id: "agent".into(),
                // Two of them today, the rest on earlier days.
                created_at: now - day * (b.saturating_sub(1) as i32),
                recipients: (0..1_000u64)
                    .map(|i| SubmittedRecipient {
                        client_id: i,
                        name: format!("Cliente {i}"),
                        phone_number: format!("+5730{:08}", b * 1_000 + i),
                        variables: vars.clone(),
                        prior_attempts: 0,
                    })
                    .collect(),
                outcome: Some(BatchOutcome {
                    finished: 1_000,
                    completed: 600,
                    avg_duration_secs: Some(80.0),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    let today = |t: chrono::DateTime<chrono::Utc>| t.date_naive() == now.date_naive();
    let (mut ours, mut baseline) = (Vec::new(), Vec::new());
    let mut found = (0, 0);
    for _ in 0..RUNS {
        let t = Instant::now();
        let heads = store.batch_heads().await.unwrap();
        let h = preflight::History::from_outcomes(
            heads.iter().filter_map(|b| b.outcome.as_ref()).take(10),
        );
        let mut phones = std::collections::HashSet::new();
        for head in heads.iter().take_while(|b| today(b.created_at)) {
            let b = store.batch(&head.batch_id).await.unwrap().unwrap();
            phones.extend(b.recipients.into_iter().map(|r| r.phone_number));
        }
        ours.push(t.elapsed().as_secs_f64() * 1e3);
        found = (h.batches, phones.len());

        let t = Instant::now();
        let all = store.batches().await.unwrap();
        let h2 = preflight::History::from_outcomes(
            all.iter().filter_map(|b| b.outcome.as_ref()).take(10),
        );
        let phones2: std::collections::HashSet<String> = all
            .into_iter()
            .take_while(|b| today(b.created_at))
            .flat_map(|b| b.recipients.into_iter().map(|r| r.phone_number))
            .collect();
        baseline.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!((h2.batches, phones2.len()), found);
    }
    println!(
        "history + today's numbers, 100 past batches × 1,000 recipients ({} batches of history, {} numbers today), median of {RUNS}:",
        found.0, found.1
    );
    println!(
        "callboard  (heads, today's records whole) {:>7.1} ms",
        median(ours)
    );
    println!(
        "baseline   (every record whole)           {:>7.1} ms",
        median(baseline)
    );
}
