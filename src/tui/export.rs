//! `e`/`E`: the batch's recipients (marked ones, or the filtered view) as CSV or JSON.

use crate::api::{BatchStatusView, RecipientView};

use super::batch_state::{BatchState, display_name, duration};

pub fn to_csv(rows: &[&RecipientView]) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "id",
        "name",
        "phone_number",
        "status",
        "duration_secs",
        "call_successful",
        "summary",
        "conversation_id",
    ];
    w.write_record(header).map_err(|e| e.to_string())?;
    for r in rows {
        let dur = duration(r).map(|d| d.to_string()).unwrap_or_default();
        w.write_record([
            r.id.as_str(),
            display_name(r),
            r.phone_number.as_str(),
            r.status.as_str(),
            dur.as_str(),
            r.call_successful.as_deref().unwrap_or(""),
            r.summary.as_deref().unwrap_or(""),
            r.conversation_id.as_deref().unwrap_or(""),
        ])
        .map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
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
