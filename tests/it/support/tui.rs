//! Shared by the scripted `update` tests: a fixed clock, keys, and an app with the
//! fixtures' groups, batches and calling numbers loaded.

use callboard::domain::Lang;
use callboard::tui::action::Action;
use callboard::tui::app::App;
use callboard::tui::effect::Effect;
use callboard::tui::fixtures;
use callboard::tui::update::update;
use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 8, 24, 15, 30, 0)
        .single()
        .unwrap()
}

pub fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn chars(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| key(app, KeyCode::Char(c)))
        .collect()
}

pub fn loaded_app() -> App {
    let mut app = App::new(Lang::Es, "http://127.0.0.1:8080", now());
    update(&mut app, Action::GroupsLoaded(Ok(fixtures::groups())));
    update(&mut app, Action::BatchesLoaded(Ok(fixtures::batches())));
    update(
        &mut app,
        Action::PhoneNumbersLoaded(Ok(fixtures::phone_numbers())),
    );
    app
}
