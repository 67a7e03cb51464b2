//! The dashboard's one state: the app (lists, focus, notices), the watched batch and its
//! table (sort, filter, marks), the dialogs, and what is derived from them for a call
//! start or an export. `update` changes it; `view` only reads it.

pub mod app;
pub mod batch;
pub mod dialog;
pub mod export;
pub mod filter;
pub mod loadable;
pub mod outcome;
pub mod readiness;
pub mod recipient;
pub mod request;
pub mod schedule;
pub mod sort;
pub mod table;
