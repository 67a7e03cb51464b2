//! `callboard export BATCH_ID`: the batch's status from a running service, written as CSV
//! or JSON with the same code the service and the TUI use, read with the same client the
//! TUI uses.

use color_eyre::eyre::{Result, WrapErr, eyre};
use std::io::Write;

use crate::cli::{ExportArgs, ExportFormat};
use crate::client::ServiceClient;
use crate::config::Config;
use crate::report;
use crate::secret::Secret;

pub async fn run(cfg: &Config, args: &ExportArgs) -> Result<()> {
    let server = args
        .server
        .clone()
        .or_else(|| cfg.tui.server.clone())
        .ok_or_else(|| eyre!("falta el servicio: use --server URL o CALLBOARD_SERVER"))?;
    let token = args
        .token
        .clone()
        .map(Secret::new)
        .or_else(|| cfg.tui.token.clone());
    let client = ServiceClient::new(&server, token, cfg.lang)
        .map_err(|e| eyre!("{server}: {}", e.message))?;
    let view = client
        .status(&args.batch_id)
        .await
        .map_err(|e| match e.status {
            Some(status) => eyre!("{} ({status})", e.message),
            None => eyre!("{server}: {}", e.message),
        })?;
    let text = match args.format {
        ExportFormat::Csv => report::to_csv(&view)?,
        ExportFormat::Json => serde_json::to_string_pretty(&report::to_json(&view))?,
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, text)
                .wrap_err_with(|| format!("no se pudo escribir {}", path.display()))?;
            eprintln!(
                "{} destinatarios exportados a {}",
                view.recipients.len(),
                path.display()
            );
        }
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(())
}
