//! Scripted action sequences into `update`, with assertions on state and effects.

use crate::support::tui::{chars, key, loaded_app, now};

use callboard::api::{RetryData, StartCallData};
use callboard::domain::{BatchStatus, RecipientStatus};
use callboard::tui::action::{Action, ConnState, Failure};
use callboard::tui::app::{App, Confirm, Overlay, Pane};
use callboard::tui::effect::Effect;
use callboard::tui::fixtures;
use callboard::tui::update::update;
use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// An app watching batch_777 with `n` recipients loaded.
fn watching(n: usize) -> App {
    let mut app = loaded_app();
    key(&mut app, KeyCode::Tab);
    let fx = key(&mut app, KeyCode::Enter);
    assert_eq!(fx, vec![Effect::Watch("batch_777".into())]);
    let view = fixtures::batch_view("batch_777", n, now().timestamp());
    update(
        &mut app,
        Action::Snapshot {
            batch_id: "batch_777".into(),
            view: Box::new(view),
            at: now(),
        },
    );
    app
}

#[test]
fn batches_are_newest_first_and_enter_watches_the_selected_one() {
    let mut app = loaded_app();
    assert_eq!(app.batches[0].batch_id, "batch_777");
    assert_eq!(app.focus, Pane::Groups);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Batches);
    key(&mut app, KeyCode::Down);
    let fx = key(&mut app, KeyCode::Enter);
    assert_eq!(fx, vec![Effect::Watch("batch_555".into())]);
    assert_eq!(app.focus, Pane::Batch);
    assert_eq!(app.conn, ConnState::Connecting);
    // Opening the batch already watched does not start a second stream.
    key(&mut app, KeyCode::BackTab);
    assert!(key(&mut app, KeyCode::Enter).is_empty());
}

#[test]
fn snapshots_of_other_batches_are_ignored_and_counts_follow_the_data() {
    let mut app = watching(24);
    let b = app.batch.as_ref().unwrap();
    assert_eq!(b.total(), 24);
    assert_eq!(b.count(&RecipientStatus::Completed), 10);
    assert_eq!(b.count(&RecipientStatus::Failed), 2);
    assert_eq!(b.retryable(), 4);
    let other = fixtures::batch_view("batch_555", 3, now().timestamp());
    update(
        &mut app,
        Action::Snapshot {
            batch_id: "batch_555".into(),
            view: Box::new(other),
            at: now(),
        },
    );
    assert_eq!(app.batch.as_ref().unwrap().total(), 24);
    assert_eq!(app.last_update, Some(now()));
    // The list line of the watched batch follows the stream.
    let item = app
        .batches
        .iter()
        .find(|b| b.batch_id == "batch_777")
        .unwrap();
    assert_eq!(item.recipients_count, 24);
    assert_eq!(item.finished_count, 14);
}

#[test]
fn status_changes_are_recorded_and_the_selection_stays_on_the_same_recipient() {
    let mut app = watching(12);
    // Select the recipient at index 7 (in progress).
    for _ in 0..7 {
        key(&mut app, KeyCode::Down);
    }
    let id = app
        .batch
        .as_ref()
        .unwrap()
        .selected_row()
        .unwrap()
        .id
        .clone();
    let mut view = fixtures::batch_view("batch_777", 12, now().timestamp());
    view.recipients[7].status = RecipientStatus::Completed;
    view.recipients[7].updated_at_unix = now().timestamp() + 5;
    view.recipients.reverse();
    update(
        &mut app,
        Action::Snapshot {
            batch_id: "batch_777".into(),
            view: Box::new(view),
            at: now(),
        },
    );
    let b = app.batch.as_ref().unwrap();
    assert_eq!(b.selected_row().unwrap().id, id);
    let h = &b.history[&id];
    assert_eq!(
        h.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>(),
        vec![RecipientStatus::InProgress, RecipientStatus::Completed]
    );
    assert_eq!(h[1].0, now().timestamp() + 5);
}

