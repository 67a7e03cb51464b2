//! Issue 14, what a new supervisor stumbled on in the dashboard: each screen as it reads
//! now, at 80×24 (the size a new user's terminal has) and wider where it matters.

use crate::support::tui::{chars, key, loaded_app, now};

use callboard::api::{AutoRetryView, BatchListItem, BatchStatusView};
use callboard::domain::{BatchStatus, RecipientStatus};
use callboard::tui::action::{Action, ConnState, Failure};
use callboard::tui::app::App;
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

fn snapshot(app: &mut App, view: BatchStatusView) {
    let id = view.batch_id.clone();
    update(
        app,
        Action::Snapshot {
            batch_id: id,
            view: Box::new(view),
            at: now() - chrono::Duration::seconds(3),
        },
    );
}

/// Watching batch_777 (opened from the batches list), live.
fn watching(view: BatchStatusView) -> App {
    let mut app = loaded_app();
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Action::Conn {
            batch_id: "batch_777".into(),
            state: ConnState::Live,
        },
    );
    snapshot(&mut app, view);
    app
}

fn view(n: usize) -> BatchStatusView {
    fixtures::batch_view("batch_777", n, now().timestamp())
}

/// Finding 3: a cancelled batch does not draw a full bar, its clock stopped at its end,
/// and the pace is calls per minute of the run, not of the last minute.
#[test]
fn a_cancelled_batch_shows_how_far_it_got_and_when_it_ended() {
    let mut v = view(12);
    for r in v.recipients.iter_mut().skip(7) {
        r.status = RecipientStatus::Cancelled;
    }
    v.status = BatchStatus::Cancelled;
    // Created 25 min ago, last change 10 min ago: it ran 15 minutes.
    v.last_updated_at_unix = now().timestamp() - 600;
    let app = watching(v);
    let s = screen(&app, 80, 24);
    insta::assert_snapshot!("newuser_cancelled_80x24", s);
    assert!(s.contains("7/12 terminadas (58%) · 5 canceladas"), "{s}");
    assert!(s.contains("transcurrido 15m00s"), "{s}");
    assert!(s.contains("terminó a las 10:20"), "{s}");
    // 7 calls in 15 minutes.
    assert!(s.contains("ritmo 0,5 llamadas/min"), "{s}");
}

/// Finding 3: six calls in 23 seconds read as a pace of 15,7 a minute.
#[test]
fn the_pace_is_measured_over_the_run() {
    let mut v = view(12);
    v.created_at_unix = now().timestamp() - 23;
    let app = watching(v);
    let s = screen(&app, 120, 30);
    assert!(s.contains("transcurrido 23s"), "{s}");
    // 7 ended (5 completed, 1 failed, 1 voicemail) in 23 s.
    assert!(s.contains("ritmo 18,3 llamadas/min"), "{s}");
    assert!(
        !s.contains("█ transcurrido"),
        "a lone sparkline bar is drawn: {s}"
    );
}

/// Finding 3: the cancel dialog counts the calls in progress.
#[test]
fn the_cancel_dialog_counts_calls_in_progress_and_lists_its_own_keys() {
    let mut app = watching(view(12));
    key(&mut app, KeyCode::Char('x'));
    let s = screen(&app, 80, 24);
    insta::assert_snapshot!("newuser_cancel_dialog_80x24", s);
    assert!(
        s.contains("las 3 llamadas en curso terminarán normalmente"),
        "{s}"
    );
    // Finding 10: only y and n; not the call dialog's keys.
    let footer = s.lines().last().unwrap();
    assert!(
        footer.contains("y confirmar") && footer.contains("n descartar"),
        "{footer}"
    );
    assert!(
        !footer.contains("tab") && !footer.contains("cambiar número"),
        "{footer}"
    );
}

fn auto(rounds: u32, next: Option<i64>) -> AutoRetryView {
    AutoRetryView {
        outcomes: vec![RecipientStatus::Failed, RecipientStatus::Voicemail],
        max_attempts: 3,
        spacing_secs: 1800,
        rounds,
        next_at_unix: next,
    }
}

/// Finding 4: a batch just started with "up to 3 attempts" has two retries left; the
/// round scheduled is named as its batch will be ("reintento 1").
#[test]
fn automatic_retries_read_the_same_on_parent_and_child() {
    let mut v = view(12);
    v.auto_retry = Some(auto(0, None));
    let app = watching(v);
    let s = screen(&app, 160, 48);
    assert!(s.contains("quedan 2 reintentos"), "{s}");
    assert!(!s.contains("no quedan"), "{s}");

    let mut v = view(12);
    v.status = BatchStatus::PartiallyCompleted;
    v.auto_retry = Some(auto(0, Some(now().timestamp() + 1800)));
    let app = watching(v);
    let s = screen(&app, 160, 48);
    assert!(
        s.contains("Reintento automático 1 (intento 2 de 3) a las 11:00"),
        "{s}"
    );
}

