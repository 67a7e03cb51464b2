//! Opening a spreadsheet export: BOM removed, `;` or `,` sniffed from the header line, rows
//! of any length, headers normalised.

use super::error::ImportError;
use super::headers::normalize_header;

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
pub(super) fn open_csv(data: &[u8]) -> Result<(csv::Reader<&[u8]>, Vec<String>), ImportError> {
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
