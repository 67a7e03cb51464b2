//! CSV import of clients: forgiving about how people export spreadsheets (Excel's `;`,
//! a BOM, Spanish or English headers with or without accents), strict about what it
//! keeps. A bad row is reported with its line number and never aborts the file.

mod clients;
mod error;
mod headers;
mod optouts;
mod reader;
mod rows;

#[cfg(test)]
mod tests;

pub use clients::parse_clients;
pub use error::ImportError;
pub use headers::normalize_header;
pub use optouts::{OptOutRow, parse_optouts};
pub use rows::{DuplicateRow, ParsedImport, RejectedRow};
