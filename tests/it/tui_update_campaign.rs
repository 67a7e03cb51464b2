//! Scripted actions into `update` for the campaign features: the call dialog's pre-flight,
//! the do-not-call list, the KPI pane and its comparison, stop reasons and
//! continuations, JSON export. Failures included (dry-run refused, 422, report missing).

use crate::support::tui::{chars, key, loaded_app, now};

use callboard::api::OptOutView as OptOut;
use callboard::api::{AutoRetryView, StopReason};
use callboard::domain::Lang;
use callboard::domain::RecipientStatus;
use callboard::tui::action::{Action, Failure};
use callboard::tui::app::{App, CallDialog, Confirm, Loadable, Overlay, Pane};
use callboard::tui::effect::Effect;
use callboard::tui::fixtures;
use callboard::tui::update::update;
use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn render(app: &App, w: u16, h: u16) -> ratatui::Terminal<ratatui::backend::TestBackend> {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| callboard::tui::ui::draw(app, f)).unwrap();
    t
}

fn snapshot(app: &mut App, view: callboard::api::BatchStatusView) -> Vec<Effect> {
    update(
        app,
        Action::Snapshot {
            batch_id: view.batch_id.clone(),
            view: Box::new(view),
            at: now(),
        },
    )
}

/// Watching batch_777 (the list's first) with `n` recipients.
fn watching(n: usize) -> App {
    let mut app = loaded_app();
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Enter);
    snapshot(
        &mut app,
        fixtures::batch_view("batch_777", n, now().timestamp()),
    );
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

