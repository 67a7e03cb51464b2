//! What a supervisor reads after (or during) a campaign: KPIs per batch, a comparison of
//! two batches, and exports of every recipient's result. Pure functions over the service's
//! status view, so the service, the TUI and the CLI compute them the same way.

pub mod export;
pub mod kpi;

pub use export::{to_csv, to_json};
pub use kpi::{BatchKpis, KpiComparison, compare, kpis};
