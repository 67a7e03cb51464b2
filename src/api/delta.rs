//! Delta events, for callboard's own clients: `GET …/status/stream?view=delta`. Every event
//! that changes the view carries an `id:`; after the whole view once (`status-update`, as
//! in the seed's stream), each change comes as `status-delta` with only the recipients that
//! changed. A client that reconnects sends the last id it applied (`Last-Event-ID`, or
//! `?lastEventId=` for a page that opens a new `EventSource`) and gets only what it
//! missed, or the whole view again when the service no longer knows that id. The final
//! `batch-completed` has no `data`: the event before it already brought the last state.
//! A client that asks for nothing gets the seed's full events, unchanged.

use serde::{Deserialize, Serialize};

use super::views::BatchStatusView;

/// `?view=` value of the stream that asks for delta events.
pub const VIEW_DELTA: &str = "delta";
/// `?view=` value of the seed's full events (the default).
pub const VIEW_FULL: &str = "full";
pub const EVENT_STATUS_DELTA: &str = "status-delta";

/// `status-delta`: what changed since the event `base`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusDeltaEvent {
    pub success: bool,
    /// The `id:` of the event this one applies to.
    pub base: String,
    /// Where each recipient of `data.recipients` sits in the whole view, in order.
    pub positions: Vec<u32>,
    /// The batch's fields as `status-update` has them, except `recipients`: only those that
    /// changed.
    pub data: BatchStatusView,
    pub timestamp: String,
}

/// `batch-completed` for delta viewers: the end, without repeating the view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchCompletedNotice {
    pub message: String,
    pub final_status: String,
    pub timestamp: String,
}

impl BatchStatusView {
    /// The batch's fields without its recipients (what a delta carries besides them),
    /// without cloning every recipient first.
    pub fn clone_without_recipients(&self) -> Self {
        let BatchStatusView {
            batch_id,
            id,
            name,
            status,
            agent_id,
            group_id,
            group_name,
            created_at_unix,
            scheduled_time_unix,
            last_updated_at_unix,
            retry_count,
            counts,
            total_recipients,
            recipients: _,
            stop_reason,
            auto_retry,
            continued_by,
            continues,
            planned,
        } = self;
        BatchStatusView {
            batch_id: batch_id.clone(),
            id: id.clone(),
            name: name.clone(),
            status: status.clone(),
            agent_id: agent_id.clone(),
            group_id: *group_id,
            group_name: group_name.clone(),
            created_at_unix: *created_at_unix,
            scheduled_time_unix: *scheduled_time_unix,
            last_updated_at_unix: *last_updated_at_unix,
            retry_count: *retry_count,
            counts: counts.clone(),
            total_recipients: *total_recipients,
            recipients: Vec::new(),
            stop_reason: stop_reason.clone(),
            auto_retry: auto_retry.clone(),
            continued_by: continued_by.clone(),
            continues: continues.clone(),
            planned: planned.clone(),
        }
    }
}

impl StatusDeltaEvent {
    /// Applies the change to `view`, the whole view as of event `applied` (the client's last
    /// id). False, and `view` untouched, when it does not fit: another base, or recipients
    /// not where the delta says; the client must then ask for the whole view again
    /// (reconnect without `Last-Event-ID`).
    pub fn apply(self, applied: Option<&str>, view: &mut BatchStatusView) -> bool {
        let fits = applied == Some(self.base.as_str())
            && self.positions.len() == self.data.recipients.len()
            && self
                .positions
                .iter()
                .zip(&self.data.recipients)
                .all(|(&p, r)| {
                    view.recipients
                        .get(p as usize)
                        .is_some_and(|old| old.id == r.id)
                });
        if !fits {
            return false;
        }
        let mut data = self.data;
        let changed = std::mem::take(&mut data.recipients);
        let mut recipients = std::mem::take(&mut view.recipients);
        for (p, r) in self.positions.into_iter().zip(changed) {
            if let Some(slot) = recipients.get_mut(p as usize) {
                *slot = r;
            }
        }
        data.recipients = recipients;
        *view = data;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::RecipientView;
    use crate::domain::{BatchStatus, RecipientStatus};

    fn recipient(id: &str, status: RecipientStatus) -> RecipientView {
        serde_json::from_value(serde_json::json!({
            "id": id, "phone_number": "+573001234567", "status": status.as_str(),
        }))
        .unwrap()
    }

    fn view(recipients: Vec<RecipientView>, status: BatchStatus) -> BatchStatusView {
        serde_json::from_value(serde_json::json!({
            "batch_id": "b", "id": "b", "name": "n", "status": status.as_str(), "agent_id": "a",
            "total_recipients": recipients.len(), "recipients": recipients,
        }))
        .unwrap()
    }

    #[test]
    fn a_delta_replaces_the_changed_recipients_and_the_batch_fields() {
        let mut full = view(
            vec![
                recipient("r1", RecipientStatus::Pending),
                recipient("r2", RecipientStatus::Pending),
            ],
            BatchStatus::Pending,
        );
        let after = view(
            vec![
                recipient("r1", RecipientStatus::Pending),
                recipient("r2", RecipientStatus::Completed),
            ],
            BatchStatus::InProgress,
        );
        let mut data = after.clone();
        data.recipients = vec![after.recipients[1].clone()];
        let delta = StatusDeltaEvent {
            success: true,
            base: "7".into(),
            positions: vec![1],
            data,
            timestamp: String::new(),
        };
        assert!(!delta.clone().apply(Some("6"), &mut full), "another base");
        assert!(!delta.clone().apply(None, &mut full), "no base at all");
        assert_ne!(full, after, "untouched when it does not fit");
        assert!(delta.apply(Some("7"), &mut full));
        assert_eq!(full, after);
    }

    #[test]
    fn a_delta_for_recipients_elsewhere_is_refused() {
        let mut full = view(
            vec![recipient("r1", RecipientStatus::Pending)],
            BatchStatus::Pending,
        );
        let mut data = full.clone();
        data.recipients = vec![recipient("r9", RecipientStatus::Completed)];
        let delta = StatusDeltaEvent {
            success: true,
            base: "1".into(),
            positions: vec![0],
            data,
            timestamp: String::new(),
        };
        let before = full.clone();
        assert!(!delta.apply(Some("1"), &mut full));
        assert_eq!(full, before);
    }
}