/// The one dry-run among `fx`: (generation, calling number, scheduled time, force).
fn dry_run(fx: &[Effect]) -> (u64, String, Option<i64>, bool) {
    let runs: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Preflight {
                group_id: 55,
                request,
                generation,
            } => Some((
                *generation,
                request.agent_phone_number_id.clone().unwrap_or_default(),
                request.scheduled_time_unix,
                request.force,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(runs.len(), 1, "expected one dry-run in {fx:?}");
    runs[0].clone()
}

fn preflight_answer(generation: u64, result: Result<(), Failure>) -> Action {
    Action::PreflightLoaded {
        group_id: 55,
        generation,
        result: result.map(|()| Box::new(fixtures::preflight(now().timestamp()))),
    }
}

fn open_dialog(app: &mut App) -> Vec<Effect> {
    key(app, KeyCode::Char('c'));
    update(
        app,
        Action::GroupDetailLoaded(Ok(Box::new(fixtures::group_detail()))),
    )
}

#[test]
fn the_dialog_checks_first_and_again_when_number_schedule_or_force_change() {
    let mut app = loaded_app();
    let fx = open_dialog(&mut app);
    assert_eq!(dry_run(&fx), (1, "ph_67890".into(), None, false));
    assert_eq!(dialog(&app).preflight, Some(Loadable::Loading));

    // Another number: asked again; the first answer, arriving late, is ignored.
    assert_eq!(dry_run(&key(&mut app, KeyCode::Right)).0, 2);
    update(&mut app, preflight_answer(1, Ok(())));
    assert_eq!(dialog(&app).preflight, Some(Loadable::Loading));
    update(&mut app, preflight_answer(2, Ok(())));
    assert!(matches!(dialog(&app).preflight, Some(Loadable::Ready(_))));

    // The schedule is checked when its field loses focus, not on every key.
    key(&mut app, KeyCode::Tab);
    assert!(chars(&mut app, "2025-08-25 09:00").is_empty());
    let (g, phone, at, _) = dry_run(&key(&mut app, KeyCode::Tab));
    let nine = Utc
        .with_ymd_and_hms(2025, 8, 25, 14, 0, 0)
        .single()
        .unwrap();
    assert_eq!(
        (g, phone.as_str(), at),
        (3, "ph_67891", Some(nine.timestamp()))
    );
    // Leaving the field without a change, or toggling skip, asks nothing new.
    key(&mut app, KeyCode::Tab);
    assert!(key(&mut app, KeyCode::Tab).is_empty());
    assert!(key(&mut app, KeyCode::Char('o')).is_empty());
    assert!(dry_run(&key(&mut app, KeyCode::Char('f'))).3);

    // `y` starts once with the same choices; a second `y` sends nothing.
    let fx = key(&mut app, KeyCode::Char('y'));
    let [Effect::StartCall { request, .. }] = fx.as_slice() else {
        panic!("expected one start, got {fx:?}");
    };
    assert_eq!(request.agent_phone_number_id.as_deref(), Some("ph_67891"));
    assert_eq!(request.scheduled_time_unix, Some(nine.timestamp()));
    assert!(request.skip_incomplete && request.force);
    assert!(key(&mut app, KeyCode::Char('y')).is_empty());
}

#[test]
fn a_refused_dry_run_keeps_the_detail_skips_and_the_call_still_starts() {
    let mut app = loaded_app();
    open_dialog(&mut app);
    update(
        &mut app,
        preflight_answer(
            1,
            Err(Failure {
                status: Some(405),
                code: None,
                message: "Método no permitido".into(),
                details: None,
            }),
        ),
    );
    let d = dialog(&app);
    assert_eq!(
        d.preflight,
        Some(Loadable::Failed("Método no permitido".into()))
    );
    assert_eq!(d.skipped.len(), 1, "the group detail's skips stay");
    assert_eq!(d.recipients, 14);
    let fx = key(&mut app, KeyCode::Char('y'));
    assert!(matches!(fx.as_slice(), [Effect::StartCall { .. }]));
}

#[test]
fn a_dry_run_409_offers_force_and_forcing_checks_again() {
    let mut app = loaded_app();
    open_dialog(&mut app);
    update(
        &mut app,
        preflight_answer(
            1,
            Err(Failure {
                status: Some(409),
                code: Some("batch_active".into()),
                message: "El grupo ya tiene llamadas en curso (batch batch_777)".into(),
                details: Some(serde_json::json!({"batchId": "batch_777"})),
            }),
        ),
    );
    assert_eq!(dialog(&app).active_batch.as_deref(), Some("batch_777"));
    let (g, _, _, force) = dry_run(&key(&mut app, KeyCode::Char('f')));
    assert_eq!((g, force), (2, true));
}

#[test]
fn a_dialog_opened_before_the_numbers_came_checks_when_they_arrive() {
    let mut app = App::new(Lang::Es, "http://127.0.0.1:8080", now());
    update(&mut app, Action::GroupsLoaded(Ok(fixtures::groups())));
    let fx = key(&mut app, KeyCode::Char('c'));
    assert_eq!(
        fx,
        vec![Effect::LoadGroupDetail(55), Effect::LoadPhoneNumbers]
    );
    let fx = update(
        &mut app,
        Action::GroupDetailLoaded(Ok(Box::new(fixtures::group_detail()))),
    );
    assert!(fx.is_empty(), "no calling number yet: {fx:?}");
    assert_eq!(dialog(&app).preflight, None);
    let fx = update(
        &mut app,
        Action::PhoneNumbersLoaded(Ok(fixtures::phone_numbers())),
    );
    assert_eq!(dry_run(&fx).0, 1);
}

#[test]
fn o_asks_then_adds_the_phone_and_the_row_is_marked() {
    let mut app = watching(12);
    key(&mut app, KeyCode::Down);
    assert!(key(&mut app, KeyCode::Char('o')).is_empty());
    match &app.overlay {
        Some(Overlay::Confirm(c)) => match c.as_ref() {
            Confirm::OptOut { phone, name } => {
                assert_eq!(
                    (phone.as_str(), name.as_str()),
                    ("+573001000007", "Dra. Pérez 2")
                );
            }
            other => panic!("wrong dialog {other:?}"),
        },
        other => panic!("no dialog {other:?}"),
    }
    // `n` leaves without a word to the service.
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert!(app.overlay.is_none());
    key(&mut app, KeyCode::Char('o'));
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        vec![Effect::AddOptOut {
            phone: "+573001000007".into(),
            reason: "añadido desde el panel".into(),
        }]
    );
    let entry = OptOut {
        phone_number: "+573001000007".into(),
        reason: "marcado desde el panel".into(),
        source: "admin".into(),
        added_at: now(),
    };
    let fx = update(
        &mut app,
        Action::OptOutAdded(Ok((
            "+573001000007 agregado a la lista de no llamar".into(),
            entry.clone(),
        ))),
    );
    assert_eq!(fx, vec![Effect::LoadOptOuts]);
    let n = app.notice.as_ref().unwrap();
    assert_eq!(
        (n.text.as_str(), n.error),
        ("+573001000007 agregado a la lista de no llamar", false)
    );
    assert!(app.optouts.contains("+573001000007"));
    // The reloaded list is the truth (here: someone else's entry too).
    let other = OptOut {
        phone_number: "+573009999999".into(),
        ..entry.clone()
    };
    update(&mut app, Action::OptOutsLoaded(Ok(vec![entry, other])));
    assert_eq!(app.optouts.len(), 2);
}

#[test]
fn a_refused_opt_out_shows_the_service_message_and_marks_nothing() {
    let mut app = watching(12);
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Char('y'));
    let fx = update(
        &mut app,
        Action::OptOutAdded(Err(Failure {
            status: Some(422),
            code: Some("invalid_phone".into()),
            message: "Teléfono «+5730»: número demasiado corto".into(),
            details: None,
        })),
    );
    assert!(fx.is_empty());
    let n = app.notice.as_ref().unwrap();
    assert!(n.error);
    assert_eq!(n.text, "Teléfono «+5730»: número demasiado corto");
    assert!(app.optouts.is_empty());
    // An older service without the list: no error at start.
    app.notice = None;
    update(
        &mut app,
        Action::OptOutsLoaded(Err(Failure {
            status: Some(404),
            code: None,
            message: "Ruta no encontrada".into(),
            details: None,
        })),
    );
    assert!(app.notice.is_none());
}

