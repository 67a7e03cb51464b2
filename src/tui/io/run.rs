//! The entry point and the event loop: actions in, `update`, effects out, and a redraw
//! only when something changed, at most ~30 times a second.

use chrono_tz::Tz;
use color_eyre::eyre::{Result, WrapErr, eyre};
use crossterm::event::{
    Event as TermEvent, EventStream, KeyCode, KeyEvent, KeyEventKind, MouseEventKind,
};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::domain::Lang;
use crate::secret::Secret;

use crate::client::ServiceClient;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::io::clock::Clock;
use crate::tui::io::exec::Executor;
use crate::tui::io::source::WatchConfig;
use crate::tui::io::terminal::TerminalGuard;
use crate::tui::state::app::App;
use crate::tui::text::lang::strings;
use crate::tui::view;
use crate::tui::view::theme::Theme;

/// At most this often a frame (~30 fps) while data streams in.
const FRAME: Duration = Duration::from_millis(33);
/// Groups and batches are reloaded this often (the batch itself streams).
const REFRESH: Duration = Duration::from_secs(15);
/// Actions folded into state before one draw.
const DRAIN_MAX: usize = 512;

/// How to start the dashboard. `callboard demo` builds one with the URL and token of the
/// service it started in-process.
#[derive(Debug, Clone)]
pub struct TuiOptions {
    /// Base URL of `callboard serve`, e.g. `http://127.0.0.1:8080`.
    pub server: String,
    pub token: Option<Secret>,
    pub lang: Lang,
    /// Zone of the clock and of times typed in the schedule field.
    pub timezone: Tz,
    pub watch: WatchConfig,
    /// Capture the mouse (off by default so terminal text selection keeps working).
    pub mouse: bool,
    /// Where `e`/`E` write exports (and `p` saves a recording when no player is found).
    pub export_dir: PathBuf,
    /// Open this batch at start.
    pub open_batch: Option<String>,
    /// The user calls are started for (an admin token must name one; a user token acts as
    /// its own user).
    pub acting_user: Option<u64>,
    /// The wall clock, or the demo simulator's faster one.
    pub clock: Clock,
}

impl TuiOptions {
    pub fn new(server: impl Into<String>, token: Option<Secret>, lang: Lang) -> Self {
        Self {
            server: server.into(),
            token,
            lang,
            timezone: chrono_tz::America::Bogota,
            watch: WatchConfig::default(),
            mouse: false,
            export_dir: PathBuf::from("."),
            open_batch: None,
            acting_user: None,
            clock: Clock::system(),
        }
    }
}

/// Run the dashboard until the user quits. The terminal is restored on every path.
pub async fn run(opts: TuiOptions) -> Result<()> {
    if !std::io::stdout().is_terminal() {
        return Err(eyre!(strings(opts.lang).needs_terminal()));
    }
    let client = ServiceClient::new(&opts.server, opts.token.clone(), opts.lang)
        .map_err(|f| eyre!(f.message))?;
    let (tx, mut rx) = mpsc::channel::<Action>(1024);
    let mut app = new_app(&opts, &source_label(client.base()));
    let watch = WatchConfig {
        clock: opts.clock.clone(),
        ..opts.watch.clone()
    };
    let mut exec = Executor::new(client, tx.clone(), watch);
    let mut guard =
        TerminalGuard::enter(opts.mouse).wrap_err(strings(opts.lang).terminal_failed())?;
    let input = tokio::spawn(read_terminal(tx.clone()));
    let clock = tokio::spawn(ticks(tx.clone(), opts.clock.clone()));
    let signals = tokio::spawn(quit_on_signals(tx.clone()));
    drop(tx);
    start(&mut app, &mut exec, opts.open_batch.as_deref());
    let result = event_loop(&mut app, &mut rx, &mut exec, &mut guard.terminal).await;
    input.abort();
    clock.abort();
    signals.abort();
    drop(guard);
    result
}

/// What the header shows as the source: the URL without credentials or query, so a
/// token passed in a URL never reaches the screen.
pub fn source_label(base: &str) -> String {
    let no_query = base.split(['?', '#']).next().unwrap_or(base);
    match no_query.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://{host}"),
            None => no_query.to_string(),
        },
        None => no_query.to_string(),
    }
}