#[test]
fn sort_cycles_and_reverses() {
    let mut app = watching(24);
    key(&mut app, KeyCode::Char('s'));
    let b = app.batch.as_ref().unwrap();
    let names: Vec<String> = b
        .view
        .iter()
        .map(|i| b.rows[*i as usize].name.clone().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted);
    key(&mut app, KeyCode::Char('s')); // status
    let b = app.batch.as_ref().unwrap();
    assert_eq!(b.rows[b.view[0] as usize].status, RecipientStatus::Pending);
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT)),
    );
    let b = app.batch.as_ref().unwrap();
    assert!(b.sort_desc);
    assert_eq!(
        b.rows[b.view[0] as usize].status,
        RecipientStatus::Voicemail
    );
}

#[test]
fn filter_by_status_text_and_inverted_then_esc_clears() {
    let mut app = watching(24);
    key(&mut app, KeyCode::Char('/'));
    assert!(app.filter_editing);
    // Typed letters go to the filter, not to commands (no quit on `q`, no sort on `s`).
    chars(&mut app, "fallida");
    assert!(!app.quit);
    key(&mut app, KeyCode::Enter);
    assert!(!app.filter_editing);
    let b = app.batch.as_ref().unwrap();
    assert_eq!(b.view.len(), 2);
    assert!(
        b.view
            .iter()
            .all(|i| b.rows[*i as usize].status == RecipientStatus::Failed)
    );

    key(&mut app, KeyCode::Char('/'));
    for _ in 0..7 {
        key(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, "!completed");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.batch.as_ref().unwrap().view.len(), 14);

    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.batch.as_ref().unwrap().view.len(), 24);

    key(&mut app, KeyCode::Char('/'));
    chars(&mut app, "garcía 13");
    key(&mut app, KeyCode::Enter);
    let b = app.batch.as_ref().unwrap();
    assert_eq!(b.view.len(), 1);
    assert_eq!(b.selected_row().unwrap().id, "rcp_00012");
    // esc in the pane clears a filter before it leaves the pane.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.focus, Pane::Batch);
    assert!(app.batch.as_ref().unwrap().filter.is_empty());
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.focus, Pane::Batches);
}

#[test]
fn marked_rows_are_what_export_writes() {
    let mut app = watching(12);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char(' '));
    let b = app.batch.as_ref().unwrap();
    assert_eq!(b.marked.len(), 2);
    assert!(b.marked.contains("rcp_00000") && b.marked.contains("rcp_00002"));
    let fx = key(&mut app, KeyCode::Char('e'));
    let [
        Effect::WriteFile {
            path,
            contents,
            rows,
        },
    ] = fx.as_slice()
    else {
        panic!("expected one CSV write, got {fx:?}");
    };
    assert_eq!(*rows, 2);
    assert!(
        path.to_string_lossy()
            .contains("callboard-batch_777-20250824-103000")
    );
    let mut r = csv::Reader::from_reader(contents.as_bytes());
    let ids: Vec<String> = r.records().map(|rec| rec.unwrap()[0].to_string()).collect();
    assert_eq!(ids, vec!["rcp_00000", "rcp_00002"]);
    // Back on the first row (space moved down each time): unmarking it leaves one.
    for _ in 0..3 {
        key(&mut app, KeyCode::Up);
    }
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(app.batch.as_ref().unwrap().marked.len(), 1);
}

#[test]
fn retry_asks_first_and_n_leaves_without_effect() {
    let mut app = watching(24);
    assert!(key(&mut app, KeyCode::Char('r')).is_empty());
    match &app.overlay {
        Some(Overlay::Confirm(c)) => match c.as_ref() {
            Confirm::Retry {
                count, batch_id, ..
            } => {
                assert_eq!(*count, 4);
                assert_eq!(batch_id, "batch_777");
            }
            other => panic!("wrong dialog {other:?}"),
        },
        other => panic!("no dialog: {other:?}"),
    }
    // Keys that mean something elsewhere do nothing in a dialog.
    assert!(key(&mut app, KeyCode::Char('q')).is_empty());
    assert!(!app.quit);
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert!(app.overlay.is_none());
    key(&mut app, KeyCode::Char('r'));
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        vec![Effect::Retry("batch_777".into())]
    );
    assert!(app.overlay.is_none());
    let fx = update(
        &mut app,
        Action::Retried(Ok(RetryData {
            batch_id: "batch_777".into(),
            retried_count: 4,
            status: "retrying".into(),
        })),
    );
    assert!(fx.contains(&Effect::Watch("batch_777".into())));
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("4 destinatarios")
    );
}

