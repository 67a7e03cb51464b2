//! The do-not-call list as the service answers it (`GET`/`POST /api/optouts`): one entry
//! per E.164 phone. Clients read this type, never the store's record; its JSON is the
//! same as the service writes today (camelCase, `addedAt` as RFC 3339).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One phone on the do-not-call list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptOutView {
    pub phone_number: String,
    /// Why (e.g. "RNE", "pidió no ser llamado").
    pub reason: String,
    /// Where it came from: `import:FILE`, `api`, `admin`, `tui`.
    pub source: String,
    pub added_at: DateTime<Utc>,
}

/// What `POST /api/optouts/import` did: rows read, numbers new to the list, rows refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OptOutImport {
    pub rows: usize,
    pub added: usize,
    pub rejected: Vec<crate::domain::import::RejectedRow>,
}

#[cfg(test)]
mod tests {
    use super::OptOutView;
    use crate::store::optouts::OptOut;

    /// The service writes the store's record; clients read this view: same JSON.
    #[test]
    fn reads_and_writes_what_the_service_answers() {
        let stored = OptOut {
            phone_number: "+573001000007".into(),
            reason: "pidió no ser llamado".into(),
            source: "api".into(),
            added_at: chrono::DateTime::from_timestamp(1_756_000_000, 0).unwrap(),
        };
        let wire = serde_json::to_value(&stored).unwrap();
        let view: OptOutView = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(view.phone_number, stored.phone_number);
        assert_eq!(view.added_at, stored.added_at);
        assert_eq!(serde_json::to_value(&view).unwrap(), wire);
    }
}
