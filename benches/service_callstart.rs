//! Call start for a 10,000-client group, excluding the upstream submit: read the group's
//! clients from the store, plan (valid, de-duplicated phones and variables), check the
//! agent's variables, build and serialise the submit request. Baseline (same run): the
//! same with phones normalised at call time, as the seed formats them on every call.
//!
//! cargo bench --bench service_callstart

use callboard::domain::phone::{Region, normalize};
use callboard::domain::preflight::{self, PreflightInput};
use callboard::domain::{ClientDraft, variables};
use callboard::store::Store;
use callboard::submission as plan;
use std::collections::BTreeMap;
use std::time::Instant;

const RUNS: usize = 15;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
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
    store.add_clients(g.id, drafts, Region::COLOMBIA).unwrap();
    let required = variables::placeholders("Hola {{name}}, {{especialidad}} en {{ciudad}}");
    let tz = chrono_tz::America::Bogota;

    let mut ours = Vec::new();
    let mut baseline = Vec::new();
    let mut recipients = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let clients = store.clients(g.id).unwrap();
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
        let mut clients = store.clients(g.id).unwrap();
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
}
