//! The takeover phase: `kill -9` of the instance holding the batch's lease (read from
//! `batch_leases`, owner `{host}-{pid}-{random}`), then the times from the kill to the
//! first upstream poll by another instance (the sim's counters: the dead one polls no
//! more) and to a live lease row naming another instance. Also a `LISTEN` of the driver's
//! own on the snapshot channel: when each stored snapshot's NOTIFY reached a listener.

use super::Cluster;
use super::driver::sim_polls;
use super::summary::Phase;
use std::time::{Duration, Instant};

pub struct Takeover {
    /// The killed instance.
    pub dead: usize,
    /// When it was killed, µs since the epoch (the viewers' receive times are too).
    pub kill_us: i64,
    /// Kill → the next upstream batch GET (by another instance), ms.
    pub first_poll_ms: Option<f64>,
    /// Kill → a live lease held by another instance, ms, and which.
    pub lease_ms: Option<f64>,
    pub new_holder: Option<usize>,
}

/// The pid in the live lease of the batch.
async fn lease_pid(db_url: &str, batch: &str) -> Option<u32> {
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(db_url).await.ok()?;
    let (owner,): (String,) =
        sqlx::query_as("SELECT owner FROM batch_leases WHERE batch_id = $1 AND expires_at > now()")
            .bind(batch)
            .fetch_optional(&mut c)
            .await
            .ok()??;
    owner.rsplit('-').nth(1)?.parse().ok()
}

/// Which instance holds the batch's lease (None on sled, or when nobody does).
pub async fn holder_index(c: &Cluster, batch: &str) -> Option<usize> {
    let pid = lease_pid(c.db_url.as_deref()?, batch).await?;
    (0..c.svcs.len()).find(|&i| c.pid(i) == Some(pid))
}

/// Kills the holder and watches for the takeover in a task of its own.
pub async fn kill_holder(
    c: &mut Cluster,
    batch: &str,
    p: &mut Phase,
) -> tokio::task::JoinHandle<Takeover> {
    let t = Instant::now();
    let dead = loop {
        if let Some(i) = holder_index(c, batch).await {
            break i;
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "no lease holder to kill"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut proc = c.svcs[dead].take().expect("alive");
    proc.child.kill().expect("kill -9");
    let kill_us = chrono::Utc::now().timestamp_micros();
    let killed = Instant::now();
    drop(proc);
    p.dead = Some(dead);
    let polls0 = sim_polls(&c.sim.url).await;
    let (sim, db) = (c.sim.url.clone(), c.db_url.clone().expect("a database"));
    let pids: Vec<Option<u32>> = (0..c.svcs.len()).map(|i| c.pid(i)).collect();
    let batch = batch.to_string();
    tokio::spawn(async move {
        let mut tk = Takeover {
            dead,
            kill_us,
            first_poll_ms: None,
            lease_ms: None,
            new_holder: None,
        };
        while killed.elapsed() < Duration::from_secs(30) {
            let ms = killed.elapsed().as_secs_f64() * 1000.0;
            if tk.first_poll_ms.is_none() && sim_polls(&sim).await > polls0 {
                tk.first_poll_ms = Some(ms);
            }
            if tk.lease_ms.is_none()
                && let Some(pid) = lease_pid(&db, &batch).await
                && let Some(i) = pids.iter().position(|&p| p == Some(pid))
            {
                tk.lease_ms = Some(ms);
                tk.new_holder = Some(i);
            }
            if tk.first_poll_ms.is_some() && tk.lease_ms.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tk
    })
}

/// Listens on the instances' snapshot channel; the receive times (µs since the epoch) of
/// the notifications for `batch`, until the task is aborted.
pub fn listen(db_url: &str, batch: &str) -> std::sync::Arc<std::sync::Mutex<Vec<i64>>> {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (db, batch, out) = (db_url.to_string(), batch.to_string(), seen.clone());
    tokio::spawn(async move {
        let mut l = sqlx::postgres::PgListener::connect(&db)
            .await
            .expect("listen");
        l.listen("callboard_snapshot").await.expect("listen");
        while let Ok(n) = l.recv().await {
            if n.payload() == batch {
                out.lock()
                    .unwrap()
                    .push(chrono::Utc::now().timestamp_micros());
            }
        }
    });
    seen
}