#[test]
fn i_shows_the_kpis_and_v_compares_with_the_other_batch_report() {
    let mut app = watching(40);
    assert!(key(&mut app, KeyCode::Char('i')).is_empty());
    assert_eq!(app.focus, Pane::Kpi);
    let k = app.batch.as_ref().unwrap().kpis.clone().unwrap();
    assert_eq!((k.total, k.completed, k.finished), (40, 19, 25));
    // To the batches list (groups, then batches), pick the other batch, compare.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Batches);
    key(&mut app, KeyCode::Down);
    assert_eq!(
        key(&mut app, KeyCode::Char('v')),
        vec![Effect::LoadReport("batch_555".into())]
    );
    assert_eq!(app.focus, Pane::Kpi);
    let c = app.compare.as_ref().unwrap();
    assert_eq!(
        (c.batch_id.as_str(), &c.kpis),
        ("batch_555", &Loadable::Loading)
    );
    // Another batch's report is not this comparison's.
    let other = callboard::report::kpis(&fixtures::batch_view("batch_555", 38, now().timestamp()));
    update(
        &mut app,
        Action::ReportLoaded {
            batch_id: "batch_999".into(),
            result: Ok(Box::new(other.clone())),
        },
    );
    assert_eq!(app.compare.as_ref().unwrap().kpis, Loadable::Loading);
    update(
        &mut app,
        Action::ReportLoaded {
            batch_id: "batch_555".into(),
            result: Ok(Box::new(other.clone())),
        },
    );
    assert_eq!(
        app.compare.as_ref().unwrap().kpis,
        Loadable::Ready(Box::new(other))
    );
    // While the pane shows it, a refresh reloads the other side too.
    let fx = update(&mut app, Action::Refresh);
    assert!(
        fx.contains(&Effect::LoadReport("batch_555".into())),
        "{fx:?}"
    );
    // `v` in the pane stops comparing; esc goes back to the recipients.
    key(&mut app, KeyCode::Char('v'));
    assert!(app.compare.is_none());
    key(&mut app, KeyCode::Esc);
    assert_eq!((app.focus, app.kpi_open), (Pane::Batch, false));
}

#[test]
fn a_failed_report_is_kept_as_the_reason_and_the_open_batch_is_not_compared_with_itself() {
    let mut app = watching(12);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.focus, Pane::Batches);
    // The selection is on the open batch.
    assert!(key(&mut app, KeyCode::Char('v')).is_empty());
    assert!(app.compare.is_none());
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("distinto del abierto")
    );
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('v'));
    update(
        &mut app,
        Action::ReportLoaded {
            batch_id: "batch_555".into(),
            result: Err(Failure {
                status: Some(404),
                code: Some("not_found".into()),
                message: "Batch no encontrado".into(),
                details: None,
            }),
        },
    );
    assert_eq!(
        app.compare.as_ref().unwrap().kpis,
        Loadable::Failed("Batch no encontrado".into())
    );
    // Without a batch open there is nothing to show or compare.
    let mut fresh = loaded_app();
    assert!(key(&mut fresh, KeyCode::Char('i')).is_empty());
    assert!(fresh.notice.as_ref().unwrap().error);
    assert_eq!(fresh.focus, Pane::Groups);
}

