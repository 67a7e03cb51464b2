//! CSV import of clients: forgiving about how people export spreadsheets (Excel's `;`,
//! a BOM, Spanish or English headers with or without accents), strict about what it
//! keeps. A bad row is reported with its line number and never aborts the file.

use indexmap::IndexMap;
use serde::Serialize;
use std::collections::BTreeMap;
use thiserror::Error;

use super::model::ClientDraft;
use super::phone::{self, Region};

/// A row that was not imported, and why (Spanish, for a supervisor).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RejectedRow {
    /// Line in the file where the row starts (the header is line 1).
    pub line: u64,
    pub reason: String,
}

/// A row whose phone repeats an earlier row's; its values were merged into that row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateRow {
    pub line: u64,
    pub merged_into_line: u64,
    pub phone: String,
}

/// The result of reading a file: clients to keep (keyed by E.164 phone, file order) and a
/// report of everything else.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ParsedImport {
    pub rows_read: u64,
    #[serde(skip)]
    pub clients: IndexMap<String, (u64, ClientDraft)>,
    pub rejected: Vec<RejectedRow>,
    pub duplicates: Vec<DuplicateRow>,
    /// Columns that became client variables.
    pub variable_columns: Vec<String>,
}

/// The file as a whole cannot be read.
#[derive(Debug, Error, PartialEq)]
pub enum ImportError {
    #[error("el archivo está vacío: se esperaba una fila de encabezados")]
    Empty,
    #[error(
        "no hay columna de teléfono (encabezados encontrados: {found}); use «telefono», «teléfono», «phone» o «celular»"
    )]
    MissingPhoneColumn { found: String },
    #[error("no se pudo leer el encabezado: {0}")]
    Header(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Column {
    Name,
    Phone,
    Email,
    Empresa,
    Cargo,
    Extra,
}

/// Lower-case, accents removed, separators as `_`: `Teléfono Móvil` → `telefono_movil`.
pub fn normalize_header(h: &str) -> String {
    let plain = deunicode::deunicode(h.trim()).to_lowercase();
    let mut out = String::with_capacity(plain.len());
    for c in plain.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

fn classify(normalized: &str) -> Column {
    match normalized {
        "nombre" | "nombres" | "name" | "nombre_completo" | "full_name" | "cliente" => Column::Name,
        "telefono" | "phone" | "celular" | "movil" | "phone_number" | "numero" | "tel"
        | "telefono_movil" | "numero_de_telefono" | "whatsapp" | "mobile" => Column::Phone,
        "correo" | "email" | "e_mail" | "mail" | "correo_electronico" => Column::Email,
        "empresa" | "company" | "compania" | "organizacion" => Column::Empresa,
        "cargo" | "role" | "rol" | "puesto" | "position" | "title" => Column::Cargo,
        _ => Column::Extra,
    }
}

/// Picks `;` or `,` from the header line, whichever appears more often outside quotes.
fn sniff_delimiter(data: &[u8]) -> u8 {
    let line_end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (mut semi, mut comma, mut quoted) = (0, 0, false);
    for &b in &data[..line_end] {
        match b {
            b'"' => quoted = !quoted,
            b';' if !quoted => semi += 1,
            b',' if !quoted => comma += 1,
            _ => {}
        }
    }
    if semi > comma { b';' } else { b',' }
}

/// A reader over a spreadsheet export (BOM removed, `;` or `,` sniffed, rows of any
/// length) and its normalised headers.
fn open_csv(data: &[u8]) -> Result<(csv::Reader<&[u8]>, Vec<String>), ImportError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    if data.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(data))
        .flexible(true)
        .has_headers(true)
        .from_reader(data);
    let headers = reader
        .byte_headers()
        .map_err(|e| ImportError::Header(e.to_string()))?
        .iter()
        .map(|h| normalize_header(&String::from_utf8_lossy(h)))
        .collect();
    Ok((reader, headers))
}

