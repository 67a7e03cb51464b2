//! The small subcommands that only touch the store: `import`, `user`, `optout`, `audit`.

use crate::domain::AuditAction;
use color_eyre::eyre::{Result, WrapErr};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;

use crate::config::Config;
use crate::domain::import::parse_clients;
use crate::store::Store;
use crate::store::audit::AuditEntry;
use crate::store::optouts::OptOut;

/// `callboard import clients FILE --group NAME [--owner ID]`.
pub fn import_clients(cfg: &Config, file: &Path, group: &str, owner: Option<u64>) -> Result<()> {
    let data =
        std::fs::read(file).wrap_err_with(|| format!("no se pudo leer {}", file.display()))?;
    let store = Store::open(&cfg.data_dir)?;
    if let Some(o) = owner
        && store.user(o)?.is_none()
    {
        return Err(color_eyre::eyre::eyre!(
            "no existe el usuario {o} (--owner)"
        ));
    }
    let approx_rows = bytecount_lines(&data).saturating_sub(1);
    let bar = ProgressBar::new(approx_rows);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} filas {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let parsed = parse_clients(&data, cfg.region, |n| {
        if n % 1024 == 0 {
            bar.set_position(n)
        }
    })
    .wrap_err_with(|| format!("{}", file.display()))?;
    bar.finish_and_clear();
    let rejected = parsed.rejected.clone();
    let duplicates = parsed.duplicates.clone();
    let rows = parsed.rows_read;
    let summary = store.import_clients_as(group, owner, parsed)?;
    println!(
        "Grupo «{group}» (id {}){}: {} filas leídas, {} clientes nuevos, {} actualizados, {} rechazadas, {} duplicadas fusionadas",
        summary.group_id,
        if summary.group_created { " creado" } else { "" },
        rows,
        summary.created,
        summary.updated,
        rejected.len(),
        duplicates.len()
    );
    for r in &rejected {
        println!("  rechazada línea {}: {}", r.line, r.reason);
    }
    for d in &duplicates {
        println!(
            "  duplicada línea {}: {} ya estaba en la línea {} (datos fusionados)",
            d.line, d.phone, d.merged_into_line
        );
    }
    Ok(())
}

fn bytecount_lines(data: &[u8]) -> u64 {
    data.iter().filter(|&&b| b == b'\n').count() as u64
}

/// `callboard user add`.
pub fn user_add(
    cfg: &Config,
    name: &str,
    agent_id: &str,
    id: Option<u64>,
    expires_in_days: Option<u32>,
) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    let expires = token_expiry(expires_in_days)?;
    let (user, token) = store.add_user_expiring(name, Some(agent_id), id, expires)?;
    println!(
        "Usuario {} «{}» creado (agente {}).",
        user.id, user.name, agent_id
    );
    print_token(token.expose(), expires);
    Ok(())
}

/// When a token given now for `days` expires (1 to 3650 days).
fn token_expiry(days: Option<u32>) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    match days {
        None => Ok(None),
        Some(d) if (1..=3650).contains(&d) => {
            Ok(chrono::Utc::now().checked_add_signed(chrono::Duration::days(i64::from(d))))
        }
        Some(_) => Err(color_eyre::eyre::eyre!("--expires-in-days va de 1 a 3650")),
    }
}

fn print_token(token: &str, expires: Option<chrono::DateTime<chrono::Utc>>) {
    println!("Token (se muestra solo esta vez; guárdelo):");
    println!("{token}");
    if let Some(t) = expires {
        println!("Vence el {}.", t.format("%Y-%m-%d %H:%M UTC"));
    }
}

/// `callboard user token rotate --id N`.
pub fn token_rotate(cfg: &Config, id: u64, expires_in_days: Option<u32>) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    let expires = token_expiry(expires_in_days)?;
    let (user, token) = store
        .rotate_token(id, expires)?
        .ok_or_else(|| color_eyre::eyre::eyre!("no existe el usuario {id}"))?;
    store.record_action(
        "cli",
        AuditAction::UserTokenRotate,
        &format!("user:{id}"),
        serde_json::json!({ "expiresAt": expires }),
    );
    println!(
        "Token del usuario {} «{}» renovado; el anterior ya no sirve.",
        user.id, user.name
    );
    print_token(token.expose(), expires);
    Ok(())
}

/// `callboard user token revoke --id N`.
pub fn token_revoke(cfg: &Config, id: u64) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    let user = store
        .revoke_token(id)?
        .ok_or_else(|| color_eyre::eyre::eyre!("no existe el usuario {id}"))?;
    store.record_action(
        "cli",
        AuditAction::UserTokenRevoke,
        &format!("user:{id}"),
        serde_json::json!({}),
    );
    println!(
        "Token del usuario {} «{}» revocado: ya no da acceso.",
        user.id, user.name
    );
    Ok(())
}

/// `callboard user list`.
pub fn user_list(cfg: &Config) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    let users = store.users()?;
    if users.is_empty() {
        println!(
            "No hay usuarios. Cree uno con: callboard user add --name NOMBRE --agent-id AGENTE"
        );
    }
    for u in users {
        println!(
            "{:>5}  {:<24}  {}",
            u.id,
            u.name,
            u.agent_id.as_deref().unwrap_or("(sin agente)")
        );
    }
    Ok(())
}

/// `callboard optout import FILE`.
pub fn optout_import(cfg: &Config, file: &Path, default_reason: &str) -> Result<()> {
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
    let added = store.add_optouts(&entries)?;
    store.audit(&AuditEntry {
        at: now,
        actor: "cli".into(),
        action: AuditAction::OptoutImport.as_str().into(),
        target: source,
        details: serde_json::json!({ "rows": entries.len(), "added": added, "rejected": rejected.len() }),
    })?;
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
pub fn optout_change(cfg: &Config, phone: &str, reason: Option<&str>) -> Result<()> {
    let e164 = crate::domain::phone::normalize(phone, cfg.region)
        .map_err(|e| color_eyre::eyre::eyre!("teléfono «{phone}»: {e}"))?;
    let store = Store::open(&cfg.data_dir)?;
    let now = chrono::Utc::now();
    let (action, done) = match reason {
        Some(reason) => {
            let n = store.add_optouts(&[OptOut {
                phone_number: e164.clone(),
                reason: reason.to_string(),
                source: "cli".into(),
                added_at: now,
            }])?;
            (AuditAction::OptoutAdd, n == 1)
        }
        None => (AuditAction::OptoutRemove, store.remove_optout(&e164)?),
    };
    if done {
        store.audit(&AuditEntry {
            at: now,
            actor: "cli".into(),
            action: action.as_str().into(),
            target: e164.clone(),
            details: serde_json::json!({ "reason": reason }),
        })?;
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
pub fn optout_list(cfg: &Config) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    for o in store.optouts()? {
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

/// `callboard audit`.
pub fn audit_list(cfg: &Config, target: Option<&str>, limit: usize) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    for e in store.audit_log(target, limit)? {
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