#[test]
fn cancel_states_how_many_stop_and_refuses_on_a_finished_batch() {
    let mut app = watching(24);
    key(&mut app, KeyCode::Char('x'));
    match &app.overlay {
        Some(Overlay::Confirm(c)) => match c.as_ref() {
            Confirm::Cancel { stop, running, .. } => assert_eq!((*stop, *running), (4, 6)),
            other => panic!("wrong dialog {other:?}"),
        },
        other => panic!("no dialog: {other:?}"),
    }
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        vec![Effect::Cancel("batch_777".into())]
    );
    let mut done = fixtures::batch_view("batch_777", 24, now().timestamp());
    done.status = BatchStatus::Cancelled;
    update(
        &mut app,
        Action::Snapshot {
            batch_id: "batch_777".into(),
            view: Box::new(done),
            at: now(),
        },
    );
    assert!(key(&mut app, KeyCode::Char('x')).is_empty());
    assert!(app.overlay.is_none());
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("nada que cancelar")
    );
}

#[test]
fn call_dialog_tab_focus_keeps_y_out_of_the_field_and_sends_the_choices() {
    let mut app = loaded_app();
    let fx = key(&mut app, KeyCode::Char('c'));
    assert_eq!(fx, vec![Effect::LoadGroupDetail(55)]);
    update(
        &mut app,
        Action::GroupDetailLoaded(Ok(Box::new(fixtures::group_detail()))),
    );
    let Some(Overlay::Confirm(c)) = &app.overlay else {
        panic!("no dialog");
    };
    let Confirm::StartCall(d) = c.as_ref() else {
        panic!("wrong dialog");
    };
    assert_eq!(d.recipients, 14);
    assert_eq!(
        d.skipped,
        vec![(
            "Dr. Sin Número".to_string(),
            "número demasiado corto".to_string()
        )]
    );

    key(&mut app, KeyCode::Tab);
    chars(&mut app, "2025-08-25 09:00");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Right);
    let fx = key(&mut app, KeyCode::Char('y'));
    let [Effect::StartCall { group_id, request }] = fx.as_slice() else {
        panic!("expected a start, got {fx:?}");
    };
    assert_eq!(*group_id, 55);
    assert_eq!(request.agent_phone_number_id.as_deref(), Some("ph_67891"));
    // 09:00 in Bogotá (UTC-5) is 14:00 UTC.
    let at = Utc
        .with_ymd_and_hms(2025, 8, 25, 14, 0, 0)
        .single()
        .unwrap();
    assert_eq!(request.scheduled_time_unix, Some(at.timestamp()));
    assert!(!request.skip_incomplete && !request.force);
    // A second `y` while waiting sends nothing more.
    assert!(key(&mut app, KeyCode::Char('y')).is_empty());
}

#[test]
fn a_y_typed_into_the_focused_field_is_text_not_consent() {
    let mut app = loaded_app();
    key(&mut app, KeyCode::Char('c'));
    update(
        &mut app,
        Action::GroupDetailLoaded(Ok(Box::new(fixtures::group_detail()))),
    );
    key(&mut app, KeyCode::Tab);
    assert!(chars(&mut app, "y").is_empty());
    key(&mut app, KeyCode::Tab);
    // The field now holds "y", which is not a time: confirming says so and sends nothing.
    assert!(key(&mut app, KeyCode::Char('y')).is_empty());
    let Some(Overlay::Confirm(c)) = &app.overlay else {
        panic!("dialog closed");
    };
    let Confirm::StartCall(d) = c.as_ref() else {
        panic!("wrong dialog");
    };
    assert!(d.error.as_deref().unwrap().contains("Hora no válida"));
}