/// Reads a whole CSV file of clients. `on_row` is called after every row (for progress).
pub fn parse_clients(
    data: &[u8],
    region: Region,
    mut on_row: impl FnMut(u64),
) -> Result<ParsedImport, ImportError> {
    let (mut reader, headers) = open_csv(data)?;
    let mut columns = Vec::with_capacity(headers.len());
    let mut names = Vec::with_capacity(headers.len());
    let mut out = ParsedImport::default();
    for norm in headers {
        let mut kind = classify(&norm);
        // A second column of a kind already seen is kept as a variable, not lost.
        if kind != Column::Extra && columns.contains(&kind) {
            kind = Column::Extra;
        }
        if kind == Column::Extra && !norm.is_empty() {
            out.variable_columns.push(norm.clone());
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
            Ok(draft) => match phone::normalize(&draft.phone, region) {
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
            },
        }
    }
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ParsedImport {
        parse_clients(s.as_bytes(), Region::COLOMBIA, |_| {}).unwrap()
    }

    #[test]
    fn headers_match_in_any_language_and_accent() {
        assert_eq!(normalize_header(" Teléfono Móvil "), "telefono_movil");
        assert_eq!(classify(&normalize_header("TELÉFONO")), Column::Phone);
        assert_eq!(classify(&normalize_header("Correo")), Column::Email);
        assert_eq!(classify(&normalize_header("Company")), Column::Empresa);
        assert_eq!(classify(&normalize_header("Rol")), Column::Cargo);
    }

    #[test]
    fn semicolon_file_with_bom() {
        let p = parse(
            "\u{feff}Nombre;Teléfono;Correo;Empresa;Cargo;Especialidad\nDr. García;300 111 2223;g@h.co;Hospital;Cardiólogo;Cardiología\n",
        );
        assert_eq!(p.rows_read, 1);
        let (line, c) = &p.clients["+573001112223"];
        assert_eq!(*line, 2);
        assert_eq!(c.name, "Dr. García");
        assert_eq!(c.cargo.as_deref(), Some("Cardiólogo"));
        assert_eq!(c.extra["especialidad"], "Cardiología");
        assert_eq!(p.variable_columns, vec!["especialidad"]);
    }

    #[test]
    fn bad_rows_are_reported_not_fatal() {
        let p = parse(
            "name,phone,email\nAna,3001234567,a@x.co\nBeto,abc,b@x.co\nCarla,,c@x.co\nDavid,3001234568,d@x.co,extra\n\nEva,3001234569\n",
        );
        assert_eq!(p.clients.len(), 2, "{:?}", p.rejected);
        assert_eq!(p.rows_read, 5);
        let lines: Vec<u64> = p.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
        assert!(p.rejected[0].reason.contains("letras"));
        assert!(p.rejected[1].reason.contains("falta el teléfono"));
        assert!(p.rejected[2].reason.contains("columnas"));
        assert!(p.clients.contains_key("+573001234569"), "short row is fine");
    }

    #[test]
    fn quoted_fields_with_newlines_keep_line_numbers() {
        let p =
            parse("nombre,telefono,nota\n\"Ana\nMaría\",3001234567,\"a, b\"\nBeto,3001234568,x\n");
        assert_eq!(p.clients["+573001234567"].1.name, "Ana\nMaría");
        assert_eq!(p.clients["+573001234567"].1.extra["nota"], "a, b");
        assert_eq!(p.clients["+573001234568"].0, 4);
    }

    #[test]
    fn duplicates_by_phone_merge_and_are_reported() {
        let p = parse("nombre,celular,empresa\nAna,300 123 4567,\nAna B,+57 3001234567,ACME\n");
        assert_eq!(p.clients.len(), 1);
        let (_, c) = &p.clients["+573001234567"];
        assert_eq!(c.name, "Ana B");
        assert_eq!(c.empresa.as_deref(), Some("ACME"));
        assert_eq!(
            p.duplicates,
            vec![DuplicateRow {
                line: 3,
                merged_into_line: 2,
                phone: "+573001234567".into()
            }]
        );
    }

    #[test]
    fn missing_phone_column_is_a_clear_error() {
        let e =
            parse_clients(b"nombre,correo\nAna,a@x.co\n", Region::COLOMBIA, |_| {}).unwrap_err();
        assert!(
            matches!(e, ImportError::MissingPhoneColumn { ref found } if found == "nombre, correo")
        );
        assert!(e.to_string().contains("teléfono"));
        assert_eq!(
            parse_clients(b"\xEF\xBB\xBF \n", Region::COLOMBIA, |_| {}).unwrap_err(),
            ImportError::Empty
        );
    }

    #[test]
    fn invalid_utf8_rejects_only_that_row() {
        let mut data = b"nombre,telefono\nAna,3001234567\n".to_vec();
        data.extend_from_slice(b"Jos\xe9,3001234568\nEva,3001234569\n");
        let p = parse_clients(&data, Region::COLOMBIA, |_| {}).unwrap();
        assert_eq!(p.clients.len(), 2);
        assert_eq!(p.rejected.len(), 1);
        assert!(p.rejected[0].reason.contains("UTF-8"));
    }

    #[test]
    fn optout_files_keep_good_rows() {
        let (rows, rejected) = parse_optouts(
            "Celular;Motivo\n300 123 4567;RNE\nxx;RNE\n3001234568;\n".as_bytes(),
            Region::COLOMBIA,
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].phone_number, "+573001234567");
        assert_eq!(rows[0].reason.as_deref(), Some("RNE"));
        assert_eq!(rows[1].reason, None);
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].line, 3);
    }

    #[test]
    fn fifty_thousand_rows() {
        let mut s = String::from("nombre;telefono;ciudad\n");
        for i in 0..50_000u32 {
            s.push_str(&format!("Cliente {i};300{:07};Bogotá\n", i));
        }
        let mut progress = 0;
        let p = parse_clients(s.as_bytes(), Region::COLOMBIA, |n| progress = n).unwrap();
        assert_eq!(p.rows_read, 50_000);
        assert_eq!(progress, 50_000);
        assert_eq!(p.clients.len(), 50_000);
        assert!(p.rejected.is_empty());
    }
}