#[test]
fn stop_reason_retries_and_continuation_follow_the_snapshot_and_g_jumps() {
    let mut app = watching(12);
    assert!(key(&mut app, KeyCode::Char('g')).is_empty());
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("no tiene continuación")
    );
    let mut v = fixtures::batch_view("batch_777", 12, now().timestamp());
    v.stop_reason = Some(StopReason {
        code: callboard::domain::StopCode::WindowClosed,
        message: "el horario cerró a las 19:00".into(),
        at_unix: now().timestamp(),
        pending: false,
    });
    v.auto_retry = Some(AutoRetryView {
        outcomes: vec![RecipientStatus::Failed],
        max_attempts: 3,
        spacing_secs: 1800,
        rounds: 1,
        next_at_unix: Some(now().timestamp() + 3600),
    });
    v.continued_by = Some("batch_888".into());
    snapshot(&mut app, v);
    let b = app.batch.as_ref().unwrap();
    assert_eq!(b.stop_reason.as_ref().unwrap().code, "window_closed");
    assert_eq!(b.auto_retry.as_ref().unwrap().rounds, 1);
    // The list's line says it stopped too.
    let item = app
        .batches
        .iter()
        .find(|i| i.batch_id == "batch_777")
        .unwrap();
    assert_eq!(item.continued_by.as_deref(), Some("batch_888"));
    assert!(item.stop_reason.is_some());
    assert_eq!(
        key(&mut app, KeyCode::Char('g')),
        vec![Effect::Watch("batch_888".into())]
    );
    assert_eq!(app.batch.as_ref().unwrap().id, "batch_888");
}

#[test]
fn a_circuit_breaker_notice_stays_on_the_batch_until_the_service_says_why() {
    let mut app = watching(12);
    update(
        &mut app,
        Action::StreamNotice {
            batch_id: "batch_777".into(),
            message: "8 de las últimas 10 llamadas fallaron".into(),
            code: Some("circuit_breaker".into()),
        },
    );
    assert_eq!(
        app.batch.as_ref().unwrap().alert,
        Some((
            callboard::domain::StopCode::CircuitBreaker,
            "8 de las últimas 10 llamadas fallaron".to_string()
        ))
    );
    assert!(app.notice.as_ref().unwrap().error);
    // A passing notice without a code is not a stop.
    update(
        &mut app,
        Action::StreamNotice {
            batch_id: "batch_777".into(),
            message: "reconectando".into(),
            code: None,
        },
    );
    assert!(app.batch.as_ref().unwrap().alert.is_some());
    let mut v = fixtures::batch_view("batch_777", 12, now().timestamp());
    v.stop_reason = Some(StopReason {
        code: callboard::domain::StopCode::CircuitBreaker,
        message: "8 de 10 fallidas o muy cortas".into(),
        at_unix: now().timestamp(),
        pending: false,
    });
    snapshot(&mut app, v);
    let b = app.batch.as_ref().unwrap();
    assert!(b.alert.is_none());
    assert_eq!(
        b.stop_reason.as_ref().unwrap().message,
        "8 de 10 fallidas o muy cortas"
    );

    // A window's close is a stop too, told in its own words.
    let mut app = watching(12);
    update(
        &mut app,
        Action::StreamNotice {
            batch_id: "batch_777".into(),
            message: "los 7 destinatarios sin marcar se reanudan el 26/11".into(),
            code: Some("window_closed".into()),
        },
    );
    let (code, _) = app.batch.as_ref().unwrap().alert.clone().unwrap();
    assert_eq!(code, "window_closed");
    let screen = format!("{:?}", render(&app, 100, 30).backend());
    assert!(screen.contains("Cerrado por horario"), "{screen}");
}

#[test]
fn json_export_writes_the_same_rows_as_the_csv() {
    let mut app = watching(12);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char(' '));
    let csv = key(&mut app, KeyCode::Char('e'));
    let json = update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('E'), KeyModifiers::SHIFT)),
    );
    let (
        [
            Effect::WriteFile {
                contents: csv,
                rows: 2,
                ..
            },
        ],
        [
            Effect::WriteFile {
                path,
                contents: json,
                rows: 2,
            },
        ],
    ) = (csv.as_slice(), json.as_slice())
    else {
        panic!("expected a CSV and a JSON write: {csv:?} {json:?}");
    };
    assert!(path.to_string_lossy().ends_with(".json"), "{path:?}");
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let csv_ids: Vec<String> = r.records().map(|rec| rec.unwrap()[0].to_string()).collect();
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let json_ids: Vec<&str> = v["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["recipient_id"].as_str().unwrap())
        .collect();
    assert_eq!(csv_ids, json_ids);
    assert_eq!(v["batch_id"], "batch_777");
    assert_eq!(v["kpis"]["total"], 2);
    assert_eq!(v["recipients"][0]["attempts"], 1);
}

