//! The bytes of the SSE stream. Frames are written by hand so that one snapshot is
//! serialised once per kind of viewer and the same `Bytes` go to every connection (axum's
//! `Event` would copy and re-encode per connection). Full viewers (the seed's page, anyone
//! who asks for nothing) get `status-update` with the whole view and, at the end,
//! `batch-completed` with it again, exactly as the seed; delta viewers get the whole view
//! once, then only what changed, and a `batch-completed` without the view.

use axum::body::Bytes;
use serde::Serialize;

use crate::api::{
    BatchCompletedEvent, BatchCompletedNotice, ConnectedEvent, EVENT_BATCH_COMPLETED,
    EVENT_CONNECTED, EVENT_ERROR, EVENT_STATUS_DELTA, EVENT_STATUS_UPDATE, EVENT_TIMEOUT,
    ErrorEvent, StatusDeltaEvent, StatusUpdateEvent, TimeoutEvent, timestamp_now,
};
use crate::monitor::Snapshot;

/// What the browser waits before reconnecting (the seed's own fallback also uses 5 s).
const RETRY_MS: u64 = 5000;

/// The keep-alive comment (proxies close silent connections).
pub const KEEPALIVE: &[u8] = b": keep-alive\n\n";

/// One SSE frame. JSON from serde has no raw newlines, so one `data:` line is enough.
fn frame(event: &str, id: Option<u64>, data: &impl Serialize, retry: Option<u64>) -> Vec<u8> {
    let json = serde_json::to_vec(data).unwrap_or_else(|_| b"{}".to_vec());
    let mut out = Vec::with_capacity(json.len() + 64);
    if let Some(r) = retry {
        out.extend_from_slice(format!("retry: {r}\n").as_bytes());
    }
    out.extend_from_slice(b"event: ");
    out.extend_from_slice(event.as_bytes());
    out.push(b'\n');
    if let Some(id) = id {
        out.extend_from_slice(format!("id: {id}\n").as_bytes());
    }
    out.extend_from_slice(b"data: ");
    out.extend_from_slice(&json);
    out.extend_from_slice(b"\n\n");
    out
}

/// Full viewers: `status-update` for a snapshot, followed by `batch-completed` when it is
/// final (the seed's page updates the bar only on `status-update`, so that one comes first).
pub fn full(s: &Snapshot) -> Bytes {
    s.sse_frame
        .get_or_init(|| {
            let mut out = frame(
                EVENT_STATUS_UPDATE,
                Some(s.seq),
                &StatusUpdateEvent {
                    success: true,
                    data: s.view.clone(),
                    timestamp: s.timestamp.clone(),
                },
                None,
            );
            if s.is_final {
                out.extend(frame(
                    EVENT_BATCH_COMPLETED,
                    Some(s.seq),
                    &BatchCompletedEvent {
                        message: "Batch call completed".into(),
                        final_status: s.view.status.as_str().to_string(),
                        data: s.view.clone(),
                        timestamp: s.timestamp.clone(),
                    },
                    None,
                ));
            }
            out.into()
        })
        .clone()
}

/// Delta viewers who missed something (or just came): the whole view, under this
/// snapshot's event id.
pub fn resync(s: &Snapshot) -> Bytes {
    s.sse_resync
        .get_or_init(|| {
            let mut out = frame(
                EVENT_STATUS_UPDATE,
                Some(s.event_id),
                &StatusUpdateEvent {
                    success: true,
                    data: s.view.clone(),
                    timestamp: s.timestamp.clone(),
                },
                None,
            );
            if s.is_final {
                out.extend(completed_notice(s));
            }
            out.into()
        })
        .clone()
}

/// Delta viewers who hold `prev_event_id`: only what changed. None when the snapshot has
/// no delta (its recipient list changed, or it is the first).
pub fn delta(s: &Snapshot) -> Option<Bytes> {
    let (base, changed) = (s.prev_event_id?, s.changed.as_ref()?);
    Some(
        s.sse_delta
            .get_or_init(|| {
                let mut data = s.view.clone_without_recipients();
                data.recipients = changed
                    .iter()
                    .filter_map(|&p| s.view.recipients.get(p as usize).cloned())
                    .collect();
                let mut out = frame(
                    EVENT_STATUS_DELTA,
                    Some(s.event_id),
                    &StatusDeltaEvent {
                        success: true,
                        base: base.to_string(),
                        positions: changed.clone(),
                        data,
                        timestamp: s.timestamp.clone(),
                    },
                    None,
                );
                if s.is_final {
                    out.extend(completed_notice(s));
                }
                out.into()
            })
            .clone(),
    )
}

/// The end, for a delta viewer that already holds the final state.
pub fn completed_notice(s: &Snapshot) -> Vec<u8> {
    frame(
        EVENT_BATCH_COMPLETED,
        Some(s.event_id),
        &BatchCompletedNotice {
            message: "Batch call completed".into(),
            final_status: s.view.status.as_str().to_string(),
            timestamp: s.timestamp.clone(),
        },
        None,
    )
}

/// The first event: the stream is open (with the reconnection delay). Delta viewers get it
/// without an id, so the id they send back stays the last state they applied.
pub fn connected(id: &str, delta: bool) -> Bytes {
    let connected = ConnectedEvent {
        message: "Conexión SSE establecida".into(),
        batch_id: id.to_string(),
        timestamp: timestamp_now(),
    };
    let event_id = if delta { None } else { Some(0) };
    frame(EVENT_CONNECTED, event_id, &connected, Some(RETRY_MS)).into()
}

/// An `error` event: upstream trouble, or why the batch stopped. Delta viewers also learn
/// whether it ends the stream for good.
pub fn error(e: crate::monitor::PollError, delta: bool) -> Bytes {
    let ev = ErrorEvent {
        message: e.message,
        code: e.code.to_string(),
        timestamp: timestamp_now(),
        fatal: delta.then_some(e.fatal),
    };
    frame(EVENT_ERROR, None, &ev, None).into()
}

/// The last event of a stream open longer than `sse_timeout_secs`.
pub fn timeout(minutes: u64) -> Bytes {
    let ev = TimeoutEvent {
        message: format!("Conexión cerrada por timeout ({minutes} minutos)"),
        timestamp: timestamp_now(),
    };
    frame(EVENT_TIMEOUT, None, &ev, None).into()
}
