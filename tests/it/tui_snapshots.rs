//! Whole screens drawn into a `TestBackend` at 80×24 and 160×48, with a fixed clock.
//! Review changes with `cargo insta review`.

use callboard::domain::Lang;
use callboard::tui::action::{Action, ConnState};
use callboard::tui::app::App;
use callboard::tui::fixtures;
use callboard::tui::theme::Theme;
use callboard::tui::ui::draw;
use callboard::tui::update::update;
use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 8, 24, 15, 30, 0)
        .single()
        .unwrap()
}

fn key(app: &mut App, code: KeyCode) {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(app, f)).unwrap();
    t
}

fn fresh(lang: Lang) -> App {
    App::new(lang, "http://127.0.0.1:8080", now())
}

fn loaded(lang: Lang) -> App {
    let mut app = fresh(lang);
    update(&mut app, Action::GroupsLoaded(Ok(fixtures::groups())));
    update(&mut app, Action::BatchesLoaded(Ok(fixtures::batches())));
    update(
        &mut app,
        Action::PhoneNumbersLoaded(Ok(fixtures::phone_numbers())),
    );
    app
}

fn live(lang: Lang, n: usize) -> App {
    let mut app = loaded(lang);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Action::Conn {
            batch_id: "batch_777".into(),
            state: ConnState::Live,
        },
    );
    let view = fixtures::batch_view("batch_777", n, now().timestamp());
    update(
        &mut app,
        Action::Snapshot {
            batch_id: "batch_777".into(),
            view: Box::new(view),
            at: now() - chrono::Duration::seconds(3),
        },
    );
    app
}

#[test]
fn empty_before_data() {
    let app = fresh(Lang::Es);
    insta::assert_snapshot!("empty_80x24", render(&app, 80, 24).backend());
    let app = loaded(Lang::Es);
    insta::assert_snapshot!("empty_loaded_160x48", render(&app, 160, 48).backend());
}

#[test]
fn live_batch() {
    let app = live(Lang::Es, 40);
    insta::assert_snapshot!("live_160x48", render(&app, 160, 48).backend());
    insta::assert_snapshot!("live_80x24", render(&app, 80, 24).backend());
    insta::assert_snapshot!("live_100x30", render(&app, 100, 30).backend());
    let app = live(Lang::En, 40);
    insta::assert_snapshot!("live_en_160x48", render(&app, 160, 48).backend());
}

#[test]
fn live_batch_scrolled_far_down() {
    let mut app = live(Lang::Es, 10_000);
    for _ in 0..500 {
        key(&mut app, KeyCode::PageDown);
    }
    insta::assert_snapshot!("live_10k_scrolled_160x48", render(&app, 160, 48).backend());
}

#[test]
fn transcript_open() {
    let mut app = live(Lang::Es, 40);
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("transcript_160x48", render(&app, 160, 48).backend());
    insta::assert_snapshot!("transcript_80x24", render(&app, 80, 24).backend());
}

#[test]
fn confirm_dialogs() {
    let mut app = loaded(Lang::Es);
    key(&mut app, KeyCode::Char('c'));
    update(
        &mut app,
        Action::GroupDetailLoaded(Ok(Box::new(fixtures::group_detail()))),
    );
    insta::assert_snapshot!("confirm_call_160x48", render(&app, 160, 48).backend());
    insta::assert_snapshot!("confirm_call_80x24", render(&app, 80, 24).backend());
    let mut app = live(Lang::Es, 40);
    key(&mut app, KeyCode::Char('x'));
    insta::assert_snapshot!("confirm_cancel_80x24", render(&app, 80, 24).backend());
}

