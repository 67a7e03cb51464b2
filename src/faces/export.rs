//! `callboard export BATCH_ID`: the batch's status from a running service, written as CSV
//! or JSON with the same code the service and the TUI use.

use color_eyre::eyre::{Result, WrapErr, eyre};
use std::io::Write;

use crate::api::{BatchStatusView, Envelope};
use crate::cli::{ExportArgs, ExportFormat};
use crate::config::Config;
use crate::report;

pub async fn run(cfg: &Config, args: &ExportArgs) -> Result<()> {
    let server = args
        .server
        .clone()
        .or_else(|| cfg.tui.server.clone())
        .ok_or_else(|| eyre!("falta el servicio: use --server URL o CALLBOARD_SERVER"))?;
    let token = args
        .token
        .clone()
        .or_else(|| cfg.tui.token.as_ref().map(|t| t.expose().to_string()));
    let url = format!(
        "{}/api/batch-calls/{}/status",
        server.trim_end_matches('/'),
        args.batch_id
    );
    let mut req = reqwest::Client::new().get(&url);
    if let Some(t) = &token {
        req = req.bearer_auth(t);
    }
    let resp = req
        .send()
        .await
        .wrap_err_with(|| format!("no se pudo conectar con {server}"))?;
    let status = resp.status();
    let env: Envelope<BatchStatusView> = resp
        .json()
        .await
        .wrap_err_with(|| format!("respuesta inesperada de {server} ({status})"))?;
    let view = match (env.success, env.data) {
        (true, Some(v)) => v,
        _ => return Err(eyre!("{} ({status})", env.message)),
    };
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
