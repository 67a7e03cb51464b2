//! A tiny server that speaks the service's contract (JSON envelopes, the SSE stream) on
//! 127.0.0.1:0, scripted per test: what each SSE connection sends and how it ends, what
//! the status route answers in turn, and a record of what the client asked for.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use callboard::api::{
    BatchCompletedEvent, BatchStatusView, CancelData, ConnectedEvent, Envelope, RetryData,
    StartCallData, StartCallRequest, StatusUpdateEvent,
};
use callboard::domain::{BatchStatus, RecipientStatus};
use callboard::tui::fixtures;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const TOKEN: &str = "tok_supervisor_19";

#[derive(Clone)]
pub enum Ev {
    Connected,
    Update(BatchStatusView),
    Completed(BatchStatusView),
    /// An `error` event (the service's `circuit_breaker` stop is one).
    Error {
        code: String,
        message: String,
    },
}

#[derive(Clone, Copy)]
pub enum End {
    /// The server closes the response cleanly.
    Close,
    /// The body fails mid-stream: hyper drops the connection.
    Kill,
    /// Stays open.
    Hang,
}

#[derive(Default)]
pub struct Contract {
    /// The stream route accepts the request and never answers it.
    pub mute_stream: AtomicBool,
    /// Pause before each SSE event (ms); 20 when 0.
    pub event_gap_ms: AtomicU64,
    pub streams: Mutex<VecDeque<(Vec<Ev>, End)>>,
    pub refuse_stream: AtomicBool,
    /// Answers of the status route in turn; the last one repeats.
    pub statuses: Mutex<VecDeque<BatchStatusView>>,
    pub sse_connects: AtomicUsize,
    pub status_gets: AtomicUsize,
    pub batch_list_gets: AtomicUsize,
    pub retries: Mutex<Vec<String>>,
    pub cancels: Mutex<Vec<String>>,
    pub starts: Mutex<Vec<StartCallRequest>>,
    /// Pre-flight requests (`/call/preflight`, `?dryRun=true`): recorded apart, never
    /// counted as starts.
    pub dry_runs: Mutex<Vec<StartCallRequest>>,
    /// Answer dry-runs as a service that does not know them would (404).
    pub refuse_dry_run: AtomicBool,
    /// The do-not-call list (E.164 phones).
    pub optouts: Mutex<Vec<callboard::store::optouts::OptOut>>,
}

pub type Shared = Arc<Contract>;

fn fail(status: StatusCode, msg: &str, code: &str) -> Response {
    (status, Json(Envelope::error(msg, code))).into_response()
}

fn authorized(h: &HeaderMap, q: &HashMap<String, String>) -> bool {
    let bearer = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {TOKEN}"));
    bearer || q.get("access_token").is_some_and(|t| t == TOKEN)
}

macro_rules! guard {
    ($h:expr, $q:expr) => {
        if !authorized(&$h, &$q) {
            return fail(
                StatusCode::UNAUTHORIZED,
                "Token inválido o ausente",
                "unauthorized",
            );
        }
    };
}

fn ok<T: serde::Serialize>(msg: &str, data: T) -> Response {
    Json(Envelope::ok(msg, data)).into_response()
}

async fn groups(h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    guard!(h, q);
    ok("Grupos obtenidos", fixtures::groups())
}

async fn group(
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Path(id): Path<u64>,
) -> Response {
    guard!(h, q);
    if id != 55 {
        return fail(StatusCode::NOT_FOUND, "Grupo no encontrado", "not_found");
    }
    ok("Grupo obtenido", fixtures::group_detail())
}

async fn batches(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    guard!(h, q);
    s.batch_list_gets.fetch_add(1, Ordering::SeqCst);
    ok(
        "Lista de batch calls obtenida exitosamente",
        fixtures::batches(),
    )
}

async fn phones(h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    guard!(h, q);
    ok("Números obtenidos", fixtures::phone_numbers())
}

async fn status(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    guard!(h, q);
    s.status_gets.fetch_add(1, Ordering::SeqCst);
    let mut seq = s.statuses.lock().unwrap();
    let view = if seq.len() > 1 {
        seq.pop_front()
    } else {
        seq.front().cloned()
    };
    match view {
        Some(v) => ok("Estado del batch call obtenido exitosamente", v),
        None => fail(StatusCode::NOT_FOUND, "Batch no encontrado", "not_found"),
    }
}

fn ts() -> String {
    callboard::api::timestamp_now()
}