#[test]
fn help_overlay() {
    let mut app = live(Lang::Es, 40);
    key(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!("help_160x48", render(&app, 160, 48).backend());
    insta::assert_snapshot!("help_80x24", render(&app, 80, 24).backend());
}

#[test]
fn error_line_and_offline_header() {
    let mut app = live(Lang::Es, 40);
    update(
        &mut app,
        Action::Conn {
            batch_id: "batch_777".into(),
            state: ConnState::Offline,
        },
    );
    update(
        &mut app,
        Action::Notice {
            text: "Sin conexión con el servicio http://127.0.0.1:8080 (connection refused)".into(),
            error: true,
        },
    );
    update(
        &mut app,
        Action::Tick(now() + chrono::Duration::seconds(42)),
    );
    insta::assert_snapshot!("error_offline_160x48", render(&app, 160, 48).backend());
}

#[test]
fn narrow_terminal_shows_the_focused_pane() {
    let mut app = live(Lang::Es, 40);
    key(&mut app, KeyCode::Tab); // back to groups
    insta::assert_snapshot!("narrow_groups_80x24", render(&app, 80, 24).backend());
    let mut app = live(Lang::Es, 40);
    key(&mut app, KeyCode::Char('/'));
    for c in "fallida".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    insta::assert_snapshot!("narrow_filtering_80x24", render(&app, 80, 24).backend());
}

/// Colour carries status; without colour (`NO_COLOR`) nothing is coloured.
#[test]
fn status_colours_and_no_color() {
    let mut app = live(Lang::Es, 12);
    app.theme = Theme { color: true };
    let t = render(&app, 160, 48);
    let buf = t.backend().buffer();
    let find = |word: &str| -> Option<Color> {
        (0..buf.area.height).find_map(|y| {
            let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
            line.find(word).map(|col| {
                let x = line[..col].chars().count() as u16;
                buf[(x, y)].fg
            })
        })
    };
    assert_eq!(find("fallida"), Some(Color::Red));
    assert_eq!(find("completada"), Some(Color::Green));
    app.theme = Theme::plain();
    let t = render(&app, 160, 48);
    let buf = t.backend().buffer();
    assert!(
        buf.content().iter().all(|c| c.fg == Color::Reset),
        "NO_COLOR must leave every foreground at the terminal default"
    );
}

/// Tiny and odd sizes (a split pane, a phone's SSH client): every screen still draws,
/// and the first thing to survive is the header.
#[test]
fn tiny_terminals_keep_the_header() {
    let mut screens = vec![live(Lang::Es, 40), loaded(Lang::En), fresh(Lang::Es)];
    let mut help = live(Lang::Es, 40);
    key(&mut help, KeyCode::Char('?'));
    screens.push(help);
    let mut dialog = live(Lang::Es, 40);
    key(&mut dialog, KeyCode::Char('x'));
    screens.push(dialog);
    let mut transcript = live(Lang::Es, 40);
    key(&mut transcript, KeyCode::Enter);
    screens.push(transcript);
    for app in &screens {
        for (w, h) in [
            (1, 1),
            (9, 3),
            (20, 5),
            (40, 8),
            (99, 12),
            (100, 12),
            (300, 100),
        ] {
            let t = render(app, w, h);
            let first: String = (0..w)
                .map(|x| t.backend().buffer()[(x, 0)].symbol().to_string())
                .collect();
            assert!(
                "callboard".starts_with(first.trim_end()) || first.starts_with("callboard"),
                "{w}x{h}: {first:?}"
            );
        }
    }
}

/// The call dialog once the service's dry-run answered: skips grouped by reason, who
/// lacks variables, the agent's variables, the closed window, estimate and retries.
fn dialog_with_preflight(lang: Lang) -> App {
    let mut app = loaded(lang);
    key(&mut app, KeyCode::Char('c'));
    update(
        &mut app,
        Action::GroupDetailLoaded(Ok(Box::new(fixtures::group_detail()))),
    );
    update(
        &mut app,
        Action::PreflightLoaded {
            group_id: 55,
            generation: 1,
            result: Ok(Box::new(fixtures::preflight(now().timestamp()))),
        },
    );
    app
}

#[test]
fn confirm_dialog_with_preflight() {
    let app = dialog_with_preflight(Lang::Es);
    insta::assert_snapshot!("confirm_preflight_80x24", render(&app, 80, 24).backend());
    insta::assert_snapshot!("confirm_preflight_160x48", render(&app, 160, 48).backend());
    let app = dialog_with_preflight(Lang::En);
    insta::assert_snapshot!("confirm_preflight_en_80x24", render(&app, 80, 24).backend());
    // While it runs, and when a service without dry-runs refuses it.
    let mut app = loaded(Lang::Es);
    key(&mut app, KeyCode::Char('c'));
    update(
        &mut app,
        Action::GroupDetailLoaded(Ok(Box::new(fixtures::group_detail()))),
    );
    let checking = format!("{}", render(&app, 80, 24).backend());
    assert!(checking.contains("Verificando…"), "{checking}");
    update(
        &mut app,
        Action::PreflightLoaded {
            group_id: 55,
            generation: 1,
            result: Err(callboard::tui::action::Failure {
                status: Some(404),
                code: None,
                message: "Ruta no encontrada".into(),
                details: None,
            }),
        },
    );
    insta::assert_snapshot!(
        "confirm_preflight_refused_80x24",
        render(&app, 80, 24).backend()
    );
}

/// A finished batch of 38 (20 answered, 10 voicemail, 8 failed), the other side of
/// comparisons.
fn other_kpis() -> callboard::report::BatchKpis {
    let mut v = fixtures::batch_view("batch_555", 38, now().timestamp());
    for (i, r) in v.recipients.iter_mut().enumerate() {
        r.status = match i {
            0..20 => callboard::domain::RecipientStatus::Completed,
            20..30 => callboard::domain::RecipientStatus::Voicemail,
            _ => callboard::domain::RecipientStatus::Failed,
        };
        r.call_successful = Some(if i < 15 { "success" } else { "failure" }.into());
        r.duration_secs = Some(60);
        r.cost = Some(100.0);
    }
    v.retry_count = 1;
    callboard::report::kpis(&v)
}

fn kpi_pane(lang: Lang, compared: bool) -> App {
    let mut app = live(lang, 40);
    key(&mut app, KeyCode::Char('i'));
    if compared {
        key(&mut app, KeyCode::Tab);
        key(&mut app, KeyCode::Tab);
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Char('v'));
        update(
            &mut app,
            Action::ReportLoaded {
                batch_id: "batch_555".into(),
                result: Ok(Box::new(other_kpis())),
            },
        );
    }
    app
}

