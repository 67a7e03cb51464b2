//! `Idempotency-Key` on a call start: bound to a fingerprint of the request (the same
//! key with another request is a 422), never used by a dry run, forgotten after 24 h.
//! A repeat gets the first answer; when there is none yet (a crash, an unknown outcome),
//! the key's journal intent is settled first: its batch is answered, never a second one.

use super::{Campaign, unknown};
use crate::api::{ApiError, ErrorCode, StartCallRequest};
use crate::domain::intent::{IntentKey, IntentState, fingerprint};
use crate::domain::{GroupId, UserId};
use crate::journal::{Journal, Settlement, Submitted};
use crate::store::cache::IdempotentResponse;

/// A call start's `Idempotency-Key`, bound to a fingerprint of who asks for which group
/// with which body.
pub struct Key {
    pub scope: String,
    pub key: String,
    pub fingerprint: String,
}

impl Key {
    /// The key a call start sent (the header's value, already trimmed).
    pub fn for_start(
        key: &str,
        user_id: UserId,
        group_id: GroupId,
        req: &StartCallRequest,
    ) -> Result<Key, ApiError> {
        if key.is_empty() || key.len() > 200 {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidIdempotencyKey,
                "La cabecera Idempotency-Key debe tener entre 1 y 200 caracteres",
            ));
        }
        let body = serde_json::to_vec(req).map_err(ApiError::internal)?;
        let scope = format!("call/{user_id}/{group_id}");
        Ok(Key {
            fingerprint: fingerprint(&[scope.as_bytes(), &body]),
            scope,
            key: key.to_string(),
        })
    }

    pub fn intent_key(&self) -> IntentKey {
        IntentKey {
            scope: self.scope.clone(),
            key: self.key.clone(),
        }
    }
}

/// What a key says about this request.
pub(super) enum Gate {
    /// First use (or expired, or its earlier attempt created nothing): go on.
    Fresh,
    /// The first request's answer (status and body), to replay.
    Replay {
        status: u16,
        body: serde_json::Value,
    },
    /// The first request's batch exists (found now): answer with it.
    Settled(Box<Submitted>),
}

pub(super) async fn gate(st: &Campaign, journal: &Journal, k: &Key) -> Result<Gate, ApiError> {
    let Some(saved) = st.store().idempotent(&k.scope, &k.key).await? else {
        return Ok(Gate::Fresh);
    };
    if saved.expired(chrono::Utc::now()) {
        return Ok(Gate::Fresh);
    }
    if saved
        .fingerprint
        .as_ref()
        .is_some_and(|f| *f != k.fingerprint)
    {
        return Err(ApiError::unprocessable(
            ErrorCode::IdempotencyKeyReused,
            "Esta Idempotency-Key ya se usó con otra petición; use una clave nueva para una petición distinta",
        ));
    }
    if saved.status != 0 {
        return Ok(Gate::Replay {
            status: saved.status,
            body: saved.body,
        });
    }
    let intent = match saved.intent_id.as_deref() {
        Some(id) => st.store().intent(id).await?,
        None => None,
    };
    let Some(intent) = intent else {
        return Ok(Gate::Fresh);
    };
    if matches!(intent.state, IntentState::Abandoned { .. }) {
        return Ok(Gate::Fresh);
    }
    match journal
        .settle(&intent)
        .await
        .map_err(super::journal_error)?
    {
        Settlement::Settled(s) => Ok(Gate::Settled(s)),
        Settlement::Abandoned => Ok(Gate::Fresh),
        Settlement::Unknown(why) => Err(unknown(&why)),
    }
}

/// Binds the key to this request and its intent, before the submit goes out.
pub(super) async fn bind(st: &Campaign, k: &Key, intent_id: &str) -> Result<(), ApiError> {
    let entry = IdempotentResponse {
        status: 0,
        body: serde_json::Value::Null,
        created_at: chrono::Utc::now(),
        fingerprint: Some(k.fingerprint.clone()),
        intent_id: Some(intent_id.to_string()),
    };
    // Made durable by the intent's own flush, which follows at once.
    st.store()
        .stage_idempotent(&k.scope, &k.key, &entry)
        .await?;
    Ok(())
}

/// Saves the answer for repeats.
pub(super) async fn answer(
    st: &Campaign,
    k: &Key,
    intent_id: Option<&str>,
    body: &serde_json::Value,
) {
    let entry = IdempotentResponse {
        status: 200,
        body: body.clone(),
        created_at: chrono::Utc::now(),
        fingerprint: Some(k.fingerprint.clone()),
        intent_id: intent_id.map(str::to_string),
    };
    if let Err(e) = st.store().put_idempotent(&k.scope, &k.key, &entry).await {
        tracing::warn!(error = %e, "cannot save the idempotent answer");
    }
}