/// `u` on a stopped batch: asks first, with how many were never dialled; `y` resumes them
/// once and the dashboard follows the new batch. Refused while the batch runs, and when
/// another batch already took over.
#[test]
fn resume_asks_first_then_follows_the_new_batch() {
    let mut app = watching(6);
    // Still running: nothing to confirm.
    assert!(key(&mut app, KeyCode::Char('u')).is_empty());
    assert!(app.overlay.is_none());
    assert!(app.notice.as_ref().unwrap().text.contains("sigue en curso"));

    let mut v = fixtures::batch_view("batch_777", 6, now().timestamp());
    v.status = callboard::domain::BatchStatus::Cancelled;
    for r in v.recipients.iter_mut().skip(2) {
        r.status = RecipientStatus::Cancelled;
        r.conversation_id = None;
    }
    v.stop_reason = Some(StopReason {
        code: callboard::domain::StopCode::CircuitBreaker,
        message: "Lote detenido".into(),
        at_unix: now().timestamp(),
        pending: false,
    });
    snapshot(&mut app, v.clone());
    assert!(key(&mut app, KeyCode::Char('u')).is_empty());
    match &app.overlay {
        Some(Overlay::Confirm(c)) => match c.as_ref() {
            Confirm::Resume {
                batch_id, count, ..
            } => {
                assert_eq!(batch_id, "batch_777");
                assert_eq!(*count, 4);
            }
            other => panic!("wrong dialog {other:?}"),
        },
        other => panic!("no dialog: {other:?}"),
    }
    // `n` sends nothing; `u` `y` sends one resume.
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    key(&mut app, KeyCode::Char('u'));
    let fx = key(&mut app, KeyCode::Char('y'));
    assert_eq!(fx, vec![Effect::Resume("batch_777".into())]);
    assert!(app.overlay.is_none());

    let fx = update(
        &mut app,
        Action::Resumed(Ok(callboard::api::ResumeData {
            batch_id: "batch_777".into(),
            new_batch_id: "batch_778".into(),
            recipients_count: 4,
            scheduled_time_unix: None,
        })),
    );
    assert!(fx.contains(&Effect::Watch("batch_778".into())), "{fx:?}");
    assert_eq!(app.batch.as_ref().unwrap().id, "batch_778");
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("4 destinatarios")
    );

    // The stopped batch now continues elsewhere: `u` says so instead of asking.
    let mut app = watching(6);
    v.continued_by = Some("batch_778".into());
    snapshot(&mut app, v);
    assert!(key(&mut app, KeyCode::Char('u')).is_empty());
    assert!(app.overlay.is_none());
    assert!(app.notice.as_ref().unwrap().text.contains("batch_778"));

    // A refusal from the service is shown as it came.
    update(
        &mut app,
        Action::Resumed(Err(Failure {
            status: Some(409),
            code: Some("batch_continued".into()),
            message: "Los destinatarios de este lote ya continúan en el lote batch_778".into(),
            details: None,
        })),
    );
    let n = app.notice.as_ref().unwrap();
    assert!(n.error && n.text.contains("ya continúan"), "{n:?}");
}

/// `a` in the call dialog picks the batch's automatic retries: the service's default, off,
/// then up to 2 or 3 attempts. Each choice is checked again, and `y` sends the same.
#[test]
fn the_dialog_chooses_the_retry_policy_and_checks_it() {
    let mut app = loaded_app();
    open_dialog(&mut app);
    let policies = |fx: &[Effect]| -> Vec<Option<u32>> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Preflight { request, .. } => {
                    Some(request.retry_policy.as_ref().map(|p| p.max_attempts))
                }
                _ => None,
            })
            .collect()
    };
    assert_eq!(policies(&key(&mut app, KeyCode::Char('a'))), vec![Some(1)]);
    assert_eq!(policies(&key(&mut app, KeyCode::Char('a'))), vec![Some(2)]);
    assert_eq!(policies(&key(&mut app, KeyCode::Char('a'))), vec![Some(3)]);
    assert_eq!(policies(&key(&mut app, KeyCode::Char('a'))), vec![None]);
    key(&mut app, KeyCode::Char('a'));
    key(&mut app, KeyCode::Char('a'));
    let fx = key(&mut app, KeyCode::Char('y'));
    let [Effect::StartCall { request, .. }] = fx.as_slice() else {
        panic!("expected one start, got {fx:?}");
    };
    let p = request.retry_policy.as_ref().unwrap();
    assert_eq!(p.max_attempts, 2);
    assert_eq!(
        p.outcomes,
        vec![RecipientStatus::Failed, RecipientStatus::Voicemail]
    );
}
