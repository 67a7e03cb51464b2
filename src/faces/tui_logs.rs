//! While the dashboard owns the terminal, logs go to a file: a tokio runtime whose every
//! thread logs to `<data dir>/logs/tui.log` (`tui`, `tui --direct` and `demo` run this way).

use color_eyre::eyre::Result;
use std::cell::RefCell;
use std::path::Path;

thread_local! {
    /// Keeps the file logger as this thread's default for the thread's whole life.
    static LOG_DEFAULT: RefCell<Option<tracing::dispatcher::DefaultGuard>> =
        const { RefCell::new(None) };
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
