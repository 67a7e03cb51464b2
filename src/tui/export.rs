//! `e`: the batch's recipients (marked ones, or the filtered view) as CSV.

use crate::api::RecipientView;

use super::batch_state::{display_name, duration};

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
