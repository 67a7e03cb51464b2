//! `callboard import clients FILE --group NAME [--owner ID]`: clients from a CSV into a group,
//! with the rejected rows and merged duplicates said by line.

use color_eyre::eyre::{Result, WrapErr};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;

use crate::config::Config;
use crate::domain::import::parse_clients;
use crate::store::Store;

/// `callboard import clients FILE --group NAME [--owner ID]`.
pub async fn clients(cfg: &Config, file: &Path, group: &str, owner: Option<u64>) -> Result<()> {
    let data =
        std::fs::read(file).wrap_err_with(|| format!("no se pudo leer {}", file.display()))?;
    let store = Store::open(&cfg.data_dir)?;
    if let Some(o) = owner
        && store.user(o).await?.is_none()
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
    // An existing group's phones are read in its own country.
    let region = match store.group_by_name(group).await? {
        Some(g) => g.setup.country_or(cfg.region),
        None => cfg.region,
    };
    let parsed = parse_clients(&data, region, |n| {
        if n % 1024 == 0 {
            bar.set_position(n)
        }
    })
    .wrap_err_with(|| format!("{}", file.display()))?;
    bar.finish_and_clear();
    let rejected = parsed.rejected.clone();
    let duplicates = parsed.duplicates.clone();
    let rows = parsed.rows_read;
    let summary = store.import_clients_as(group, owner, parsed).await?;
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
