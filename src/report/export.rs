//! A batch's results as CSV (for spreadsheets) and JSON: variables, status, attempts,
//! duration, summary, success verdict and data collection results per recipient.

use std::collections::BTreeSet;

use crate::api::BatchStatusView;

/// CSV with one row per recipient. Variable and data-collection columns are the union
/// over all recipients (`var_*`, `data_*`), so every row has the same columns.
pub fn to_csv(view: &BatchStatusView) -> Result<String, csv::Error> {
    let vars: BTreeSet<&str> = view
        .recipients
        .iter()
        .flat_map(|r| r.variables.keys().map(String::as_str))
        .collect();
    let data: BTreeSet<&str> = view
        .recipients
        .iter()
        .flat_map(|r| r.data_collection.keys().map(String::as_str))
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "recipient_id".to_string(),
        "name".into(),
        "phone_number".into(),
        "status".into(),
        "attempts".into(),
        "duration_secs".into(),
        "call_successful".into(),
        "summary".into(),
        "conversation_id".into(),
        "termination_reason".into(),
    ];
    header.extend(vars.iter().map(|v| format!("var_{v}")));
    header.extend(data.iter().map(|d| format!("data_{d}")));
    w.write_record(&header)?;
    for r in &view.recipients {
        let mut row = vec![
            r.id.clone(),
            r.name.clone().unwrap_or_default(),
            r.phone_number.clone(),
            r.status.to_string(),
            r.attempts.to_string(),
            r.duration_secs.map(|d| d.to_string()).unwrap_or_default(),
            r.call_successful.clone().unwrap_or_default(),
            r.summary.clone().unwrap_or_default(),
            r.conversation_id.clone().unwrap_or_default(),
            r.termination_reason.clone().unwrap_or_default(),
        ];
        row.extend(
            vars.iter()
                .map(|v| r.variables.get(*v).cloned().unwrap_or_default()),
        );
        row.extend(data.iter().map(|d| match r.data_collection.get(*d) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }));
        w.write_record(&row)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The same results as JSON: the batch header and every recipient.
pub fn to_json(view: &BatchStatusView) -> serde_json::Value {
    serde_json::json!({
        "batch_id": view.batch_id,
        "name": view.name,
        "status": view.status,
        "group_id": view.group_id,
        "group_name": view.group_name,
        "retry_count": view.retry_count,
        "kpis": super::kpi::kpis(view),
        "recipients": view.recipients.iter().map(|r| serde_json::json!({
            "recipient_id": r.id,
            "name": r.name,
            "phone_number": r.phone_number,
            "status": r.status,
            "attempts": r.attempts,
            "duration_secs": r.duration_secs,
            "call_successful": r.call_successful,
            "summary": r.summary,
            "conversation_id": r.conversation_id,
            "termination_reason": r.termination_reason,
            "variables": r.variables,
            "data_collection": r.data_collection,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RecipientStatus::*;
    use crate::report::kpi::tests::{recipient, view};

    #[test]
    fn csv_has_union_columns_and_quotes_commas() {
        let mut a = recipient(1, Completed, Some("success"), Some(42));
        a.data_collection
            .insert("acepta".into(), serde_json::json!(true));
        let mut b = recipient(2, Failed, None, None);
        b.variables.insert("ciudad".into(), "Cali".into());
        let csv = to_csv(&view(vec![a, b])).unwrap();
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        assert!(headers.ends_with(&["var_ciudad".into(), "var_name".into(), "data_acepta".into()]));
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][3], "completed");
        assert_eq!(&rows[0][5], "42");
        assert_eq!(&rows[0][7], "Resumen, con coma");
        assert_eq!(&rows[0][headers.len() - 1], "true");
        assert_eq!(&rows[1][headers.len() - 3], "Cali");
        assert_eq!(&rows[1][headers.len() - 1], "");
    }

    #[test]
    fn json_export_carries_kpis_and_recipients() {
        let v = view(vec![recipient(1, Completed, Some("success"), Some(42))]);
        let j = to_json(&v);
        assert_eq!(j["recipients"][0]["duration_secs"], 42);
        assert_eq!(j["kpis"]["completed"], 1);
        assert_eq!(j["status"], "completed");
    }
}
