//! The do-not-call list, keyed by E.164 phone: added only where absent, removed only
//! explicitly.

use std::collections::HashMap;

use super::{PgStore, doc, undoc, undoc_rows};
use crate::store::error::Result;
use crate::store::optouts::OptOut;

impl PgStore {
    /// Adds opt-outs; ones already present are kept as they are. Returns how many were new.
    pub async fn add_optouts(&self, entries: &[OptOut]) -> Result<usize> {
        if entries.is_empty() {
            return Ok(0);
        }
        let phones: Vec<&str> = entries.iter().map(|e| e.phone_number.as_str()).collect();
        let docs = entries.iter().map(doc).collect::<Result<Vec<_>>>()?;
        // The first of a repeated phone wins, as the first compare-and-swap does in sled.
        let done = sqlx::query(
            "INSERT INTO optouts (phone_number, doc) \
             SELECT DISTINCT ON (t.p) t.p, t.d::json \
             FROM UNNEST($1::text[], $2::text[]) WITH ORDINALITY AS t(p, d, n) ORDER BY t.p, t.n \
             ON CONFLICT (phone_number) DO NOTHING",
        )
        .bind(&phones)
        .bind(&docs)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() as usize)
    }

    pub async fn optout(&self, phone_e164: &str) -> Result<Option<OptOut>> {
        let row: Option<String> =
            sqlx::query_scalar("SELECT doc::text FROM optouts WHERE phone_number = $1")
                .bind(phone_e164)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|d| undoc(phone_e164, &d)).transpose()
    }

    pub async fn optouts(&self) -> Result<Vec<OptOut>> {
        let rows = sqlx::query("SELECT doc::text AS doc FROM optouts ORDER BY phone_number")
            .fetch_all(&self.pool)
            .await?;
        undoc_rows("optouts", &rows)
    }

    /// phone → reason, for the pre-flight check.
    pub async fn optout_map(&self) -> Result<HashMap<String, String>> {
        Ok(self
            .optouts()
            .await?
            .into_iter()
            .map(|o| (o.phone_number, o.reason))
            .collect())
    }

    /// Removes one opt-out (an explicit decision, to be audited by the caller).
    pub async fn remove_optout(&self, phone_e164: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM optouts WHERE phone_number = $1")
            .bind(phone_e164)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