#[test]
fn missing_variables_keep_the_dialog_open_and_o_skips_the_incomplete() {
    let mut app = loaded_app();
    key(&mut app, KeyCode::Char('c'));
    update(
        &mut app,
        Action::GroupDetailLoaded(Ok(Box::new(fixtures::group_detail()))),
    );
    key(&mut app, KeyCode::Char('y'));
    let details =
        serde_json::json!([{"name": "Dra. Pérez", "missing": ["especialidad", "ciudad"]}]);
    update(
        &mut app,
        Action::CallStarted(Err(Failure {
            status: Some(422),
            code: Some("missing_variables".into()),
            message: "Faltan variables para 1 destinatario".into(),
            details: Some(details),
        })),
    );
    {
        let Some(Overlay::Confirm(c)) = &app.overlay else {
            panic!("dialog closed");
        };
        let Confirm::StartCall(d) = c.as_ref() else {
            panic!("wrong dialog");
        };
        assert_eq!(
            d.missing,
            vec!["Dra. Pérez: especialidad, ciudad".to_string()]
        );
        // In the supervisor's words, with what to do about it.
        assert_eq!(
            d.error.as_deref(),
            Some(
                "No se llamó: hay destinatarios a los que les faltan datos que usa el agente (pulse o para omitirlos)."
            )
        );
    }
    key(&mut app, KeyCode::Char('o'));
    let fx = key(&mut app, KeyCode::Char('y'));
    let [Effect::StartCall { request, .. }] = fx.as_slice() else {
        panic!("expected a start, got {fx:?}");
    };
    assert!(request.skip_incomplete);
    let fx = update(
        &mut app,
        Action::CallStarted(Ok(StartCallData {
            batch_id: "batch_900".into(),
            group_id: 55,
            group_name: "Médicos Test".into(),
            agent_id: "agent_67890".into(),
            recipients_count: 13,
            call_name: "Llamada Médicos Test - 24/8/2025".into(),
            batch_data: serde_json::Value::Null,
            skipped: vec![],
        })),
    );
    assert!(app.overlay.is_none());
    assert_eq!(fx[0], Effect::Watch("batch_900".into()));
    assert_eq!(app.focus, Pane::Batch);
    assert_eq!(
        app.batch.as_ref().unwrap().name,
        "Llamada Médicos Test - 24/8/2025"
    );
}

#[test]
fn transcript_opens_plays_and_goes_back() {
    let mut app = watching(12);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.focus, Pane::Transcript);
    assert_eq!(app.transcript.as_ref().unwrap().recipient_id, "rcp_00000");
    assert_eq!(
        key(&mut app, KeyCode::Char('p')),
        vec![Effect::PlayAudio {
            conversation_id: "conv_00000".into(),
            save_dir: app.export_dir.clone(),
        }]
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.focus, Pane::Batch);
    assert!(app.transcript.is_none());
    // A recipient without a call has nothing to play, and says so.
    for _ in 0..11 {
        key(&mut app, KeyCode::Down);
    }
    assert!(key(&mut app, KeyCode::Char('p')).is_empty());
    assert!(app.notice.as_ref().unwrap().error);
}

#[test]
fn help_opens_and_q_inside_it_does_not_quit_but_ctrl_c_does() {
    let mut app = loaded_app();
    key(&mut app, KeyCode::Char('?'));
    assert!(matches!(app.overlay, Some(Overlay::Help)));
    key(&mut app, KeyCode::Char('q'));
    assert!(app.overlay.is_none());
    assert!(!app.quit);
    key(&mut app, KeyCode::Char('r'));
    assert!(
        app.notice.as_ref().unwrap().error,
        "retry without a batch is an error"
    );
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(app.quit);
}

