//! `callboard tui` from the command line: settings (flags > environment > config file),
//! logs to a file while the dashboard owns the terminal, and a tokio runtime to run it.

use color_eyre::eyre::{Result, eyre};

use super::tui_logs::run_with_file_logs;
use crate::cli::TuiArgs;
use crate::config::Config;
use crate::domain::Lang;
use crate::secret::Secret;
use crate::tui::{TuiOptions, run};

/// Options from the parsed flags and the loaded config (which already holds the
/// environment: `CALLBOARD_SERVER`, `CALLBOARD_TOKEN`).
pub fn options(cfg: &Config, args: &TuiArgs) -> Result<TuiOptions> {
    let Some(server) = args.server.clone().or_else(|| cfg.tui.server.clone()) else {
        return Err(eyre!(match cfg.lang {
            Lang::Es =>
                "falta la dirección del servicio: use --server URL, CALLBOARD_SERVER o `server` en la sección [tui] de la configuración",
            Lang::En =>
                "no service address: use --server URL, CALLBOARD_SERVER or `server` in the [tui] section of the config file",
        }));
    };
    let token = args
        .token
        .clone()
        .map(Secret::new)
        .or_else(|| cfg.tui.token.clone());
    let mut opts = TuiOptions::new(server, token, cfg.lang);
    opts.timezone = cfg.timezone;
    opts.export_dir = cfg.tui.export_dir.clone();
    opts.watch.poll_every = std::time::Duration::from_millis(cfg.tui.poll_interval_ms.max(500));
    Ok(opts)
}

/// Blocking entry point for `main`.
pub fn cli_main(cfg: &Config, args: &TuiArgs) -> Result<()> {
    let opts = options(cfg, args)?;
    run_with_file_logs(&cfg.data_dir.join("logs"), run(opts))
}
