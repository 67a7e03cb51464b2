//! A group's own agent and calling number in the dashboard: the groups pane shows them for
//! the selected group, and the call dialog preselects the group's number (also when the
//! workspace's numbers arrive after the dialog opened) and says whose agent calls.

use crate::support::tui::{key, loaded_app, now};

use callboard::api::GroupSummary;
use callboard::domain::Lang;
use callboard::tui::action::Action;
use callboard::tui::app::{App, CallDialog, Confirm, Overlay};
use callboard::tui::effect::Effect;
use callboard::tui::fixtures;
use callboard::tui::ui::draw;
use callboard::tui::update::update;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(app, f)).unwrap();
    format!("{}", t.backend())
}

/// The fixtures' groups, the first (55) with its own agent, the Medellín number and Mexico.
fn groups_with_setup() -> Vec<GroupSummary> {
    let mut g = fixtures::groups();
    g[0].agent_id = Some("agent_grupo".into());
    g[0].agent_phone_number_id = Some("ph_67891".into());
    g[0].country = "MX".into();
    g
}

fn with_setup(mut app: App) -> App {
    update(&mut app, Action::GroupsLoaded(Ok(groups_with_setup())));
    app
}

fn dialog(app: &App) -> &CallDialog {
    match &app.overlay {
        Some(Overlay::Confirm(c)) => match c.as_ref() {
            Confirm::StartCall(d) => d,
            other => panic!("wrong dialog {other:?}"),
        },
        other => panic!("no dialog: {other:?}"),
    }
}

/// The calling number of the one dry-run among `fx`.
fn dry_run_number(fx: &[Effect]) -> Option<String> {
    let numbers: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Preflight { request, .. } => {
                Some(request.agent_phone_number_id.clone().unwrap_or_default())
            }
            _ => None,
        })
        .collect();
    assert!(numbers.len() <= 1, "{fx:?}");
    numbers.into_iter().next()
}

fn open_dialog(app: &mut App) -> Vec<Effect> {
    key(app, KeyCode::Char('c'));
    let mut detail = fixtures::group_detail();
    detail.summary = groups_with_setup().remove(0);
    update(app, Action::GroupDetailLoaded(Ok(Box::new(detail))))
}

#[test]
fn the_groups_pane_shows_the_selected_groups_agent_number_and_country() {
    let app = with_setup(loaded_app());
    let text = screen(&app, 200, 40);
    // The pane is narrow: the line wraps (at a word) onto the pane's last rows.
    let flat: String = text
        .lines()
        .flat_map(|l| l.split(['┃', '│']).nth(1))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains("Agente: agent_grupo · Número: +5746005678 (Medellín) · País: MX"),
        "{text}"
    );
    // A group without its own agent or number has no such line.
    let mut app = app;
    key(&mut app, KeyCode::Down);
    let text = screen(&app, 200, 40);
    assert!(!text.contains("Agente:"), "{text}");
    // In English too.
    let mut en = App::new(Lang::En, "http://127.0.0.1:8080", now());
    update(&mut en, Action::GroupsLoaded(Ok(groups_with_setup())));
    let text = screen(&en, 200, 40);
    assert!(
        text.contains("Agent: agent_grupo · Number: ph_67891 · Country: MX"),
        "numbers not loaded yet: the id is shown\n{text}"
    );
}

#[test]
fn the_call_dialog_preselects_the_groups_number_and_names_its_agent() {
    let mut app = with_setup(loaded_app());
    let fx = open_dialog(&mut app);
    assert_eq!(dialog(&app).phone_choice, 1);
    assert_eq!(dry_run_number(&fx).as_deref(), Some("ph_67891"));
    let text = screen(&app, 120, 40);
    assert!(text.contains("+5746005678 (Medellín)"), "{text}");
    assert!(
        text.contains("Llama el agente del grupo: agent_grupo"),
        "{text}"
    );
    // The supervisor may still choose another number for this call.
    let fx = key(&mut app, KeyCode::Right);
    assert_eq!(dry_run_number(&fx).as_deref(), Some("ph_67890"));
}

#[test]
fn numbers_that_arrive_after_the_dialog_opened_preselect_the_groups_own() {
    let mut app = App::new(Lang::Es, "http://127.0.0.1:8080", now());
    update(&mut app, Action::GroupsLoaded(Ok(groups_with_setup())));
    let fx = open_dialog(&mut app);
    // Without the workspace's numbers the group's own lets the service check already.
    assert_eq!(dry_run_number(&fx).as_deref(), Some("ph_67891"));
    update(
        &mut app,
        Action::PhoneNumbersLoaded(Ok(fixtures::phone_numbers())),
    );
    assert_eq!(dialog(&app).phone_choice, 1);
}
