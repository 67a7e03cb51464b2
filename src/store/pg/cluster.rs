//! What several `serve` instances on one database share beyond the records: a lease per
//! watched batch (so exactly one instance polls it upstream), the batch's last snapshot
//! (so every instance shows the same one, with the same event ids), and notifications
//! (a new snapshot, a kick) through `LISTEN`/`NOTIFY`. Times are the database's (`now()`),
//! so the instances' clocks need not agree.

use sqlx::postgres::PgListener;
use std::time::Duration;

use super::PgStore;
use crate::store::{ClusterEvent, Result};

/// Channel of "batch X has a new shared snapshot" (payload: the batch id).
pub const SNAPSHOT_CHANNEL: &str = "callboard_snapshot";
/// Channel of "something changed for batch X, poll it now" (payload: the batch id).
pub const KICK_CHANNEL: &str = "callboard_kick";

/// This instance's subscription to the others' notifications.
pub struct PgEvents {
    listener: PgListener,
}

impl PgEvents {
    /// The next notification; reconnects by itself after a lost connection.
    pub async fn next(&mut self) -> Result<ClusterEvent> {
        match self.listener.try_recv().await? {
            None => Ok(ClusterEvent::Reconnected),
            Some(n) if n.channel() == KICK_CHANNEL => Ok(ClusterEvent::Kick(n.payload().into())),
            Some(n) => Ok(ClusterEvent::Snapshot(n.payload().into())),
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl PgStore {
    /// Takes the batch's lease for `owner`, or renews it: true when `owner` holds it now
    /// (it was free, expired, or already its own).
    pub async fn lease_batch(&self, batch_id: &str, owner: &str, ttl: Duration) -> Result<bool> {
        let row: Option<(String,)> = sqlx::query_as(
            "INSERT INTO batch_leases (batch_id, owner, expires_at)
             VALUES ($1, $2, now() + $3 * interval '1 millisecond')
             ON CONFLICT (batch_id) DO UPDATE
                SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
                WHERE batch_leases.owner = EXCLUDED.owner OR batch_leases.expires_at < now()
             RETURNING owner",
        )
        .bind(batch_id)
        .bind(owner)
        .bind(millis(ttl))
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// Extends the leases `owner` holds on `batch_ids` (its running pollers).
    pub async fn renew_leases(
        &self,
        owner: &str,
        batch_ids: &[String],
        ttl: Duration,
    ) -> Result<()> {
        if batch_ids.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "UPDATE batch_leases SET expires_at = now() + $3 * interval '1 millisecond'
             WHERE owner = $1 AND batch_id = ANY($2)",
        )
        .bind(owner)
        .bind(batch_ids)
        .bind(millis(ttl))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Gives the lease up (the poller stopped).
    pub async fn release_lease(&self, batch_id: &str, owner: &str) -> Result<()> {
        sqlx::query("DELETE FROM batch_leases WHERE batch_id = $1 AND owner = $2")
            .bind(batch_id)
            .bind(owner)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Stores the batch's new snapshot and tells the other instances, only while `owner`
    /// holds the lease (a paused instance whose lease was taken over cannot overwrite the
    /// new owner's snapshot). True when stored.
    pub async fn share_snapshot(&self, batch_id: &str, owner: &str, body: &str) -> Result<bool> {
        let row: Option<(String,)> = sqlx::query_as(
            "WITH up AS (
                INSERT INTO batch_snapshots (batch_id, body)
                SELECT $1, $3
                WHERE EXISTS (SELECT 1 FROM batch_leases WHERE batch_id = $1 AND owner = $2)
                ON CONFLICT (batch_id) DO UPDATE
                    SET body = EXCLUDED.body, updated_at = now()
                RETURNING batch_id)
             SELECT pg_notify('callboard_snapshot', batch_id)::text FROM up",
        )
        .bind(batch_id)
        .bind(owner)
        .bind(body)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// The batch's last shared snapshot (as stored by its owner).
    pub async fn shared_snapshot(&self, batch_id: &str) -> Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT body FROM batch_snapshots WHERE batch_id = $1")
                .bind(batch_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|r| r.0))
    }

    /// Asks the instance polling the batch to poll it now.
    pub async fn notify_kick(&self, batch_id: &str) -> Result<()> {
        sqlx::query("SELECT pg_notify('callboard_kick', $1)")
            .bind(batch_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Listens to the other instances' notifications.
    pub async fn cluster_events(&self) -> Result<PgEvents> {
        let mut listener = PgListener::connect_with(self.pool()).await?;
        listener
            .listen_all([SNAPSHOT_CHANNEL, KICK_CHANNEL])
            .await?;
        Ok(PgEvents { listener })
    }
}
