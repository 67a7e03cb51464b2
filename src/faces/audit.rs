//! `callboard audit`: who started, retried or cancelled what, and when.

use color_eyre::eyre::Result;

use crate::config::Config;
use crate::store::Store;

/// `callboard audit`.
pub async fn list(cfg: &Config, target: Option<&str>, limit: usize) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    for e in store.audit_log(target, limit).await? {
        println!(
            "{}  {:<10} {:<14} {}  {}",
            e.at.with_timezone(&cfg.timezone)
                .format("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            e.target,
            if e.details.is_null() {
                String::new()
            } else {
                e.details.to_string()
            }
        );
    }
    Ok(())
}