/// Finding 4: the first `a` in the call dialog changes what the retry line says.
#[test]
fn the_first_press_of_a_changes_the_retry_line() {
    let mut app = loaded_app();
    key(&mut app, KeyCode::Char('c'));
    update(
        &mut app,
        Action::GroupDetailLoaded(Ok(Box::new(fixtures::group_detail()))),
    );
    let mut p = fixtures::preflight(now().timestamp());
    p.retry_policy = None;
    preflight_ready(&mut app, p.clone());
    let before = screen(&app, 120, 40);
    assert!(
        before.contains("lo predeterminado del servicio"),
        "{before}"
    );
    key(&mut app, KeyCode::Char('a'));
    preflight_ready(&mut app, p);
    let after = screen(&app, 120, 40);
    assert_ne!(retry_line(&before), retry_line(&after));
    assert!(after.contains("elegido aquí"), "{after}");
}

fn retry_line(s: &str) -> String {
    s.lines()
        .find(|l| l.contains("Reintentos automáticos"))
        .unwrap_or_default()
        .to_string()
}

fn preflight_ready(app: &mut App, p: callboard::domain::preflight::Preflight) {
    let generation = match &app.overlay {
        Some(callboard::tui::app::Overlay::Confirm(c)) => match c.as_ref() {
            callboard::tui::app::Confirm::StartCall(d) => d.preflight_gen,
            _ => 0,
        },
        _ => 0,
    };
    update(
        app,
        Action::PreflightLoaded {
            group_id: 55,
            generation,
            result: Ok(Box::new(p)),
        },
    );
}

/// Finding 5: the group's last batch says what the batch says.
#[test]
fn the_groups_last_batch_follows_the_batch() {
    let mut groups = fixtures::groups();
    if let Some(l) = groups[1].last_batch.as_mut() {
        l.status = BatchStatus::Pending;
    }
    let mut app = watching(view(12));
    update(&mut app, Action::GroupsLoaded(Ok(groups)));
    let last = app.groups[1].last_batch.as_ref().unwrap();
    assert_eq!(last.status, BatchStatus::InProgress);
    let mut v = view(12);
    v.status = BatchStatus::Completed;
    snapshot(&mut app, v);
    let last = app.groups[1].last_batch.as_ref().unwrap();
    assert_eq!(last.status, BatchStatus::Completed);
}

/// Finding 6: whether an answered call achieved its goal is a column, and a filter.
#[test]
fn outcomes_show_in_a_column_and_filter() {
    let mut v = view(12);
    v.recipients[1].call_successful = Some("failure".into());
    let mut app = watching(v);
    let s = screen(&app, 120, 30);
    assert!(s.contains("Resultado"), "{s}");
    assert!(s.contains("logrado") && s.contains("no logrado"), "{s}");
    key(&mut app, KeyCode::Char('/'));
    chars(&mut app, "no logrado");
    key(&mut app, KeyCode::Enter);
    let b = app.batch.as_ref().unwrap();
    assert_eq!(b.view.len(), 1);
    insta::assert_snapshot!("newuser_outcome_filter_120x30", screen(&app, 120, 30));
}

/// Finding 7: batches of one group are told apart by group and round, at any width, and
/// the header at 80 columns names the batch rather than "Lote: Llam…".
#[test]
fn batch_names_keep_what_tells_them_apart() {
    let mut app = loaded_app();
    let item = |id: &str, name: &str, at: &str| BatchListItem {
        batch_id: id.into(),
        call_name: name.into(),
        status: BatchStatus::Completed,
        created_at: at.into(),
        recipients_count: 10,
        finished_count: 10,
        group_id: Some(55),
        group_name: Some("Médicos Test".into()),
        agent_id: "agent_1".into(),
        stop_reason: None,
        continued_by: None,
    };
    let list = vec![
        item(
            "b1",
            "Llamada Médicos Test - 24/8/2025",
            "2025-08-24T13:00:00Z",
        ),
        item(
            "b2",
            "Llamada Médicos Test - 24/8/2025 · reintento 1",
            "2025-08-24T13:40:00Z",
        ),
        item(
            "b3",
            "Llamada Médicos Test - 24/8/2025 · reintento 2",
            "2025-08-24T14:20:00Z",
        ),
        item(
            "b4",
            "Llamada Seguimiento Cardiología Medellín - 24/8/2025 · reintento 2",
            "2025-08-24T15:00:00Z",
        ),
    ];
    update(&mut app, Action::BatchesLoaded(Ok(list)));
    let wide = screen(&app, 160, 48);
    insta::assert_snapshot!("newuser_batch_names_160x48", wide);
    // Each row keeps its group's start and its round.
    for round in [
        "Seguimien… · reintento 2",
        "· reintento 2 ",
        "· reintento 1 ",
        "Médicos Test ",
    ] {
        assert!(wide.contains(round), "{round}: {wide}");
    }
    key(&mut app, KeyCode::Tab);
    let narrow = screen(&app, 80, 24);
    assert!(narrow.contains("Médicos Test · reintento 1"), "{narrow}");
    assert!(
        narrow.contains("Seguimiento Cardiología Medellín · reintento 2"),
        "{narrow}"
    );
    key(&mut app, KeyCode::Enter);
    let mut v = view(12);
    v.batch_id = "b4".into();
    v.name = "Llamada Seguimiento Cardiología Medellín - 24/8/2025 · reintento 2".into();
    snapshot(&mut app, v);
    let s = screen(&app, 80, 24);
    let header = s.lines().next().unwrap();
    assert!(header.contains("reintento 2"), "{header}");
    assert!(!header.contains("Lote:"), "{header}");
}