async fn stream(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Path(id): Path<String>,
) -> Response {
    guard!(h, q);
    s.sse_connects.fetch_add(1, Ordering::SeqCst);
    if s.mute_stream.load(Ordering::SeqCst) {
        futures::future::pending::<()>().await;
    }
    if s.refuse_stream.load(Ordering::SeqCst) {
        return fail(
            StatusCode::SERVICE_UNAVAILABLE,
            "Servicio no disponible",
            "unavailable",
        );
    }
    let (events, end) = s
        .streams
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or((vec![Ev::Connected], End::Hang));
    let gap = match s.event_gap_ms.load(Ordering::SeqCst) {
        0 => 20,
        ms => ms,
    };
    let body = async_stream::stream! {
        for ev in events {
            tokio::time::sleep(Duration::from_millis(gap)).await;
            let e = match ev {
                Ev::Connected => SseEvent::default().event("connected").json_data(ConnectedEvent {
                    message: "Conexión SSE establecida".into(),
                    batch_id: id.clone(),
                    timestamp: ts(),
                }),
                Ev::Update(v) => SseEvent::default().event("status-update").json_data(StatusUpdateEvent {
                    success: true,
                    data: v,
                    timestamp: ts(),
                }),
                Ev::Completed(v) => SseEvent::default().event("batch-completed").json_data(BatchCompletedEvent {
                    message: "Batch call completed".into(),
                    final_status: v.status.to_string(),
                    data: v,
                    timestamp: ts(),
                }),
                Ev::Error { code, message } => SseEvent::default().event("error").json_data(callboard::api::ErrorEvent {
                    message,
                    code,
                    timestamp: ts(),
                    fatal: None,
                }),
            };
            yield e.map_err(|e| std::io::Error::other(e.to_string()));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        match end {
            End::Close => {}
            End::Kill => yield Err(std::io::Error::other("killed mid-stream")),
            End::Hang => futures::future::pending::<()>().await,
        }
    };
    Sse::new(body).into_response()
}

async fn start(
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    State(s): State<Shared>,
    Path(id): Path<u64>,
    Json(req): Json<StartCallRequest>,
) -> Response {
    guard!(h, q);
    if q.get("dryRun").is_some_and(|v| v == "true") {
        return dry_run(&s, req);
    }
    s.starts.lock().unwrap().push(req.clone());
    if !req.skip_incomplete {
        let mut body = Envelope::error("Faltan variables para 1 destinatario", "missing_variables");
        body.details =
            Some(serde_json::json!([{"name": "Dra. Pérez", "missing": ["especialidad"]}]));
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
    }
    ok(
        "Llamadas iniciadas exitosamente para el grupo \"Médicos Test\"",
        StartCallData {
            batch_id: "batch_900".into(),
            group_id: id,
            group_name: "Médicos Test".into(),
            agent_id: "agent_67890".into(),
            recipients_count: 13,
            call_name: "Llamada Médicos Test - 24/8/2025".into(),
            batch_data: serde_json::json!({"id": "batch_900"}),
            skipped: vec![],
        },
    )
}

/// `POST /api/groups/:id/call/preflight`: the same as `?dryRun=true`.
async fn preflight(
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    State(s): State<Shared>,
    Json(req): Json<StartCallRequest>,
) -> Response {
    guard!(h, q);
    dry_run(&s, req)
}

/// What `?dryRun=true` answers: the service's checks up to the pre-flight, which is the
/// fixture's (its window and estimate move with the clock like the service's would).
fn dry_run(s: &Contract, req: StartCallRequest) -> Response {
    s.dry_runs.lock().unwrap().push(req.clone());
    if s.refuse_dry_run.load(Ordering::SeqCst) {
        return fail(StatusCode::NOT_FOUND, "Ruta no encontrada", "not_found");
    }
    if req.agent_phone_number_id.is_none() {
        return fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "El ID del número telefónico del agente (agentPhoneNumberId) es requerido",
            "phone_number_required",
        );
    }
    let mut p = fixtures::preflight(chrono::Utc::now().timestamp());
    let listed: Vec<String> = s
        .optouts
        .lock()
        .unwrap()
        .iter()
        .map(|o| o.phone_number.clone())
        .collect();
    p.recipients.retain(|r| !listed.contains(&r.phone_number));
    ok(
        &format!(
            "Verificación previa: se marcaría a {} destinatarios; {} omitidos, {} sin todas las variables",
            p.recipients.len(),
            p.skipped.len(),
            p.incomplete.len()
        ),
        p,
    )
}

