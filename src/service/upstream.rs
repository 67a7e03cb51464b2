//! ElevenLabs resources the page and the TUI need: phone numbers, agents, and the audio of
//! a conversation streamed through the service (browsers cannot send the ElevenLabs key).

use crate::api::ErrorCode;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::Response;
use axum::routing::get;
use futures::TryStreamExt;

use super::auth::Caller;
use super::error::{ApiError, ApiPath};
use super::respond::Ok200;
use super::state::AppState;
use crate::api::PhoneNumberView;
use crate::elevenlabs::AgentSummary;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/phone-numbers", get(phone_numbers))
        .route("/api/agents", get(agents))
        .route("/api/conversations/{id}/audio", get(audio))
}

async fn phone_numbers(
    _c: Caller,
    State(st): State<AppState>,
) -> Result<Ok200<Vec<PhoneNumberView>>, ApiError> {
    let nums = st
        .client()?
        .list_phone_numbers()
        .await
        .map_err(|e| ApiError::from_upstream(&e))?;
    let views = nums
        .into_iter()
        .map(|n| PhoneNumberView {
            phone_number_id: n.phone_number_id,
            phone_number: n.phone_number,
            label: n.label,
            provider: n.provider.as_str().to_string(),
            assigned_agent_id: n.assigned_agent.map(|a| a.agent_id),
        })
        .collect();
    Ok(Ok200::new(
        "Números telefónicos obtenidos exitosamente",
        views,
    ))
}

async fn agents(
    _c: Caller,
    State(st): State<AppState>,
) -> Result<Ok200<Vec<AgentSummary>>, ApiError> {
    let agents = st
        .client()?
        .list_agents()
        .await
        .map_err(|e| ApiError::from_upstream(&e))?;
    Ok(Ok200::new("Agentes obtenidos exitosamente", agents))
}

async fn audio(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let valid = !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let not_found = || {
        ApiError::not_found(
            ErrorCode::AudioNotFound,
            "No hay audio para esta conversación",
        )
    };
    if !valid {
        return Err(not_found());
    }
    // A user hears only calls of its own batches: the conversation says which batch it
    // belongs to, and that batch must be one the caller may see. Conversations outside
    // any batch (started elsewhere in the workspace) are the admin's only.
    if !caller.is_admin() {
        let conv = st.client()?.get_conversation(&id).await.map_err(|e| {
            if e.is_not_found() {
                not_found()
            } else {
                ApiError::from_upstream(&e)
            }
        })?;
        let batch = conv
            .metadata
            .batch_call
            .map(|b| b.batch_call_id)
            .filter(|b| !b.is_empty())
            .ok_or_else(not_found)?;
        super::ownership::visible_batch(&st, &caller, &batch)
            .await
            .map_err(|_| not_found())?;
    }
    let audio = st.client()?.conversation_audio(&id).await.map_err(|e| {
        if e.is_not_found() {
            not_found()
        } else {
            ApiError::from_upstream(&e)
        }
    })?;
    let mut resp = Response::builder()
        .header(header::CONTENT_TYPE, audio.content_type)
        .header(header::CACHE_CONTROL, "private, max-age=3600");
    if let Some(len) = audio.content_length {
        resp = resp.header(header::CONTENT_LENGTH, len);
    }
    let body = Body::from_stream(audio.stream.map_err(std::io::Error::other));
    resp.body(body).map_err(ApiError::internal)
}
