//! What reading a file of clients gives: the clients to keep, and the rows rejected or
//! merged as duplicates, each with its line.

use indexmap::IndexMap;
use serde::Serialize;

use crate::domain::model::ClientDraft;

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