async fn list_optouts(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    guard!(h, q);
    let list = s.optouts.lock().unwrap().clone();
    ok("Lista de no llamar obtenida exitosamente", list)
}

/// Like the service: E.164 only here (the real one normalises national numbers too).
async fn add_optout(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<serde_json::Value>,
) -> Response {
    guard!(h, q);
    let phone = body["phone"].as_str().unwrap_or_default().to_string();
    let reason = body["reason"].as_str().unwrap_or("pidió no ser llamado");
    if !phone.starts_with('+') || phone.len() < 10 {
        return fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("Teléfono «{phone}»: número no válido"),
            "invalid_phone",
        );
    }
    let mut list = s.optouts.lock().unwrap();
    if let Some(o) = list.iter().find(|o| o.phone_number == phone) {
        return ok(
            &format!("{phone} ya estaba en la lista de no llamar"),
            o.clone(),
        );
    }
    let entry = callboard::store::optouts::OptOut {
        phone_number: phone.clone(),
        reason: reason.into(),
        source: "api".into(),
        added_at: chrono::Utc::now(),
    };
    list.push(entry.clone());
    ok(&format!("{phone} agregado a la lista de no llamar"), entry)
}

/// KPIs of batch_555 (a finished batch, the usual other side of a comparison).
async fn report(
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Path(id): Path<String>,
) -> Response {
    guard!(h, q);
    if id != "batch_555" {
        return fail(StatusCode::NOT_FOUND, "Batch no encontrado", "not_found");
    }
    ok(
        "Reporte del batch call obtenido exitosamente",
        callboard::report::kpis(&finished_view("batch_555")),
    )
}

/// A finished batch of 38: 20 answered, 10 voicemail, 8 failed.
pub fn finished_view(id: &str) -> BatchStatusView {
    let now = chrono::Utc::now().timestamp();
    let mut v = fixtures::batch_view(id, 38, now);
    for (i, r) in v.recipients.iter_mut().enumerate() {
        r.status = match i {
            0..20 => RecipientStatus::Completed,
            20..30 => RecipientStatus::Voicemail,
            _ => RecipientStatus::Failed,
        };
        r.call_successful = match i {
            0..15 => Some("success".into()),
            15..20 => Some("failure".into()),
            _ => None,
        };
        r.duration_secs = Some(60);
    }
    v.status = BatchStatus::PartiallyCompleted;
    v
}

async fn retry(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Path(id): Path<String>,
) -> Response {
    guard!(h, q);
    s.retries.lock().unwrap().push(id.clone());
    ok(
        "Batch call reintentado exitosamente",
        RetryData {
            batch_id: id,
            retried_count: 4,
            status: "retrying".into(),
        },
    )
}

async fn cancel(
    State(s): State<Shared>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Path(id): Path<String>,
) -> Response {
    guard!(h, q);
    s.cancels.lock().unwrap().push(id.clone());
    ok(
        "Batch call cancelado exitosamente",
        CancelData {
            batch_id: id,
            status: "cancelled".into(),
            cancelled_count: 6,
        },
    )
}

pub async fn serve(contract: Shared) -> SocketAddr {
    let app = Router::new()
        .route("/api/groups", get(groups))
        .route("/api/groups/{id}", get(group))
        .route("/api/groups/{id}/call", post(start))
        .route("/api/groups/{id}/call/preflight", post(preflight))
        .route("/api/batch-calls", get(batches))
        .route("/api/batch-calls/{id}/status", get(status))
        .route("/api/batch-calls/{id}/status/stream", get(stream))
        .route("/api/batch-calls/{id}/retry", post(retry))
        .route("/api/batch-calls/{id}/cancel", post(cancel))
        .route("/api/phone-numbers", get(phones))
        .route("/api/optouts", get(list_optouts).post(add_optout))
        .route("/api/batch-calls/{id}/report", get(report))
        .with_state(contract);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

pub fn view(done_every: usize, status: BatchStatus) -> BatchStatusView {
    view_n(24, done_every, status)
}

/// A batch of `n` recipients: the fixture's mix, plus every `done_every`-th completed.
pub fn view_n(n: usize, done_every: usize, status: BatchStatus) -> BatchStatusView {
    let now = chrono::Utc::now().timestamp();
    let mut v = fixtures::batch_view("batch_777", n, now);
    for (i, r) in v.recipients.iter_mut().enumerate() {
        if i % done_every == 0 {
            r.status = RecipientStatus::Completed;
        }
    }
    v.status = status;
    v
}
