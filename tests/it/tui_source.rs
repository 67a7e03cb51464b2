//! The dashboard's data side against a real HTTP server on 127.0.0.1:0 that speaks the
//! service's contract (JSON envelopes and the SSE stream): following a batch to the end,
//! surviving a killed SSE connection, falling back to polling, going offline, REST
//! errors with the service's own message, and the whole event loop driven headless.

use crate::support::tui_contract::*;
use callboard::api::StartCallRequest;
use callboard::domain::Lang;
use callboard::domain::{BatchStatus, RecipientStatus};
use callboard::secret::Secret;
use callboard::tui::action::{Action, ConnState};
use callboard::tui::client::ServiceClient;
use callboard::tui::exec::Executor;
use callboard::tui::source::{WatchConfig, watch};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn fast() -> WatchConfig {
    WatchConfig {
        poll_every: Duration::from_millis(60),
        failures_before_poll: 2,
        first_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(80),
        retry_stream_every: Duration::from_secs(30),
        open_timeout: Duration::from_secs(2),
        ..WatchConfig::default()
    }
}

fn client(addr: SocketAddr, token: &str) -> ServiceClient {
    ServiceClient::new(
        &format!("http://{addr}"),
        Some(Secret::new(token)),
        Lang::Es,
    )
    .unwrap()
}

/// Everything the watcher sends, until it says the batch ended (or 15 s pass).
async fn follow(contract: Shared, cfg: WatchConfig) -> Vec<Action> {
    let addr = serve(contract).await;
    let (tx, mut rx) = mpsc::channel(256);
    let cancel = CancellationToken::new();
    let task = tokio::spawn(watch(
        client(addr, TOKEN),
        "batch_777".into(),
        tx,
        cfg,
        cancel.clone(),
    ));
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while let Ok(Some(a)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        let end = matches!(
            a,
            Action::Conn {
                state: ConnState::Ended,
                ..
            }
        );
        seen.push(a);
        if end {
            break;
        }
    }
    cancel.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
    seen
}