/// The state at start, before any data.
pub fn new_app(opts: &TuiOptions, source_label: &str) -> App {
    let mut app = App::new(opts.lang, source_label, opts.clock.now());
    app.clock_speed = opts.clock.is_accelerated().then_some(opts.clock.speed);
    app.theme = Theme::from_env();
    app.tz = opts.timezone;
    app.export_dir = opts.export_dir.clone();
    app.acting_user = opts.acting_user;
    app
}

/// First loads, and the batch to open if one was asked for.
pub fn start(app: &mut App, exec: &mut Executor, open_batch: Option<&str>) {
    for e in [
        Effect::LoadGroups,
        Effect::LoadBatches,
        Effect::LoadPhoneNumbers,
        Effect::LoadOptOuts,
    ] {
        exec.run(e);
    }
    if let Some(id) = open_batch {
        if let Some(e) = app.watch(id, "") {
            exec.run(e);
        }
    }
}

/// Fold actions into state and draw when dirty, until `quit` or every sender is gone.
/// Generic over the backend so tests drive the very same loop on a `TestBackend`.
pub async fn event_loop<B: Backend>(
    app: &mut App,
    rx: &mut mpsc::Receiver<Action>,
    exec: &mut Executor,
    terminal: &mut Terminal<B>,
) -> Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let mut last_draw = Instant::now() - FRAME;
    let mut batch = Vec::with_capacity(64);
    loop {
        if app.dirty && last_draw.elapsed() >= FRAME {
            terminal.draw(|f| view::draw(app, f))?;
            app.dirty = false;
            last_draw = Instant::now();
        }
        if app.quit {
            return Ok(());
        }
        let next_frame = last_draw + FRAME;
        tokio::select! {
            n = rx.recv_many(&mut batch, DRAIN_MAX) => {
                if n == 0 {
                    return Ok(());
                }
                for action in batch.drain(..) {
                    for effect in crate::tui::update::update(app, action) {
                        exec.run(effect);
                    }
                }
            }
            // Only armed when a draw is owed but came too soon after the last one.
            _ = tokio::time::sleep_until(next_frame), if app.dirty => {}
        }
    }
}

async fn read_terminal(tx: mpsc::Sender<Action>) {
    let mut events = EventStream::new();
    while let Some(ev) = events.next().await {
        let action = match ev {
            Ok(TermEvent::Key(k)) if k.kind != KeyEventKind::Release => Action::Key(k),
            Ok(TermEvent::Resize(_, _)) => Action::Resize,
            // Only arrives when mouse capture is on: the wheel scrolls like the arrows.
            Ok(TermEvent::Mouse(m)) => match m.kind {
                MouseEventKind::ScrollDown => Action::Key(KeyEvent::from(KeyCode::Down)),
                MouseEventKind::ScrollUp => Action::Key(KeyEvent::from(KeyCode::Up)),
                _ => continue,
            },
            Ok(_) => continue,
            Err(e) => {
                tracing::error!("terminal input: {e}");
                break;
            }
        };
        if tx.send(action).await.is_err() {
            break;
        }
    }
}

/// SIGTERM and SIGHUP end the loop like `q`, so the guard restores the terminal (a
/// killed process would otherwise leave it in raw mode). Ctrl-C arrives as a key.
async fn quit_on_signals(tx: mpsc::Sender<Action>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
        let _ = tx.send(Action::Quit).await;
    }
    #[cfg(not(unix))]
    drop(tx);
}

/// A tick a second for clocks and ages, and a list refresh every `REFRESH`.
async fn ticks(tx: mpsc::Sender<Action>, clock: Clock) {
    let mut second = tokio::time::interval(Duration::from_secs(1));
    second.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_refresh = Instant::now();
    loop {
        second.tick().await;
        if tx.send(Action::Tick(clock.now())).await.is_err() {
            return;
        }
        if last_refresh.elapsed() >= REFRESH {
            last_refresh = Instant::now();
            if tx.send(Action::Refresh).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::source_label;

    #[test]
    fn the_source_label_never_shows_credentials() {
        assert_eq!(
            source_label("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            source_label("https://ana:s3cret@calls.example.com/x?access_token=abc"),
            "https://calls.example.com/x"
        );
    }
}
