//! The small subcommands that only touch the store: `import` and `user`.

use color_eyre::eyre::{Result, WrapErr};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;

use crate::config::Config;
use crate::domain::import::parse_clients;
use crate::store::Store;

/// `callboard import clients FILE --group NAME`.
pub fn import_clients(cfg: &Config, file: &Path, group: &str) -> Result<()> {
    let data = std::fs::read(file).wrap_err_with(|| format!("no se pudo leer {}", file.display()))?;
    let store = Store::open(&cfg.data_dir)?;
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
    let summary = store.import_clients(group, parsed)?;
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
pub fn user_add(cfg: &Config, name: &str, agent_id: &str, id: Option<u64>) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    let (user, token) = store.add_user(name, Some(agent_id), id)?;
    println!("Usuario {} «{}» creado (agente {}).", user.id, user.name, agent_id);
    println!("Token (se muestra solo esta vez; guárdelo):");
    println!("{}", token.expose());
    Ok(())
}

/// `callboard user list`.
pub fn user_list(cfg: &Config) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    let users = store.users()?;
    if users.is_empty() {
        println!("No hay usuarios. Cree uno con: callboard user add --name NOMBRE --agent-id AGENTE");
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
