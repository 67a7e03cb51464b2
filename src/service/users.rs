//! Users (supervisors), admin only. The token is returned once, when the user is created.

use crate::api::ErrorCode;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiPath};
use super::respond::{Ok200, created};
use super::state::AppState;
use crate::domain::{User, UserId};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/users", post(create))
        .route("/api/users/{id}", get(show))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateUser {
    name: String,
    #[serde(default)]
    agent_id: Option<String>,
    #[serde(default)]
    id: Option<UserId>,
    /// Days the token is valid; none = until rotated or revoked.
    #[serde(default)]
    expires_in_days: Option<u32>,
}

/// A user as the API shows it: never the token or its hash.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: UserId,
    pub name: String,
    pub agent_id: Option<String>,
    pub created_at: String,
    /// When the token stops working, if it expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_expires_at: Option<String>,
    /// Whether the user has a working token (false once revoked).
    pub has_token: bool,
    /// Only in the answer that creates the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            name: u.name.clone(),
            agent_id: u.agent_id.clone(),
            created_at: u.created_at.to_rfc3339(),
            token_expires_at: u.token_expires_at.map(|t| t.to_rfc3339()),
            has_token: !u.token_hash.is_empty(),
            token: None,
        }
    }
}

async fn create(
    caller: Caller,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<CreateUser>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    caller.require_admin()?;
    if body.name.trim().is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::UserNameRequired,
            "El usuario necesita un nombre",
        ));
    }
    if let Some(id) = body.id
        && !(1..=crate::domain::MAX_EXPLICIT_ID).contains(&id)
    {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidId,
            format!(
                "El id debe estar entre 1 y {}",
                crate::domain::MAX_EXPLICIT_ID
            ),
        ));
    }
    let expires = super::token_expiry::expiry(st.now(), body.expires_in_days)?;
    if let Some(id) = body.id
        && st.store().user(id).await?.is_some()
    {
        return Err(ApiError::conflict(
            ErrorCode::UserExists,
            format!("Ya existe el usuario {id}"),
        ));
    }
    let (user, token) = st
        .store()
        .add_user_expiring(&body.name, body.agent_id.as_deref(), body.id, expires)
        .await?;
    let mut view = UserView::from(&user);
    view.token = Some(token.expose().to_string());
    Ok(created(
        format!(
            "Usuario {} creado; guarde el token: no se mostrará de nuevo",
            user.id
        ),
        view,
    ))
}

async fn show(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<UserId>,
) -> Result<Ok200<UserView>, ApiError> {
    let visible = match &caller {
        Caller::User(u) => u.id == id,
        _ => true,
    };
    let user = st.store().user(id).await?.filter(|_| visible);
    let user = user.ok_or_else(|| {
        ApiError::not_found(
            ErrorCode::UserNotFound,
            format!("Usuario {id} no encontrado"),
        )
    })?;
    Ok(Ok200::new(
        "Usuario obtenido exitosamente",
        UserView::from(&user),
    ))
}
