//! Several `callboard serve` instances on one PostgreSQL database (issue 17), as real
//! processes with a real `callboard sim`: one upstream poller per batch whatever the
//! number of instances, viewers on every instance see the same end, `kill -9` of the
//! instance that polls hands the batch to another, and concurrent starts for one group
//! spread over the instances submit once. Skips loudly without PostgreSQL (fails in CI).

use crate::support::process::*;
use crate::support::service::{BATCH_ENDPOINT, read_sse};
use callboard::store::pg::testing::fresh_db;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const INSTANCES: usize = 3;
const VIEWERS: usize = 300;

/// The instance (by process id) holding the batch's lease, read from the database.
async fn lease_holder(db_url: &str, batch_id: &str) -> Option<u32> {
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(db_url).await.ok()?;
    let (owner,): (String,) =
        sqlx::query_as("SELECT owner FROM batch_leases WHERE batch_id = $1 AND expires_at > now()")
            .bind(batch_id)
            .fetch_optional(&mut c)
            .await
            .ok()??;
    // `{host}-{pid}-{random}`
    owner.rsplit('-').nth(1)?.parse().ok()
}

/// Every recipient's (phone, status) in an event's view.
fn statuses(data: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = data["recipients"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| (r["phone_number"].to_string(), r["status"].to_string()))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

async fn batch_polls(sim: &str) -> u64 {
    counters(sim).await[BATCH_ENDPOINT].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_poll_once_take_over_after_kill9_and_submit_once() {
    let Some(db) = fresh_db("cluster::three_instances").await else {
        return;
    };
    let _heavy = crate::support::heavy().await;
    let sim = sim(&["--seed", "17", "--speed", "6"]);
    let store = format!("[store]\nurl = \"{}\"\n", db.url);
    let dirs: Vec<_> = (0..INSTANCES)
        .map(|_| tempfile::tempdir().unwrap())
        .collect();
    // One after the other: the first makes the schema and the demo data.
    let mut svcs: Vec<Proc> = dirs
        .iter()
        .map(|d| serve_tuned(d.path(), &sim.url, "max_streams_per_token = 200", &store))
        .collect();
    // The demo user's token goes to the first instance's data directory, as with sled,
    // not to the working directory (a database store has no directory of its own).
    assert!(dirs[0].path().join("data/demo-user-19.token").exists());
    assert!(!std::path::Path::new("demo-user-19.token").exists());
    let gid = group(&svcs[1].url, "Cluster", 12, 4_000_000).await;
    let phone = phone_id(&svcs[2].url).await;

    // Twenty starts at once over the three instances, half of them with one key.
    let starts: Vec<_> = (0..20)
        .map(|i| {
            let base = svcs[i % INSTANCES].url.clone();
            let body = json!({"userId": 19, "agentPhoneNumberId": phone});
            tokio::spawn(async move {
                let key = (i % 2 == 0).then_some("k-cluster");
                call(
                    &base,
                    reqwest::Method::POST,
                    &format!("/api/groups/{gid}/call"),
                    Some(body),
                    key,
                )
                .await
            })
        })
        .collect();
    let mut batch_ids = std::collections::BTreeSet::new();
    for s in starts {
        let (status, body) = s.await.unwrap();
        match status {
            200 | 201 => {
                batch_ids.insert(body["data"]["batchId"].as_str().unwrap().to_string());
            }
            409 => {}
            other => panic!("a start answered {other}: {body}"),
        }
    }
    assert_eq!(
        counters(&sim.url).await[SUBMIT],
        1,
        "one submit for the group"
    );
    assert_eq!(
        batch_ids.len(),
        1,
        "every accepted start names one batch: {batch_ids:?}"
    );
    let batch_id = batch_ids.pop_first().unwrap();

    // Viewers spread over the instances.
    let viewers: Vec<_> = (0..VIEWERS)
        .map(|i| {
            let url = format!(
                "{}/api/batch-calls/{batch_id}/status/stream?access_token={ADMIN}",
                svcs[i % INSTANCES].url
            );
            tokio::spawn(async move {
                let resp = http().get(url).send().await.expect("stream opens");
                assert_eq!(resp.status().as_u16(), 200);
                (
                    i % INSTANCES,
                    read_sse(resp, Duration::from_secs(180)).await.0,
                )
            })
        })
        .collect();

    // One poller for the batch, whatever the number of instances and viewers: with a
    // 200 ms interval, about 5 polls a second (three pollers would make about 15).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (before, t0) = (batch_polls(&sim.url).await, Instant::now());
    tokio::time::sleep(Duration::from_secs(4)).await;
    let rate = (batch_polls(&sim.url).await - before) as f64 / t0.elapsed().as_secs_f64();
    assert!(
        rate < 8.0,
        "one poller across the instances: {rate:.1} polls/s"
    );

    // kill -9 of the instance that polls: another takes the batch over.
    let holder = until(10, "a lease holder", || lease_holder(&db.url, &batch_id)).await;
    let dead = svcs
        .iter()
        .position(|p| p.pid() == holder)
        .expect("the lease holder is one of ours");
    svcs[dead].kill9();
    let killed_at = Instant::now();
    let polls_at_kill = batch_polls(&sim.url).await;
    until(
        10,
        "another instance polls the batch after the kill",
        || async { (batch_polls(&sim.url).await > polls_at_kill + 2).then_some(()) },
    )
    .await;
    let new_holder = until(5, "a new lease holder", || lease_holder(&db.url, &batch_id)).await;
    assert_ne!(new_holder, holder, "the lease moved");
    eprintln!("takeover after {:?}", killed_at.elapsed());

    // Every viewer on a surviving instance sees the end, with the same statuses.
    let mut finals = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for v in viewers {
        let (instance, events) = v.await.unwrap();
        if instance == dead {
            continue;
        }
        let done = events
            .iter()
            .find(|e| e.event == "batch-completed")
            .unwrap_or_else(|| panic!("a viewer on instance {instance} missed the end"));
        finals.push(statuses(&done.data["data"]));
        ids.insert(done.id.clone());
    }
    // One final snapshot, the holder's: a follower that finds the lease released after
    // the end shows the stored final state instead of polling and making its own.
    assert_eq!(
        ids.len(),
        1,
        "one final event id on every instance: {ids:?}"
    );
    assert_eq!(finals.len(), VIEWERS - VIEWERS / INSTANCES);
    assert!(!finals[0].is_empty());
    assert!(
        finals.iter().all(|f| *f == finals[0]),
        "every viewer saw the same final statuses"
    );
    let survivor = &svcs[(dead + 1) % INSTANCES].url;
    let (s, st) = get(survivor, &format!("/api/batch-calls/{batch_id}/status")).await;
    assert_eq!(s, 200, "{st}");
    assert_eq!(statuses(&st["data"]), finals[0], "the status route agrees");
    assert_eq!(counters(&sim.url).await[SUBMIT], 1, "still one submit");
}
