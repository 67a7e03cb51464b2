//! `callboard tui` from the command line: settings (flags > environment > config file),
//! logs to a file while the dashboard owns the terminal, and a tokio runtime to run it.

use color_eyre::eyre::{Result, eyre};
use std::cell::RefCell;
use std::path::Path;

use crate::cli::TuiArgs;
use crate::config::{Config, Lang};
use crate::secret::Secret;

use crate::tui::io::run::{TuiOptions, run};

thread_local! {
    /// Keeps the file logger as this thread's default for the thread's whole life.
    static LOG_DEFAULT: RefCell<Option<tracing::dispatcher::DefaultGuard>> =
        const { RefCell::new(None) };
}

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

/// Runs `fut` on a tokio runtime whose every thread logs to `<dir>/tui.log`, never to the
/// screen the dashboard draws on. `callboard demo` runs its whole stack this way.
pub fn run_with_file_logs<F>(dir: &Path, fut: F) -> Result<()>
where
    F: std::future::Future<Output = Result<()>>,
{
    let (dispatch, _flush) = file_logger(dir);
    let for_workers = dispatch.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .on_thread_start(move || {
            let guard = tracing::dispatcher::set_default(&for_workers);
            LOG_DEFAULT.with(|g| *g.borrow_mut() = Some(guard));
        })
        .build()?;
    let _main_default = tracing::dispatcher::set_default(&dispatch);
    runtime.block_on(fut)
}

/// Logs go to `<dir>/tui.log`, never to the screen the dashboard draws on. If the
/// directory cannot be made, logs are dropped rather than printed over the UI. Keep the
/// guard alive while logging (it flushes on drop). `callboard demo` can use this too.
pub fn file_logger(
    dir: &Path,
) -> (
    tracing::Dispatch,
    Option<tracing_appender::non_blocking::WorkerGuard>,
) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if std::fs::create_dir_all(dir).is_err() {
        let sub = tracing_subscriber::fmt()
            .with_writer(std::io::sink)
            .with_env_filter(filter)
            .finish();
        return (tracing::Dispatch::new(sub), None);
    }
    let (writer, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::never(dir, "tui.log"));
    let sub = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .finish();
    (tracing::Dispatch::new(sub), Some(guard))
}
