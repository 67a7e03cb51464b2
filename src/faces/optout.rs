//! `callboard optout import|add|remove|list`: the do-not-call list, straight in the store.

use crate::domain::AuditAction;
use color_eyre::eyre::{Result, WrapErr};
use std::path::Path;

use crate::config::Config;
use crate::store::Store;
use crate::store::audit::AuditEntry;
use crate::store::optouts::OptOut;

/// `callboard optout import FILE`.
pub async fn import(cfg: &Config, file: &Path, default_reason: &str) -> Result<()> {
    let data =
        std::fs::read(file).wrap_err_with(|| format!("no se pudo leer {}", file.display()))?;
    let (rows, rejected) = crate::domain::import::parse_optouts(&data, cfg.region)
        .wrap_err_with(|| format!("{}", file.display()))?;
    let store = Store::open(&cfg.data_dir)?;
    let source = format!(
        "import:{}",
        file.file_name()
            .map(|f| f.to_string_lossy())
            .unwrap_or_default()
    );
    let now = chrono::Utc::now();
    let entries: Vec<OptOut> = rows
        .into_iter()
        .map(|r| OptOut {
            phone_number: r.phone_number,
            reason: r.reason.unwrap_or_else(|| default_reason.to_string()),
            source: source.clone(),
            added_at: now,
        })
        .collect();
    let added = store.add_optouts(&entries).await?;
    store.audit(&AuditEntry {
        at: now,
        actor: "cli".into(),
        action: AuditAction::OptoutImport.as_str().into(),
        target: source,
        details: serde_json::json!({ "rows": entries.len(), "added": added, "rejected": rejected.len() }),
    }).await?;
    println!(
        "{} teléfonos leídos, {} nuevos en la lista, {} ya estaban, {} rechazados",
        entries.len(),
        added,
        entries.len() - added,
        rejected.len()
    );
    for r in &rejected {
        println!("  rechazada línea {}: {}", r.line, r.reason);
    }
    Ok(())
}

/// `callboard optout add|remove PHONE`.
pub async fn change(cfg: &Config, phone: &str, reason: Option<&str>) -> Result<()> {
    let e164 = crate::domain::phone::normalize(phone, cfg.region)
        .map_err(|e| color_eyre::eyre::eyre!("teléfono «{phone}»: {e}"))?;
    let store = Store::open(&cfg.data_dir)?;
    let now = chrono::Utc::now();
    let (action, done) = match reason {
        Some(reason) => {
            let n = store
                .add_optouts(&[OptOut {
                    phone_number: e164.clone(),
                    reason: reason.to_string(),
                    source: "cli".into(),
                    added_at: now,
                }])
                .await?;
            (AuditAction::OptoutAdd, n == 1)
        }
        None => (AuditAction::OptoutRemove, store.remove_optout(&e164).await?),
    };
    if done {
        store
            .audit(&AuditEntry {
                at: now,
                actor: "cli".into(),
                action: action.as_str().into(),
                target: e164.clone(),
                details: serde_json::json!({ "reason": reason }),
            })
            .await?;
    }
    println!(
        "{e164}: {}",
        match (action, done) {
            (AuditAction::OptoutAdd, true) => "agregado a la lista de no llamar",
            (AuditAction::OptoutAdd, false) => "ya estaba en la lista",
            (_, true) => "retirado de la lista",
            _ => "no estaba en la lista",
        }
    );
    Ok(())
}

/// `callboard optout list`.
pub async fn list(cfg: &Config) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    for o in store.optouts().await? {
        println!(
            "{:<16} {:<24} {:<20} {}",
            o.phone_number,
            o.reason,
            o.source,
            o.added_at.format("%Y-%m-%d %H:%M")
        );
    }
    Ok(())
}
