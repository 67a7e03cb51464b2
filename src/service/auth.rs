//! Who is calling: a user by bearer token, the admin (token from `CALLBOARD_ADMIN_TOKEN`),
//! or anyone when the service runs with `--no-auth` on loopback. Browsers' EventSource and
//! `<audio>` cannot send headers, so the stream and audio routes also read `?access_token=`.

use crate::api::ErrorCode;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::state::AppState;
use crate::domain::{User, UserId};

#[derive(Debug, Clone)]
pub enum Caller {
    Admin,
    User(User),
    /// `--no-auth`: acts like the admin (only allowed on a loopback address).
    Open,
}

impl Caller {
    pub fn is_admin(&self) -> bool {
        matches!(self, Caller::Admin | Caller::Open)
    }

    /// The user this caller may act as: its own, or (admin) the one named in the body.
    pub fn acting_user(&self, requested: Option<UserId>) -> Result<UserId, ApiError> {
        match (self, requested) {
            (Caller::User(u), None) => Ok(u.id),
            (Caller::User(u), Some(id)) if id == u.id => Ok(id),
            (Caller::User(_), Some(_)) => Err(ApiError::forbidden(
                ErrorCode::ForbiddenUser,
                "No puede actuar en nombre de otro usuario",
            )),
            (_, Some(id)) => Ok(id),
            (_, None) => Err(ApiError::unprocessable(
                ErrorCode::UserIdRequired,
                "El campo userId es obligatorio",
            )),
        }
    }

    /// The caller as the use cases know it: who acts and what they may see.
    pub fn actor(&self) -> crate::campaign::Actor {
        match self {
            Caller::User(u) => crate::campaign::Actor::user(u.id),
            Caller::Admin => crate::campaign::Actor::admin("admin"),
            Caller::Open => crate::campaign::Actor::admin("local"),
        }
    }

    /// Key for per-token limits (open streams); never the token itself.
    pub fn limit_key(&self) -> Option<String> {
        match self {
            Caller::User(u) => Some(format!("user/{}", u.id)),
            Caller::Admin => Some("admin".into()),
            Caller::Open => None,
        }
    }

    /// Only the admin may do `what` (Spanish, e.g. "gestionar usuarios").
    pub fn require_admin_to(&self, what: &str) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                ErrorCode::AdminOnly,
                format!("Solo el administrador puede {what}"),
            ))
        }
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        self.require_admin_to("gestionar usuarios")
    }
}

/// The token from `Authorization: Bearer`, or from `?access_token=` where browsers need it.
fn token_of(parts: &Parts) -> Result<Option<String>, ApiError> {
    if let Some(h) = parts.headers.get(AUTHORIZATION) {
        let value = h.to_str().unwrap_or_default().trim();
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized(
                    ErrorCode::InvalidAuthorization,
                    "Cabecera Authorization no válida: use «Authorization: Bearer TOKEN»",
                )
            })?;
        return Ok(Some(token.to_string()));
    }
    let path = parts.uri.path();
    let query_allowed = path.ends_with("/status/stream") || path.ends_with("/audio");
    if query_allowed && let Some(q) = parts.uri.query() {
        for (k, v) in form_pairs(q) {
            let v = v.trim();
            if k == "access_token" && !v.is_empty() {
                return Ok(Some(v.to_string()));
            }
        }
    }
    Ok(None)
}

/// `a=b&c=d` with percent-decoding, without pulling a crate for it.
fn form_pairs(q: &str) -> impl Iterator<Item = (String, String)> + '_ {
    q.split('&').filter_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        Some((percent_decode(k)?, percent_decode(v)?))
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token_of(parts)?;
        let Some(token) = token else {
            return if state.no_auth() {
                Ok(Caller::Open)
            } else {
                Err(ApiError::unauthorized(
                    ErrorCode::MissingToken,
                    "Falta el token de acceso: envíe «Authorization: Bearer TOKEN»",
                ))
            };
        };
        // Every token is compared trimmed: the header's, the query's, the configured one.
        if let Some(admin) = state.admin_token()
            && !admin.expose().trim().is_empty()
            && bool::from(admin.expose().trim().as_bytes().ct_eq(token.as_bytes()))
        {
            return Ok(Caller::Admin);
        }
        // Tokens are stored hashed: the lookup compares hashes, not the token.
        match state.store().user_by_token(&token).await? {
            Some(u) if u.token_expires_at.is_some_and(|t| t <= state.now()) => {
                Err(ApiError::unauthorized(
                    ErrorCode::TokenExpired,
                    "El token de acceso venció; pida al administrador uno nuevo (callboard user token rotate)",
                ))
            }
            Some(u) => Ok(Caller::User(u)),
            None => Err(ApiError::unauthorized(
                ErrorCode::InvalidToken,
                "Token de acceso no válido",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_query_tokens() {
        let pairs: Vec<_> = form_pairs("a=1&access_token=cb_x%2By+z&bad=%zz").collect();
        assert_eq!(pairs[1], ("access_token".into(), "cb_x+y z".into()));
        assert_eq!(pairs.len(), 2, "undecodable pairs are dropped");
        assert_eq!(percent_decode("%"), Some("%".into()));
    }

    #[test]
    fn users_act_only_as_themselves() {
        let u = User {
            id: 19,
            name: "Ana".into(),
            agent_id: None,
            token_hash: String::new(),
            created_at: chrono::Utc::now(),
            token_expires_at: None,
        };
        let c = Caller::User(u);
        assert_eq!(c.acting_user(None).unwrap(), 19);
        assert_eq!(c.acting_user(Some(19)).unwrap(), 19);
        assert_eq!(c.acting_user(Some(20)).unwrap_err().code, "forbidden_user");
        assert_eq!(
            Caller::Admin.acting_user(None).unwrap_err().code,
            "user_id_required"
        );
        let me = c.actor();
        assert!(me.may_see_owner(Some(19)) && !me.may_see_owner(Some(20)));
    }
}
