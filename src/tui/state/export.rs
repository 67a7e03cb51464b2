//! What `e`/`E` write: the batch's recipients (the marked ones, or the filtered view) as
//! CSV or JSON, through `report::to_csv`/`report::to_json`, the same functions as
//! `callboard export`, so the bytes are the same for the same rows.

use crate::api::{BatchStatusView, RecipientView};

use crate::tui::state::batch::BatchState;

/// The same columns as the JSON export and the service's CSV (attempts, termination
/// reason, variables and data collection included): one writer for all of them.
pub fn to_csv(b: &BatchState, rows: &[&RecipientView]) -> Result<String, String> {
    crate::report::to_csv(&export_view(b, rows)).map_err(|e| e.to_string())
}

/// The batch as the service describes it, with only `rows` as recipients: what the
/// JSON export writes (the same rows as the CSV, and KPIs over them).
pub fn export_view(b: &BatchState, rows: &[&RecipientView]) -> BatchStatusView {
    let recipients: Vec<RecipientView> = rows.iter().map(|r| (*r).clone()).collect();
    BatchStatusView {
        batch_id: b.id.clone(),
        id: b.id.clone(),
        name: b.name.clone(),
        status: b.status.clone(),
        agent_id: b.agent_id.clone(),
        group_id: b.group_id,
        group_name: b.group_name.clone(),
        created_at_unix: b.created_at_unix,
        scheduled_time_unix: b.scheduled_time_unix,
        last_updated_at_unix: b.last_updated_at_unix,
        retry_count: b.retry_count,
        counts: BatchStatusView::count(&recipients),
        total_recipients: recipients.len(),
        recipients,
        stop_reason: b.stop_reason.clone(),
        auto_retry: b.auto_retry.clone(),
        continued_by: b.continued_by.clone(),
        continues: b.continues.clone(),
        planned: None,
    }
}

/// A batch id made safe for a file name.
pub fn safe_name(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
