//! `POST /api/webhooks/elevenlabs` (the path is `[webhooks] path`): ElevenLabs' post-call
//! webhooks. No bearer token: every delivery must carry a valid `ElevenLabs-Signature`
//! (checked before the body is read, then against the exact bytes received), within the
//! tolerance and never seen before; anything else gets 401 and changes nothing.
//!
//! - `post_call_transcription` goes into the conversation cache, so no poller ever fetches
//!   that conversation, and its batch's snapshot is refreshed at once;
//! - `call_initiation_failure` records why the call never connected, the same way;
//! - `post_call_audio` and unknown events are acknowledged and ignored.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use super::error::ApiError;
use super::respond::Ok200;
use super::state::AppState;
use crate::api::ErrorCode;
use crate::domain::ConversationDetails;
use crate::elevenlabs::webhook_sig::{self, SIGNATURE_HEADER, SignatureError};
use crate::elevenlabs::{
    CallInitiationFailure, ConversationResponse, EVENT_AUDIO, EVENT_INITIATION_FAILURE,
    EVENT_TRANSCRIPTION, WebhookEnvelope,
};
use crate::monitor::{CallEnd, CallNote};

/// The receiver, at the configured path.
pub fn routes(state: &AppState) -> Router<AppState> {
    let cfg = &state.cfg().webhooks;
    Router::new()
        .route(&cfg.path, post(receive))
        // Its own limit, not the JSON routes' (read below, after the signature's timestamp).
        .layer(axum::extract::DefaultBodyLimit::max(cfg.body_limit_bytes))
}

async fn receive(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    match handle(&st, &headers, body).await {
        Ok(message) => Ok200::new(message, serde_json::Value::Null).into_response(),
        Err(e) => e.into_response(),
    }
}

fn refused(e: SignatureError) -> ApiError {
    tracing::warn!(reason = %e, "webhook refused");
    let code = match e {
        SignatureError::Replayed => ErrorCode::WebhookReplayed,
        _ => ErrorCode::WebhookInvalidSignature,
    };
    ApiError::unauthorized(
        code,
        format!(
            "Firma ElevenLabs-Signature no válida ({e}); revise que [webhooks] secret sea el secreto que imprimió `callboard webhook setup`"
        ),
    )
}

/// Verifies, then acts on one delivery; the answer's message.
async fn handle(st: &AppState, headers: &HeaderMap, body: Body) -> Result<String, ApiError> {
    let cfg = &st.cfg().webhooks;
    let Some(secret) = cfg.secret() else {
        tracing::warn!("webhook refused: no [webhooks] secret (ELEVENLABS_WEBHOOK_SECRET) is set");
        return Err(ApiError::unauthorized(
            ErrorCode::WebhookNotConfigured,
            "Los webhooks no están configurados: defina ELEVENLABS_WEBHOOK_SECRET ([webhooks] secret)",
        ));
    };
    // ElevenLabs signs with the real time, whatever clock the campaign runs on.
    let now = chrono::Utc::now().timestamp();
    let header = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    // Unsigned or stale requests are refused before their body is read.
    webhook_sig::check_timestamp(header, now, cfg.tolerance_secs).map_err(refused)?;
    let bytes = match axum::body::to_bytes(body, cfg.body_limit_bytes).await {
        Ok(b) => b,
        Err(_) => {
            tracing::warn!(
                limit = cfg.body_limit_bytes,
                "webhook body over [webhooks] body_limit_bytes: a post_call_audio delivery? callboard does not use it; turn the audio event off in ElevenLabs"
            );
            return Err(super::error::from_bytes_status(
                StatusCode::PAYLOAD_TOO_LARGE,
            ));
        }
    };
    let (t, signature) =
        webhook_sig::verify(header, &bytes, secret.expose(), now, cfg.tolerance_secs)
            .map_err(refused)?;
    if !st
        .webhook_replays()
        .first_time(signature, t, now, cfg.tolerance_secs)
    {
        return Err(refused(SignatureError::Replayed));
    }
    let event: WebhookEnvelope = serde_json::from_slice(&bytes).map_err(|e| {
        tracing::warn!(error = %e, "signed webhook with a body that is not an event");
        ApiError::bad_request(
            ErrorCode::WebhookInvalidPayload,
            "El webhook no trae un evento de ElevenLabs ({type, event_timestamp, data})",
        )
    })?;
    act(st, event).await
}

