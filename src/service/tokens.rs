//! Users' tokens, admin only: `POST /api/users/:id/token` rotates (a new token, shown
//! once; the old one stops working at once), `DELETE /api/users/:id/token` revokes (no
//! token works until the next rotation). Both take an optional expiry.

use super::token_expiry::expiry;
use crate::api::ErrorCode;
use crate::domain::AuditAction;
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;

use super::auth::Caller;
use super::error::{ApiError, ApiPath};
use super::respond::Ok200;
use super::state::AppState;
use super::users::UserView;
use crate::domain::UserId;

/// The shortest admin token `serve` starts with: it opens every group and user.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 32;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/users/{id}/token", post(rotate).delete(revoke))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenRequest {
    /// Days the new token is valid; none = until rotated or revoked.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

fn user_not_found(id: UserId) -> ApiError {
    ApiError::not_found(
        ErrorCode::UserNotFound,
        format!("Usuario {id} no encontrado"),
    )
}

async fn rotate(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<UserId>,
    body: axum::body::Bytes,
) -> Result<Ok200<UserView>, ApiError> {
    caller.require_admin()?;
    let req: TokenRequest = if body.iter().all(u8::is_ascii_whitespace) {
        TokenRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::unprocessable(
                ErrorCode::InvalidBody,
                format!(
                    "Cuerpo no válido: {}",
                    super::error::truncate(&e.to_string(), 200)
                ),
            )
        })?
    };
    let expires = expiry(st.now(), req.expires_in_days)?;
    let (user, token) = st
        .store()
        .rotate_token(id, expires)
        .await?
        .ok_or_else(|| user_not_found(id))?;
    super::audit_log::audit(
        &st,
        &caller,
        AuditAction::UserTokenRotate,
        &format!("user:{id}"),
        json!({ "expiresAt": expires }),
    )
    .await;
    let mut view = UserView::from(&user);
    view.token = Some(token.expose().to_string());
    Ok(Ok200::new(
        format!("Token del usuario {id} renovado; guárdelo: no se mostrará de nuevo"),
        view,
    ))
}

async fn revoke(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<UserId>,
) -> Result<Ok200<UserView>, ApiError> {
    caller.require_admin()?;
    let user = st
        .store()
        .revoke_token(id)
        .await?
        .ok_or_else(|| user_not_found(id))?;
    super::audit_log::audit(
        &st,
        &caller,
        AuditAction::UserTokenRevoke,
        &format!("user:{id}"),
        json!({}),
    )
    .await;
    Ok(Ok200::new(
        format!("Token del usuario {id} revocado: ya no da acceso"),
        UserView::from(&user),
    ))
}