/// Finding 8: the transcript speaks Spanish (verdict, why the call ended, data).
#[test]
fn the_transcript_has_no_english() {
    let mut v = view(12);
    v.recipients[0].termination_reason = Some("Call ended by remote party".into());
    v.recipients[0]
        .data_collection
        .insert("interesado".into(), serde_json::json!("sí"));
    let mut app = watching(v);
    key(&mut app, KeyCode::Enter);
    let s = screen(&app, 120, 30);
    insta::assert_snapshot!("newuser_transcript_120x30", s);
    assert!(s.contains("Resultado: logrado"), "{s}");
    assert!(s.contains("La persona colgó"), "{s}");
    assert!(s.contains("Datos recogidos: interesado: sí"), "{s}");
    assert!(!s.contains("success") && !s.contains("remote party"), "{s}");
}

/// Finding 8: marks are "selections", and help says what they are for.
#[test]
fn marks_are_selections_for_export() {
    let mut app = watching(view(12));
    key(&mut app, KeyCode::Char(' '));
    let s = screen(&app, 120, 30);
    assert!(s.contains("1 seleccionados"), "{s}");
    key(&mut app, KeyCode::Char('?'));
    let help = screen(&app, 120, 40);
    assert!(help.contains("exportan solo lo seleccionado"), "{help}");
    assert!(!help.contains(" marcar "), "{help}");
}

/// A group whose valid phones all lack a variable the agent uses.
fn nobody_ready() -> callboard::domain::preflight::Preflight {
    let mut p = fixtures::preflight(now().timestamp());
    let template = p.incomplete[0].clone();
    p.incomplete = (0..8)
        .map(|i| {
            let mut c = template.clone();
            c.name = format!("Paciente {i}");
            c.missing = vec!["especialidad".into()];
            c
        })
        .collect();
    p.recipients.clear();
    p.skipped.clear();
    p
}

/// Finding 9: "Válidos 8" but nobody ready: the dialog says so in plain words, and `y`
/// at 80×24 shows why nothing was started instead of nothing at all.
#[test]
fn a_group_nobody_can_be_called_in_says_why() {
    let mut app = loaded_app();
    key(&mut app, KeyCode::Char('c'));
    update(
        &mut app,
        Action::GroupDetailLoaded(Ok(Box::new(fixtures::group_detail()))),
    );
    preflight_ready(&mut app, nobody_ready());
    let s = screen(&app, 80, 24);
    assert!(s.contains("Listos para llamar ahora: 0 de 8"), "{s}");
    assert!(s.contains("especialidad"), "{s}");
    assert!(!s.contains("skipIncomplete"), "{s}");
    let fx = key(&mut app, KeyCode::Char('y'));
    assert!(fx.is_empty(), "nothing is sent: {fx:?}");
    let s = screen(&app, 80, 24);
    insta::assert_snapshot!("newuser_nobody_ready_80x24", s);
    assert!(s.contains("No se llamó: nadie está listo"), "{s}");
}

