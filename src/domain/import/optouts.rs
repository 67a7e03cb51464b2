//! Opt-out files (for example an export of the RNE register): a phone column and an
//! optional reason; bad rows are reported, never fatal.

use serde::Serialize;

use super::error::ImportError;
use super::headers::{Column, classify};
use super::reader::open_csv;
use super::rows::RejectedRow;
use crate::domain::phone::{self, Region};

/// An opt-out read from a file (for example an export of the RNE register).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptOutRow {
    pub phone_number: String,
    pub reason: Option<String>,
}

/// Reads a CSV of opt-outs: a phone column (same names as for clients) and optionally a
/// `motivo`/`reason` column. Bad rows are reported, never fatal.
pub fn parse_optouts(
    data: &[u8],
    region: Region,
) -> Result<(Vec<OptOutRow>, Vec<RejectedRow>), ImportError> {
    let (mut reader, headers) = open_csv(data)?;
    let phone_col = headers
        .iter()
        .position(|h| classify(h) == Column::Phone)
        .ok_or_else(|| ImportError::MissingPhoneColumn {
            found: headers.join(", "),
        })?;
    let reason_col = headers
        .iter()
        .position(|h| matches!(h.as_str(), "motivo" | "reason" | "razon" | "observacion"));
    let (mut rows, mut rejected) = (Vec::new(), Vec::new());
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                rejected.push(RejectedRow {
                    line,
                    reason: format!("fila ilegible: {e}"),
                });
                continue;
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(line);
        let raw = record.get(phone_col).unwrap_or("").trim();
        if raw.is_empty() && record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        match phone::normalize(raw, region) {
            Ok(e164) => rows.push(OptOutRow {
                phone_number: e164,
                reason: reason_col
                    .and_then(|i| record.get(i))
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_string),
            }),
            Err(e) => rejected.push(RejectedRow {
                line,
                reason: format!("teléfono «{raw}»: {e}"),
            }),
        }
    }
    Ok((rows, rejected))
}
