//! Call start for a 10,000-client group as a supervisor meets it, on each store engine:
//! `POST /api/groups/:id/call` to a real `callboard serve` process against a real
//! `callboard sim`, timed from the request to the answer (store reads, pre-flight, the
//! journal's intent, the submit upstream, the batch's 10,000-recipient record). The
//! baseline is the same service on sled, in the same run: both services run side by
//! side and take turns, each on a group of its own per round. PostgreSQL is the server
//! of `CALLBOARD_TEST_DATABASE_URL` (a database is made for the run and dropped after).
//!
//! CALLBOARD_TEST_DATABASE_URL=postgres://USER:PASSWORD@HOST/postgres cargo bench --bench callstart_engines

#[path = "service_common/mod.rs"]
mod common;

use callboard::store::pg::testing::fresh_db;
use common::*;
use serde_json::json;
use std::time::Instant;

const CLIENTS: usize = 10_000;
const ROUNDS: usize = 5;

/// A group of `CLIENTS` clients on the service at `base`; its id.
async fn big_group(base: &str, name: &str, first: usize) -> u64 {
    let g = post(
        &format!("{base}/api/groups"),
        json!({"name": name, "variables": {"especialidad": "Pediatría", "ciudad": "Cali"}}),
    )
    .await;
    let gid = g["data"]["id"].as_u64().expect("group made");
    // As a supervisor brings them: one CSV.
    let mut csv = String::from("Nombre;Teléfono\n");
    for i in 0..CLIENTS {
        csv.push_str(&format!("Cliente {i};30{:08}\n", first + i));
    }
    let r: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/groups/{gid}/clients/import"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"]["created"], CLIENTS, "clients imported: {r}");
    gid
}

/// One call start; its wall time in ms.
async fn start(base: &str, gid: u64, phone: &str) -> f64 {
    let t = Instant::now();
    let r = post(
        &format!("{base}/api/groups/{gid}/call"),
        json!({"userId": 19, "agentPhoneNumberId": phone}),
    )
    .await;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(r["data"]["recipientsCount"], CLIENTS, "started: {r}");
    ms
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let Some(db) = fresh_db("callstart_engines").await else {
        eprintln!("set CALLBOARD_TEST_DATABASE_URL to compare with PostgreSQL");
        std::process::exit(2);
    };
    let sim = spawn(&["sim", "--addr", "127.0.0.1:0", "--speed", "1"], &[]);
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let sled = serve_for_viewers(dirs[0].path(), &sim.url, 1000, 100, &[]);
    let pg = serve_for_viewers(
        dirs[1].path(),
        &sim.url,
        1000,
        100,
        &[("CALLBOARD_DATABASE_URL", &db.url)],
    );
    let phone =
        json(&format!("{}/api/phone-numbers", sled.url)).await["data"][0]["phone_number_id"]
            .as_str()
            .unwrap()
            .to_string();
    let (mut on_sled, mut on_pg) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let first = 10_000_000 + round * CLIENTS;
        let gs = big_group(&sled.url, &format!("Grande {round}"), first).await;
        let gp = big_group(&pg.url, &format!("Grande {round}"), first + 5_000_000).await;
        // Who goes first alternates, so neither always meets a busier machine.
        if round % 2 == 0 {
            on_sled.push(start(&sled.url, gs, &phone).await);
            on_pg.push(start(&pg.url, gp, &phone).await);
        } else {
            on_pg.push(start(&pg.url, gp, &phone).await);
            on_sled.push(start(&sled.url, gs, &phone).await);
        }
    }
    println!(
        "call start, {CLIENTS} clients, POST /api/groups/:id/call end to end, {ROUNDS} rounds:"
    );
    println!(
        "sled (baseline)  median {:>7.1} ms  runs {:?}",
        median(on_sled.clone()),
        rounded(&on_sled)
    );
    println!(
        "PostgreSQL       median {:>7.1} ms  runs {:?}",
        median(on_pg.clone()),
        rounded(&on_pg)
    );
    println!(
        "ratio PostgreSQL / sled: {:.2}",
        median(on_pg) / median(on_sled)
    );
}

fn rounded(v: &[f64]) -> Vec<i64> {
    v.iter().map(|x| x.round() as i64).collect()
}