/// Finding 9: a refusal's details never show as JSON, nor the request's field names.
#[test]
fn a_refused_start_reads_without_json_or_field_names() {
    let mut app = loaded_app();
    key(&mut app, KeyCode::Char('c'));
    update(
        &mut app,
        Action::GroupDetailLoaded(Ok(Box::new(fixtures::group_detail()))),
    );
    key(&mut app, KeyCode::Char('y'));
    let details = serde_json::json!({ "skipped": [
        { "client_id": 24, "name": "Ana Ruiz", "phone": "+573005551201", "reason": "faltan variables que usa el agente: especialidad", "code": "missing_variables", "missing": ["especialidad"] }
    ]});
    update(
        &mut app,
        Action::CallStarted(Err(Failure {
            status: Some(422),
            code: Some("no_complete_recipients".into()),
            message: "Ningún destinatario tiene todas las variables que usa el agente; envíe skipIncomplete: true".into(),
            details: Some(details),
        })),
    );
    let s = screen(&app, 80, 24);
    assert!(s.contains("Ana Ruiz: especialidad"), "{s}");
    assert!(!s.contains("client_id") && !s.contains('{'), "{s}");
    assert!(!s.contains("skipIncomplete"), "{s}");
    assert!(
        s.contains("ningún destinatario tiene todos los datos"),
        "{s}"
    );
}

/// Finding 10: `c` outside the groups pane says where to press it; at 80×24 the footer
/// keeps `? ayuda` and `q salir`.
#[test]
fn c_elsewhere_points_to_the_groups_and_the_footer_keeps_help() {
    let mut app = watching(view(12));
    let s = screen(&app, 80, 24);
    let footer = s.lines().last().unwrap();
    assert!(
        footer.contains("? ayuda") && footer.contains("q salir"),
        "{footer}"
    );
    let fx = key(&mut app, KeyCode::Char('c'));
    assert!(fx.is_empty());
    let s = screen(&app, 80, 24);
    assert!(
        s.contains("Para llamar: elija el grupo aquí, en Grupos, y pulse c."),
        "{s}"
    );
    assert!(s.contains("Grupos (2)"), "{s}");
}

/// Finding 11: the KPI pane offers `v` only while comparing; "no continuation" is a
/// note, not a ✓; comparison headers stand apart.
#[test]
fn kpi_hints_and_notes_say_what_is_true() {
    let mut app = watching(view(12));
    key(&mut app, KeyCode::Char('i'));
    let s = screen(&app, 80, 24);
    assert!(!s.contains("quitar la comparación"), "{s}");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('g'));
    let s = screen(&app, 80, 24);
    assert!(s.contains("› Este lote no tiene continuación."), "{s}");
    assert!(!s.contains("✓ Este lote"), "{s}");
    // Compare with the other batch: both headers readable, a gap between them.
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('v'));
    let other = fixtures::batch_view("batch_555", 38, now().timestamp() - 86_400);
    update(
        &mut app,
        Action::ReportLoaded {
            batch_id: "batch_555".into(),
            result: Ok(Box::new(callboard::report::kpis(&other))),
        },
    );
    let s = screen(&app, 80, 24);
    insta::assert_snapshot!("newuser_kpi_compared_80x24", s);
    assert!(s.contains("quitar la comparación"), "{s}");
    let head = s.lines().find(|l| l.contains("A: ")).unwrap();
    assert!(head.contains("23/08") && head.contains("24/08"), "{head}");
}

/// Finding 2: the demo's faster clock is said in the header.
#[test]
fn an_accelerated_clock_says_so() {
    let mut app = watching(view(12));
    app.clock_speed = Some(10.0);
    let s = screen(&app, 80, 24);
    assert!(
        s.lines().next().unwrap().contains("demo ×10 10:30:00"),
        "{s}"
    );
}

/// Finding 12: the CSV has the JSON's columns (attempts included), written to the
/// configured folder.
#[test]
fn exports_go_to_the_folder_with_the_jsons_columns() {
    use callboard::tui::effect::Effect;
    let mut app = watching(view(12));
    app.export_dir = std::path::PathBuf::from("/tmp/exportaciones");
    let fx = key(&mut app, KeyCode::Char('e'));
    let Some(Effect::WriteFile { path, contents, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    assert!(path.starts_with("/tmp/exportaciones"), "{path:?}");
    let header = contents.lines().next().unwrap();
    for col in [
        "recipient_id",
        "attempts",
        "call_successful",
        "termination_reason",
        "var_especialidad",
    ] {
        assert!(
            header.split(',').any(|c| c == col),
            "{col} missing from {header}"
        );
    }
    let fx = key(&mut app, KeyCode::Char('E'));
    let Some(Effect::WriteFile { contents, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let json: serde_json::Value = serde_json::from_str(contents).unwrap();
    let keys: Vec<&String> = json["recipients"][0].as_object().unwrap().keys().collect();
    for k in keys {
        if k == "variables" || k == "data_collection" {
            continue;
        }
        assert!(
            header.split(',').any(|c| c == k),
            "JSON's {k} not in the CSV: {header}"
        );
    }
}
