//! Delta events (`?view=delta`, issue 16) against a real service and simulator: the changes
//! add up to exactly the whole view the seed's full events carry, every event has an id, a
//! viewer that comes back with its last id gets only what it missed (or the whole view when
//! the id is unknown), the dashboard's own watcher follows a batch with them; and a stream
//! for a batch nobody has is a 404 envelope before any stream opens (issue 15, item 4).

use crate::support::service::*;
use callboard::api::{BatchStatusView, StatusDeltaEvent};
use serde_json::Value;
use std::time::Duration;

async fn start_batch(api: &Api, group: u64, phone_id: &str) -> String {
    let r = api
        .post(
            &format!("/api/groups/{group}/call"),
            serde_json::json!({"userId": 19, "agentPhoneNumberId": phone_id}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["data"]["batchId"].as_str().unwrap().to_string()
}

async fn stream(api: &Api, batch: &str, query: &str, last_id: Option<&str>) -> reqwest::Response {
    let url = format!("{}/api/batch-calls/{batch}/status/stream{query}", api.base);
    let mut rb = reqwest::Client::new().get(url);
    if let Some(id) = last_id {
        rb = rb.header("last-event-id", id);
    }
    let resp = rb.send().await.expect("stream opens");
    assert_eq!(resp.status().as_u16(), 200);
    resp
}

fn view(v: &Value) -> BatchStatusView {
    serde_json::from_value(v.clone()).expect("a status view")
}

/// Applies a delta stream's events: the whole view they add up to, the last id, and how
/// many deltas carried fewer recipients than the whole view.
fn replay(events: &[SseEvent]) -> (BatchStatusView, String, usize) {
    let mut held: Option<BatchStatusView> = None;
    let mut last: Option<String> = None;
    let mut partial = 0;
    for e in events {
        match e.event.as_str() {
            "connected" => assert!(e.id.is_none(), "connected keeps the client's last id"),
            "status-update" => {
                held = Some(view(&e.data["data"]));
                last = Some(e.id.clone().expect("an id"));
            }
            "status-delta" => {
                let d: StatusDeltaEvent = serde_json::from_value(e.data.clone()).unwrap();
                let whole = held.as_mut().expect("the whole view came first");
                partial += usize::from(d.data.recipients.len() < whole.recipients.len());
                assert!(
                    d.apply(last.as_deref(), whole),
                    "each delta applies to the last id"
                );
                last = Some(e.id.clone().expect("an id"));
            }
            "batch-completed" => {
                assert!(e.data.get("data").is_none(), "no second copy of the view");
                assert_eq!(e.id, last, "the end carries the last state's id");
            }
            other => panic!("unexpected event {other}"),
        }
    }
    (held.expect("a view"), last.expect("an id"), partial)
}

#[tokio::test]
async fn delta_events_add_up_to_the_full_view_and_resume_from_the_last_id() {
    let sim = sim(300.0, 5).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), true, true).await;
    let api = Api::new(svc.url(), None);
    let phone = sim.phone_number_ids()[0].clone();
    let batch = start_batch(&api, 55, &phone).await;
    let (full, delta) = tokio::join!(
        read_sse(
            stream(&api, &batch, "", None).await,
            Duration::from_secs(90)
        ),
        read_sse(
            stream(&api, &batch, "?view=delta", None).await,
            Duration::from_secs(90)
        ),
    );
    // The seed's events, as before: the whole view every time, and again at the end.
    let names: Vec<&str> = full.0.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names.first(), Some(&"connected"));
    assert_eq!(names.last(), Some(&"batch-completed"), "{names:?}");
    assert!(!names.contains(&"status-delta"));
    let full_end = view(&full.0.last().unwrap().data["data"]);

    let (held, last, partial) = replay(&delta.0);
    assert!(partial > 0, "some deltas carry only what changed");
    assert_eq!(delta.0.last().unwrap().event, "batch-completed");
    assert_eq!(held, full_end, "the deltas add up to the full view");

    // Back with the last id: nothing to resend but the end.
    let (again, _) = read_sse(
        stream(&api, &batch, "?view=delta", Some(&last)).await,
        Duration::from_secs(10),
    )
    .await;
    let names: Vec<&str> = again.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names, ["connected", "batch-completed"]);
    // The same through the query (a page opening a new EventSource).
    let (again, _) = read_sse(
        stream(
            &api,
            &batch,
            &format!("?view=delta&lastEventId={last}"),
            None,
        )
        .await,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(again.len(), 2, "{again:?}");
    // An id the service does not know: the whole view again.
    let (resync, _) = read_sse(
        stream(&api, &batch, "?view=delta", Some("12345")).await,
        Duration::from_secs(10),
    )
    .await;
    let names: Vec<&str> = resync.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names, ["connected", "status-update", "batch-completed"]);
    assert_eq!(view(&resync[1].data["data"]), full_end);

    assert_error(
        &api.get(&format!("/api/batch-calls/{batch}/status/stream?view=diff"))
            .await,
        400,
        "invalid_query",
    );
    svc.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_stream_for_a_batch_nobody_has_is_a_404_before_it_opens() {
    let sim = sim(300.0, 5).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), true, true).await;
    let api = Api::new(svc.url(), None);
    for query in ["", "?view=delta"] {
        let r = api
            .get(&format!(
                "/api/batch-calls/btcal_nadie/status/stream{query}"
            ))
            .await;
        assert_error(&r, 404, "batch_not_found");
        assert!(
            r.body["message"]
                .as_str()
                .unwrap()
                .contains("No se encontró"),
            "{:?}",
            r.body
        );
    }
    svc.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn the_dashboard_follows_a_batch_with_delta_events() {
    use callboard::tui::action::{Action, ConnState};
    let sim = sim(300.0, 5).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), true, true).await;
    let api = Api::new(svc.url(), None);
    let phone = sim.phone_number_ids()[0].clone();
    let batch = start_batch(&api, 55, &phone).await;
    let client =
        callboard::tui::client::ServiceClient::new(&svc.url(), None, callboard::domain::Lang::Es)
            .unwrap();
    let req = client.stream_request(&batch, Some("7")).build().unwrap();
    assert_eq!(req.url().query(), Some("view=delta"));
    assert_eq!(req.headers()["last-event-id"], "7");
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let cancel = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(callboard::tui::source::watch(
        client,
        batch.clone(),
        tx,
        Default::default(),
        cancel.clone(),
    ));
    let mut last = None;
    let mut snapshots = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while let Ok(Some(a)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        match a {
            Action::Snapshot { view, .. } => {
                snapshots += 1;
                last = Some(*view);
            }
            Action::Conn {
                state: ConnState::Ended,
                ..
            } => break,
            _ => {}
        }
    }
    cancel.cancel();
    let _ = task.await;
    assert!(snapshots > 2, "live updates arrived ({snapshots})");
    // What the seed's full events say the batch ended as.
    let (full, _) = read_sse(
        stream(&api, &batch, "", None).await,
        Duration::from_secs(10),
    )
    .await;
    let end = full.last().expect("events");
    assert_eq!(end.event, "batch-completed");
    assert_eq!(last.expect("a snapshot"), view(&end.data["data"]));
    svc.shutdown().await;
    sim.shutdown().await;
}