/// What an event changes: the cache and the hub.
async fn act(st: &AppState, event: WebhookEnvelope) -> Result<String, ApiError> {
    let invalid = |e: serde_json::Error| {
        tracing::warn!(kind = %event.kind, error = %e, "webhook data unreadable");
        ApiError::bad_request(
            ErrorCode::WebhookInvalidPayload,
            format!("Los datos del evento {} no se pudieron leer", event.kind),
        )
    };
    let (details, note) = match event.kind.as_str() {
        EVENT_TRANSCRIPTION => {
            let conv: ConversationResponse =
                serde_json::from_value(event.data.clone()).map_err(invalid)?;
            transcription(conv, event.event_timestamp)
        }
        EVENT_INITIATION_FAILURE => {
            let f: CallInitiationFailure =
                serde_json::from_value(event.data.clone()).map_err(invalid)?;
            initiation_failure(f, event.event_timestamp)
        }
        EVENT_AUDIO => {
            tracing::info!(
                "webhook post_call_audio ignored: callboard streams audio from ElevenLabs on demand; turn the audio event off"
            );
            return Ok("Evento post_call_audio ignorado".into());
        }
        other => {
            tracing::info!(kind = %other, "webhook of an unknown event acknowledged and ignored");
            return Ok(format!("Evento {other} ignorado"));
        }
    };
    tracing::debug!(kind = %event.kind, conversation_id = %note.conversation_id, "webhook received");
    if let Some(d) = details {
        let store = st.store().clone();
        let rt = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || rt.block_on(store.put_conversation(&d)))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
    }
    if let Ok(hub) = st.hub() {
        hub.push(note);
    }
    Ok(format!("Evento {} recibido", event.kind))
}

/// A finished conversation: cached when settled, and the note of how the call ended.
fn transcription(conv: ConversationResponse, at: i64) -> (Option<ConversationDetails>, CallNote) {
    let d = conv.to_details();
    let voicemail = d
        .termination_reason
        .as_deref()
        .is_some_and(|r| r.to_ascii_lowercase().contains("voicemail"));
    let link = conv.metadata.batch_call.as_ref();
    let note = CallNote {
        batch_id: link
            .map(|b| b.batch_call_id.clone())
            .filter(|s| !s.is_empty()),
        recipient_id: link
            .map(|b| b.batch_call_recipient_id.clone())
            .filter(|s| !s.is_empty()),
        conversation_id: d.conversation_id.clone(),
        phone: None,
        // A conversation that failed (it could not start) ended the call unconnected.
        end: if d.status == "failed" {
            CallEnd::NotConnected
        } else {
            CallEnd::Answered { voicemail }
        },
        at_unix: at,
    };
    let settled = matches!(d.status.as_str(), "done" | "failed");
    (settled.then_some(d), note)
}

/// A call that never connected: its reason is kept as the conversation's.
fn initiation_failure(
    f: CallInitiationFailure,
    at: i64,
) -> (Option<ConversationDetails>, CallNote) {
    let reason = match f.detail() {
        Some(d) if !d.is_empty() => format!("{} ({d})", f.failure_reason),
        _ => f.failure_reason.clone(),
    };
    let details = ConversationDetails {
        conversation_id: f.conversation_id.clone(),
        status: "failed".into(),
        termination_reason: Some(reason).filter(|r| !r.is_empty()),
        ..Default::default()
    };
    let note = CallNote {
        batch_id: None,
        recipient_id: None,
        conversation_id: f.conversation_id.clone(),
        phone: f.to_number(),
        end: CallEnd::NotConnected,
        at_unix: at,
    };
    let known = !f.conversation_id.is_empty();
    (known.then_some(details), note)
}