#[test]
fn kpi_pane_single_and_compared() {
    let app = kpi_pane(Lang::Es, false);
    insta::assert_snapshot!("kpi_80x24", render(&app, 80, 24).backend());
    insta::assert_snapshot!("kpi_160x48", render(&app, 160, 48).backend());
    let app = kpi_pane(Lang::Es, true);
    insta::assert_snapshot!("kpi_compared_80x24", render(&app, 80, 24).backend());
    insta::assert_snapshot!("kpi_compared_160x48", render(&app, 160, 48).backend());
    let app = kpi_pane(Lang::En, true);
    insta::assert_snapshot!("kpi_compared_en_80x24", render(&app, 80, 24).backend());
}

/// Bars carry the status colours; with `NO_COLOR` none, and they still read (█ vs ░).
#[test]
fn kpi_bars_without_colour_still_read() {
    let mut app = kpi_pane(Lang::Es, true);
    app.theme = Theme { color: true };
    let t = render(&app, 80, 24);
    let buf = t.backend().buffer();
    let coloured = buf
        .content()
        .iter()
        .filter(|c| c.symbol() == "█" && c.fg == Color::Green)
        .count();
    assert!(coloured > 10, "pick-up bars are green");
    app.theme = Theme::plain();
    let t = render(&app, 80, 24);
    let buf = t.backend().buffer();
    assert!(buf.content().iter().all(|c| c.fg == Color::Reset));
    let screen = format!("{}", t.backend());
    assert!(screen.contains("█") && screen.contains("░"), "{screen}");
}

/// Why a batch stopped (breaker, window), its retries and its continuation, in the pane
/// header and as a marker in the batches list; opted-out phones marked in the table.
#[test]
fn stopped_batch_and_opted_out_rows() {
    use callboard::api::{AutoRetryView, StopReason};
    let mut app = live(Lang::Es, 40);
    let mut v = fixtures::batch_view("batch_777", 40, now().timestamp());
    v.stop_reason = Some(StopReason {
        code: callboard::domain::StopCode::CircuitBreaker,
        message: "8 de las últimas 10 llamadas fallaron o duraron menos de 10 s".into(),
        at_unix: now().timestamp(),
        pending: false,
    });
    v.auto_retry = Some(AutoRetryView {
        outcomes: vec![callboard::domain::RecipientStatus::Failed],
        max_attempts: 3,
        spacing_secs: 1800,
        rounds: 0,
        next_at_unix: Some(now().timestamp() + 3600),
    });
    v.continued_by = Some("batch_888".into());
    v.recipients[1].attempts = 2;
    update(
        &mut app,
        Action::Snapshot {
            batch_id: "batch_777".into(),
            view: Box::new(v),
            at: now() - chrono::Duration::seconds(3),
        },
    );
    let list = app
        .batches
        .iter()
        .map(|b| {
            let mut b = b.clone();
            if b.batch_id == "batch_555" {
                b.stop_reason = Some(StopReason {
                    code: callboard::domain::StopCode::WindowClosed,
                    message: "cerró el horario".into(),
                    at_unix: 0,
                    pending: false,
                });
            }
            b
        })
        .collect();
    update(&mut app, Action::BatchesLoaded(Ok(list)));
    let entry = |p: &str| callboard::api::OptOutView {
        phone_number: p.into(),
        reason: "marcado desde el panel".into(),
        source: "api".into(),
        added_at: now(),
    };
    update(
        &mut app,
        Action::OptOutsLoaded(Ok(vec![entry("+573001000007")])),
    );
    insta::assert_snapshot!("batch_stopped_80x24", render(&app, 80, 24).backend());
    insta::assert_snapshot!("batch_stopped_160x48", render(&app, 160, 48).backend());
    let mut app = app;
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('o'));
    insta::assert_snapshot!("confirm_optout_80x24", render(&app, 80, 24).backend());
}

/// Help is built from the keymap and must list every command bound anywhere, in a
/// screen as small as 80×24.
#[test]
fn help_lists_every_bound_command_at_80x24() {
    use callboard::tui::keymap::{BINDINGS, describe};
    let mut app = live(Lang::Es, 40);
    key(&mut app, KeyCode::Char('?'));
    let screen = format!("{}", render(&app, 80, 24).backend());
    for b in BINDINGS {
        let what = describe(b.cmd, Lang::Es);
        assert!(screen.contains(what), "help lacks {what:?}:\n{screen}");
    }
}