/// A compact trace: `C:<state>` for connection changes, `S:<completed>` for snapshots
/// (the fixture has 10 of 24 completed; `view(k)` completes every k-th on top).
fn trace(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Conn { state, .. } => Some(format!("C:{state:?}")),
            Action::Snapshot { view, .. } => Some(format!(
                "S:{}",
                view.recipients
                    .iter()
                    .filter(|r| r.status == RecipientStatus::Completed)
                    .count()
            )),
            Action::StreamNotice {
                message,
                code: None,
                ..
            } => Some(format!("N:{message}")),
            Action::StreamNotice {
                message,
                code: Some(code),
                ..
            } => Some(format!("N[{code}]:{message}")),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn follows_a_batch_over_sse_to_completion() {
    let c = Shared::default();
    c.statuses
        .lock()
        .unwrap()
        .push_back(view(4, BatchStatus::InProgress));
    c.streams.lock().unwrap().push_back((
        vec![
            Ev::Connected,
            Ev::Update(view(3, BatchStatus::InProgress)),
            Ev::Update(view(2, BatchStatus::InProgress)),
            Ev::Completed(view(1, BatchStatus::Completed)),
        ],
        End::Hang,
    ));
    let seen = follow(c.clone(), fast()).await;
    assert_eq!(
        trace(&seen),
        [
            "C:Connecting",
            "S:12",
            "C:Live",
            "S:14",
            "S:16",
            "S:24",
            "C:Ended"
        ]
        .map(String::from)
        .to_vec(),
        "got {:?}",
        trace(&seen)
    );
    assert_eq!(c.sse_connects.load(Ordering::SeqCst), 1);
}

/// The breaker's `error` event keeps its code, so the dashboard can show it as a stop.
#[tokio::test]
async fn a_circuit_breaker_error_event_arrives_with_its_code() {
    let c = Shared::default();
    c.statuses
        .lock()
        .unwrap()
        .push_back(view(4, BatchStatus::InProgress));
    c.streams.lock().unwrap().push_back((
        vec![
            Ev::Connected,
            Ev::Error {
                code: "circuit_breaker".into(),
                message: "8 de las últimas 10 llamadas fallaron".into(),
            },
            Ev::Completed(view(1, BatchStatus::Cancelled)),
        ],
        End::Hang,
    ));
    let t = trace(&follow(c.clone(), fast()).await);
    assert_eq!(
        t,
        [
            "C:Connecting",
            "S:12",
            "C:Live",
            "N[circuit_breaker]:8 de las últimas 10 llamadas fallaron",
            "S:24",
            "C:Ended"
        ]
        .map(String::from)
        .to_vec(),
        "got {t:?}"
    );
}

#[tokio::test]
async fn recovers_when_the_sse_connection_is_killed_mid_stream() {
    let c = Shared::default();
    c.statuses
        .lock()
        .unwrap()
        .push_back(view(4, BatchStatus::InProgress));
    c.streams.lock().unwrap().extend([
        (
            vec![Ev::Connected, Ev::Update(view(3, BatchStatus::InProgress))],
            End::Kill,
        ),
        (
            vec![Ev::Connected, Ev::Update(view(2, BatchStatus::InProgress))],
            End::Close,
        ),
        (
            vec![
                Ev::Connected,
                Ev::Completed(view(1, BatchStatus::Completed)),
            ],
            End::Hang,
        ),
    ]);
    let seen = follow(c.clone(), fast()).await;
    let t = trace(&seen);
    assert_eq!(
        t,
        [
            "C:Connecting",
            "S:12",
            "C:Live",
            "S:14",
            "C:Reconnecting(1)",
            "C:Live",
            "S:16",
            "C:Reconnecting(1)",
            "C:Live",
            "S:24",
            "C:Ended"
        ]
        .map(String::from)
        .to_vec(),
        "got {t:?}"
    );
    assert_eq!(c.sse_connects.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn falls_back_to_polling_the_status_route_when_the_stream_is_refused() {
    let c = Shared::default();
    c.refuse_stream.store(true, Ordering::SeqCst);
    c.statuses.lock().unwrap().extend([
        view(4, BatchStatus::InProgress),
        view(3, BatchStatus::InProgress),
        view(2, BatchStatus::InProgress),
        view(1, BatchStatus::Completed),
    ]);
    let seen = follow(c.clone(), fast()).await;
    let t = trace(&seen);
    assert_eq!(
        t,
        [
            "C:Connecting",
            "S:12",
            "C:Reconnecting(1)",
            "C:Polling",
            "S:14",
            "C:Polling",
            "S:16",
            "C:Polling",
            "S:24",
            "C:Ended"
        ]
        .map(String::from)
        .to_vec(),
        "got {t:?}"
    );
    assert_eq!(c.sse_connects.load(Ordering::SeqCst), 2);
    assert_eq!(c.status_gets.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_stream_that_never_opens_counts_as_failed() {
    let c = Shared::default();
    c.mute_stream.store(true, Ordering::SeqCst);
    c.statuses.lock().unwrap().extend([
        view(4, BatchStatus::InProgress),
        view(1, BatchStatus::Completed),
    ]);
    let cfg = WatchConfig {
        open_timeout: Duration::from_millis(150),
        ..fast()
    };
    let t = trace(&follow(c.clone(), cfg).await);
    assert_eq!(
        t,
        [
            "C:Connecting",
            "S:12",
            "C:Reconnecting(1)",
            "C:Polling",
            "S:24",
            "C:Ended"
        ]
        .map(String::from)
        .to_vec(),
        "got {t:?}"
    );
    assert_eq!(c.sse_connects.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn goes_offline_when_nothing_answers_and_stops_when_cancelled() {
    // A port that was just free: connections are refused.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let (tx, mut rx) = mpsc::channel(64);
    let cancel = CancellationToken::new();
    let task = tokio::spawn(watch(
        client(addr, TOKEN),
        "batch_777".into(),
        tx,
        fast(),
        cancel.clone(),
    ));
    let mut seen = Vec::new();
    while let Ok(Some(a)) = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
        let offline = matches!(
            a,
            Action::Conn {
                state: ConnState::Offline,
                ..
            }
        );
        seen.push(a);
        if offline {
            break;
        }
    }
    // The failure is explained once, then the state says offline.
    let t = trace(&seen);
    assert_eq!(t.last().map(String::as_str), Some("C:Offline"), "got {t:?}");
    assert!(
        t.iter()
            .any(|x| x.starts_with("N:Sin conexión con el servicio")),
        "got {t:?}"
    );
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(2), task)
        .await
        .expect("the watcher stops when cancelled")
        .unwrap();
}

#[tokio::test]
async fn rest_calls_carry_the_token_and_keep_the_service_message() {
    let c = Shared::default();
    let addr = serve(c.clone()).await;
    let wrong = client(addr, "nope").groups().await.unwrap_err();
    assert_eq!(wrong.status, Some(401));
    assert_eq!(wrong.message, "Token inválido o ausente");
    assert_eq!(wrong.code.as_deref(), Some("unauthorized"));

    let cl = client(addr, TOKEN);
    assert_eq!(cl.groups().await.unwrap().len(), 2);
    assert_eq!(cl.group(55).await.unwrap().clients.len(), 3);
    assert_eq!(
        cl.group(99).await.unwrap_err().message,
        "Grupo no encontrado"
    );
    let req = StartCallRequest {
        agent_phone_number_id: Some("ph_67890".into()),
        ..Default::default()
    };
    let refused = cl.start_call(55, &req).await.unwrap_err();
    assert_eq!(refused.status, Some(422));
    assert_eq!(
        callboard::tui::describe_details(refused.details.as_ref()),
        vec!["Dra. Pérez: especialidad".to_string()]
    );
    let req = StartCallRequest {
        skip_incomplete: true,
        ..req
    };
    assert_eq!(cl.start_call(55, &req).await.unwrap().batch_id, "batch_900");
    // The body went out camelCase, as the service reads it.
    assert!(c.starts.lock().unwrap()[1].skip_incomplete);
    assert_eq!(cl.retry("batch_777").await.unwrap().retried_count, 4);
    assert_eq!(cl.cancel("batch_777").await.unwrap().cancelled_count, 6);
    assert_eq!(*c.retries.lock().unwrap(), vec!["batch_777".to_string()]);
    // Unreachable service: a network failure without an HTTP status.
    let gone = client("127.0.0.1:1".parse().unwrap(), TOKEN)
        .batches()
        .await
        .unwrap_err();
    assert_eq!(gone.status, None);
    assert!(!format!("{gone:?}").contains(TOKEN));
}

/// The real event loop on a `TestBackend`: keys come in through the action channel as
/// the terminal reader would send them, effects run against the contract server.
#[tokio::test]
async fn headless_app_opens_a_batch_follows_it_and_retries_on_confirm() {
    use callboard::tui::run::{TuiOptions, event_loop, new_app, start};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::{Terminal, backend::TestBackend};

    let c = Shared::default();
    // First look: in progress. After the retry the batch is followed again and the
    // status route says it is done, so no second stream is needed.
    c.statuses.lock().unwrap().extend([
        view(4, BatchStatus::InProgress),
        view(1, BatchStatus::Completed),
    ]);
    c.streams.lock().unwrap().push_back((
        vec![Ev::Connected, Ev::Update(view(2, BatchStatus::InProgress))],
        End::Hang,
    ));
    let addr = serve(c.clone()).await;
    let opts = TuiOptions::new(format!("http://{addr}"), Some(Secret::new(TOKEN)), Lang::Es);
    let (tx, mut rx) = mpsc::channel(256);
    let cl = client(addr, TOKEN);
    let mut app = new_app(&opts, cl.base());
    let mut exec = Executor::new(cl, tx.clone(), fast()).without_player();
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();

    let keys = tx.clone();
    let probe = c.clone();
    let script = tokio::spawn(async move {
        let press = |code| Action::Key(KeyEvent::new(code, KeyModifiers::NONE));
        let until = |f: Box<dyn Fn() -> bool + Send>| async move {
            for _ in 0..300 {
                if f() {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            false
        };
        let p = probe.clone();
        assert!(
            until(Box::new(
                move || p.batch_list_gets.load(Ordering::SeqCst) > 0
            ))
            .await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        keys.send(press(KeyCode::Tab)).await.unwrap();
        keys.send(press(KeyCode::Enter)).await.unwrap();
        let p = probe.clone();
        assert!(until(Box::new(move || p.sse_connects.load(Ordering::SeqCst) > 0)).await);
        // Let the stream's update arrive before asking for a retry.
        tokio::time::sleep(Duration::from_millis(200)).await;
        keys.send(press(KeyCode::Char('r'))).await.unwrap();
        keys.send(press(KeyCode::Char('y'))).await.unwrap();
        let p = probe.clone();
        assert!(until(Box::new(move || !p.retries.lock().unwrap().is_empty())).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
        keys.send(press(KeyCode::Char('q'))).await.unwrap();
    });
    drop(tx);
    start(&mut app, &mut exec, None);
    tokio::time::timeout(
        Duration::from_secs(10),
        event_loop(&mut app, &mut rx, &mut exec, &mut term),
    )
    .await
    .expect("the loop ends on q")
    .unwrap();
    script.await.unwrap();

    assert!(app.quit);
    assert_eq!(*c.retries.lock().unwrap(), vec!["batch_777".to_string()]);
    let b = app.batch.as_ref().expect("a batch is open");
    assert_eq!(b.id, "batch_777");
    assert_eq!(b.count(&RecipientStatus::Completed), 24);
    assert_eq!(b.status, BatchStatus::Completed);
    assert_eq!(app.conn, ConnState::Ended);
    assert_eq!(c.sse_connects.load(Ordering::SeqCst), 1);
    assert_eq!(c.status_gets.load(Ordering::SeqCst), 2);
    // The retry's answer was shown, then replaced by the end of the batch.
    assert_eq!(
        app.notice.as_ref().unwrap().text,
        "El lote terminó: completado."
    );
    let screen = format!("{}", term.backend());
    assert!(screen.contains("El lote terminó: completado."), "{screen}");
    assert!(screen.contains("24/24 terminadas (100%)"), "{screen}");
    assert!(screen.contains("Dr. García 1"), "{screen}");
}

/// Effects that touch the machine rather than the service: CSV files and audio.
#[tokio::test]
async fn executor_writes_csv_and_explains_failures_and_a_missing_player() {
    use callboard::tui::effect::Effect;
    let c = Shared::default();
    let addr = serve(c.clone()).await;
    let (tx, mut rx) = mpsc::channel(16);
    let mut exec = Executor::new(client(addr, TOKEN), tx, fast()).without_player();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lote.csv");
    exec.run(Effect::WriteFile {
        path: path.clone(),
        contents: "id,name\nrcp_1,Ana\n".into(),
        rows: 1,
    });
    match rx.recv().await {
        Some(Action::Exported(Ok((1, p)))) => assert_eq!(p, path),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "id,name\nrcp_1,Ana\n"
    );

    // A folder that cannot be made (a file is in the way) is said, with the path.
    exec.run(Effect::WriteFile {
        path: path.join("lote.csv"),
        contents: String::new(),
        rows: 0,
    });
    match rx.recv().await {
        Some(Action::Exported(Err(e))) => assert!(e.starts_with("No se pudo escribir"), "{e}"),
        other => panic!("unexpected {other:?}"),
    }

    exec.run(Effect::PlayAudio {
        conversation_id: "conv_00001".into(),
        save_dir: dir.path().to_path_buf(),
    });
    match rx.recv().await {
        Some(Action::Notice { text, error: true }) => {
            assert!(text.contains("No hay reproductor de audio"), "{text}");
            assert!(text.contains("mpv, ffplay"), "{text}");
            assert!(
                text.contains(&format!("http://{addr}/api/conversations/conv_00001/audio")),
                "{text}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// The issue-7 routes: the start's dry-run (nothing started), the do-not-call list with
/// the service's own messages, and a batch report.
#[tokio::test]
async fn dry_run_opt_outs_and_reports_speak_the_contract() {
    let c = Shared::default();
    let addr = serve(c.clone()).await;
    let cl = client(addr, TOKEN);
    let req = StartCallRequest {
        agent_phone_number_id: Some("ph_67890".into()),
        scheduled_time_unix: Some(1_900_000_000),
        ..Default::default()
    };
    let p = cl.preflight(55, &req).await.unwrap();
    assert_eq!(p.recipients.len(), 11);
    assert_eq!(p.skipped.len(), 4);
    assert_eq!(p.incomplete[0].missing, vec!["especialidad".to_string()]);
    assert!(!p.window.open_at_start);
    assert_eq!(p.estimate.based_on_batches, 3);
    // The same body as a start went out, and nothing was started.
    assert_eq!(*c.dry_runs.lock().unwrap(), vec![req.clone()]);
    assert!(c.starts.lock().unwrap().is_empty());
    // Without a calling number the service refuses, with its reason.
    let no_phone = cl.preflight(55, &StartCallRequest::default()).await;
    assert_eq!(no_phone.unwrap_err().status, Some(422));
    // A service that does not know dry-runs.
    c.refuse_dry_run.store(true, Ordering::SeqCst);
    let old = cl.preflight(55, &req).await.unwrap_err();
    assert_eq!(
        (old.status, old.message.as_str()),
        (Some(404), "Ruta no encontrada")
    );
    assert!(c.starts.lock().unwrap().is_empty());

    assert!(cl.optouts().await.unwrap().is_empty());
    let (msg, saved) = cl
        .add_optout("+573001000000", "marcado desde el panel")
        .await
        .unwrap();
    assert_eq!(msg, "+573001000000 agregado a la lista de no llamar");
    assert_eq!(saved.reason, "marcado desde el panel");
    let (again, _) = cl.add_optout("+573001000000", "otra vez").await.unwrap();
    assert_eq!(again, "+573001000000 ya estaba en la lista de no llamar");
    let bad = cl.add_optout("12", "x").await.unwrap_err();
    assert_eq!(bad.status, Some(422));
    assert_eq!(bad.code.as_deref(), Some("invalid_phone"));
    assert_eq!(bad.message, "Teléfono «12»: número no válido");
    let list = cl.optouts().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].phone_number, "+573001000000");

    let k = cl.report("batch_555").await.unwrap();
    assert_eq!(
        (k.total, k.completed, k.voicemail, k.failed),
        (38, 20, 10, 8)
    );
    assert_eq!(k.success_rate, Some(0.75));
    let missing = cl.report("batch_404").await.unwrap_err();
    assert_eq!(missing.message, "Batch no encontrado");
}

/// The executor turns each new effect into its action, tagged so `update` can tell a
/// stale dry-run or another batch's report apart.
#[tokio::test]
async fn executor_runs_dry_runs_opt_outs_reports_and_json_exports() {
    use callboard::tui::effect::Effect;
    let c = Shared::default();
    let addr = serve(c.clone()).await;
    let (tx, mut rx) = mpsc::channel(16);
    let mut exec = Executor::new(client(addr, TOKEN), tx, fast()).without_player();
    exec.run(Effect::Preflight {
        group_id: 55,
        request: StartCallRequest {
            agent_phone_number_id: Some("ph_67891".into()),
            ..Default::default()
        },
        generation: 7,
    });
    match rx.recv().await {
        Some(Action::PreflightLoaded {
            group_id: 55,
            generation: 7,
            result: Ok(p),
        }) => assert_eq!(p.recipients.len(), 11),
        other => panic!("unexpected {other:?}"),
    }
    exec.run(Effect::AddOptOut {
        phone: "+573001000007".into(),
        reason: "marcado desde el panel".into(),
    });
    match rx.recv().await {
        Some(Action::OptOutAdded(Ok((msg, o)))) => {
            assert!(msg.contains("agregado"), "{msg}");
            assert_eq!(o.phone_number, "+573001000007");
        }
        other => panic!("unexpected {other:?}"),
    }
    exec.run(Effect::LoadOptOuts);
    match rx.recv().await {
        Some(Action::OptOutsLoaded(Ok(list))) => assert_eq!(list.len(), 1),
        other => panic!("unexpected {other:?}"),
    }
    exec.run(Effect::LoadReport("batch_555".into()));
    match rx.recv().await {
        Some(Action::ReportLoaded {
            batch_id,
            result: Ok(k),
        }) => {
            assert_eq!(batch_id, "batch_555");
            assert_eq!(k.total, 38);
        }
        other => panic!("unexpected {other:?}"),
    }
    exec.run(Effect::LoadReport("batch_404".into()));
    match rx.recv().await {
        Some(Action::ReportLoaded {
            batch_id,
            result: Err(f),
        }) => assert_eq!((batch_id.as_str(), f.status), ("batch_404", Some(404))),
        other => panic!("unexpected {other:?}"),
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lote.json");
    exec.run(Effect::WriteFile {
        path: path.clone(),
        contents: "{\"recipients\":[]}".into(),
        rows: 0,
    });
    match rx.recv().await {
        Some(Action::Exported(Ok((0, p)))) => assert_eq!(p, path),
        other => panic!("unexpected {other:?}"),
    }
}