#[test]
fn info_notices_fade_errors_stay_and_ticks_only_dirty_on_a_new_second() {
    let mut app = loaded_app();
    update(
        &mut app,
        Action::Notice {
            text: "hecho".into(),
            error: false,
        },
    );
    app.dirty = false;
    update(
        &mut app,
        Action::Tick(now() + chrono::Duration::milliseconds(400)),
    );
    assert!(!app.dirty);
    update(
        &mut app,
        Action::Tick(now() + chrono::Duration::seconds(11)),
    );
    assert!(app.dirty);
    assert!(app.notice.is_none());
    update(
        &mut app,
        Action::Notice {
            text: "falló".into(),
            error: true,
        },
    );
    update(
        &mut app,
        Action::Tick(now() + chrono::Duration::seconds(60)),
    );
    assert!(app.notice.is_some());
}

#[test]
fn connection_end_reloads_lists_and_other_batches_do_not_touch_the_header() {
    let mut app = watching(12);
    update(
        &mut app,
        Action::Conn {
            batch_id: "batch_555".into(),
            state: ConnState::Offline,
        },
    );
    assert_eq!(app.conn, ConnState::Connecting);
    update(
        &mut app,
        Action::Conn {
            batch_id: "batch_777".into(),
            state: ConnState::Live,
        },
    );
    assert_eq!(app.conn, ConnState::Live);
    let fx = update(
        &mut app,
        Action::Conn {
            batch_id: "batch_777".into(),
            state: ConnState::Ended,
        },
    );
    assert_eq!(fx, vec![Effect::LoadBatches, Effect::LoadGroups]);
}

#[test]
fn schedule_parsing() {
    use callboard::tui::parse_schedule;
    let tz = chrono_tz::America::Bogota;
    assert_eq!(parse_schedule("", tz, now()), Ok(None));
    // 10:30 local now; 11:00 is later today, 09:00 is tomorrow.
    let today_11 = Utc
        .with_ymd_and_hms(2025, 8, 24, 16, 0, 0)
        .single()
        .unwrap();
    assert_eq!(
        parse_schedule("11:00", tz, now()),
        Ok(Some(today_11.timestamp()))
    );
    let tomorrow_9 = Utc
        .with_ymd_and_hms(2025, 8, 25, 14, 0, 0)
        .single()
        .unwrap();
    assert_eq!(
        parse_schedule("09:00", tz, now()),
        Ok(Some(tomorrow_9.timestamp()))
    );
    assert!(parse_schedule("mañana", tz, now()).is_err());
}

/// `e` writes what `callboard export` writes for the same batch, byte for byte: both go
/// through `report::to_csv` (and `E` through `report::to_json`). Variables, data
/// collection and termination reasons are set so every kind of column is compared.
#[test]
fn the_export_key_writes_what_callboard_export_writes() {
    let mut view = fixtures::batch_view("batch_777", 9, now().timestamp());
    for (i, r) in view.recipients.iter_mut().enumerate() {
        r.variables
            .insert("especialidad".into(), format!("cardiología {i}"));
        if i % 2 == 0 {
            r.data_collection
                .insert("confirmó".into(), serde_json::json!(i % 4 == 0));
            r.termination_reason = Some("Call ended by remote party".into());
            r.summary = Some(format!("Resumen, con \"comillas\" {i}"));
        }
    }
    let mut app = watching(0);
    update(
        &mut app,
        Action::Snapshot {
            batch_id: "batch_777".into(),
            view: Box::new(view.clone()),
            at: now(),
        },
    );
    let fx = key(&mut app, KeyCode::Char('e'));
    let Some(Effect::WriteFile { contents, rows, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(*rows, 9);
    let expected = callboard::report::to_csv(&view).unwrap();
    assert_eq!(contents.as_bytes(), expected.as_bytes());
    let fx = key(&mut app, KeyCode::Char('E'));
    let Some(Effect::WriteFile { contents, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let expected = serde_json::to_string_pretty(&callboard::report::to_json(&view)).unwrap();
    assert_eq!(contents.as_bytes(), expected.as_bytes());
}
