//! Reading a CSV file of clients: columns recognised, every row turned into a client
//! draft or a reason, duplicates by phone merged into the first row.

use std::collections::BTreeMap;

use super::error::ImportError;
use super::headers::{Column, classify};
use super::reader::open_csv;
use super::rows::{DuplicateRow, ParsedImport, RejectedRow};
use crate::domain::model::ClientDraft;
use crate::domain::phone::{self, Region};

/// Reads a whole CSV file of clients. `on_row` is called after every row (for progress).
pub fn parse_clients(
    data: &[u8],
    region: Region,
    mut on_row: impl FnMut(u64),
) -> Result<ParsedImport, ImportError> {
    let (mut reader, headers) = open_csv(data)?;
    let mut out = ParsedImport::default();
    let (columns, names) = columns_of(headers, &mut out.variable_columns)?;
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                out.rows_read += 1;
                out.rejected.push(RejectedRow {
                    line,
                    reason: format!("fila ilegible: {e}"),
                });
                on_row(out.rows_read);
                continue;
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(line);
        out.rows_read += 1;
        on_row(out.rows_read);
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            out.rows_read -= 1; // blank lines are not rows
            continue;
        }
        match row_to_draft(&record, &columns, &names) {
            Err(reason) => out.rejected.push(RejectedRow { line, reason }),
            Ok(draft) => keep(&mut out, line, draft, region),
        }
    }
    Ok(out)
}

/// What each column holds, and its name. Columns that become variables are added to
/// `variable_columns`; a file without a phone column is refused.
fn columns_of(
    headers: Vec<String>,
    variable_columns: &mut Vec<String>,
) -> Result<(Vec<Column>, Vec<String>), ImportError> {
    let mut columns = Vec::with_capacity(headers.len());
    let mut names = Vec::with_capacity(headers.len());
    for norm in headers {
        let mut kind = classify(&norm);
        // A second column of a kind already seen is kept as a variable, not lost.
        if kind != Column::Extra && columns.contains(&kind) {
            kind = Column::Extra;
        }
        if kind == Column::Extra && !norm.is_empty() {
            variable_columns.push(norm.clone());
        }
        columns.push(kind);
        names.push(norm);
    }
    if !columns.contains(&Column::Phone) {
        let found = names
            .iter()
            .filter(|n| !n.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ImportError::MissingPhoneColumn { found });
    }
    Ok((columns, names))
}

/// Keeps a row's draft under its E.164 phone (merged into an earlier row with the same
/// phone), or rejects it when the phone is not valid.
fn keep(out: &mut ParsedImport, line: u64, draft: ClientDraft, region: Region) {
    match phone::normalize(&draft.phone, region) {
        Err(e) => out.rejected.push(RejectedRow {
            line,
            reason: format!("teléfono «{}»: {e}", draft.phone),
        }),
        Ok(e164) => match out.clients.get_mut(&e164) {
            Some((first_line, existing)) => {
                out.duplicates.push(DuplicateRow {
                    line,
                    merged_into_line: *first_line,
                    phone: e164,
                });
                existing.merge_from(draft);
            }
            None => {
                out.clients.insert(e164, (line, draft));
            }
        },
    }
}

fn row_to_draft(
    record: &csv::ByteRecord,
    columns: &[Column],
    names: &[String],
) -> Result<ClientDraft, String> {
    if record.len() > columns.len() {
        let extra = record.iter().skip(columns.len());
        if extra
            .clone()
            .any(|f| !f.iter().all(u8::is_ascii_whitespace))
        {
            return Err(format!(
                "la fila tiene {} columnas y el encabezado {}: revise separadores o comillas",
                record.len(),
                columns.len()
            ));
        }
    }
    let mut draft = ClientDraft {
        extra: BTreeMap::new(),
        ..ClientDraft::default()
    };
    for (i, field) in record.iter().enumerate().take(columns.len()) {
        let value = std::str::from_utf8(field)
            .map_err(|_| {
                format!(
                    "la columna «{}» no es texto UTF-8: guarde el archivo como «CSV UTF-8»",
                    names[i]
                )
            })?
            .trim()
            .to_string();
        let opt = || (!value.is_empty()).then(|| value.clone());
        match columns[i] {
            Column::Name => draft.name = value,
            Column::Phone => draft.phone = value,
            Column::Email => draft.email = opt(),
            Column::Empresa => draft.empresa = opt(),
            Column::Cargo => draft.cargo = opt(),
            Column::Extra if names[i].is_empty() || value.is_empty() => {}
            Column::Extra => {
                draft.extra.insert(names[i].clone(), value);
            }
        }
    }
    if draft.phone.is_empty() {
        return Err("falta el teléfono".to_string());
    }
    Ok(draft)
}
