//! Workspace webhooks (`POST`/`GET /v1/workspace/webhooks`) and the ConvAI settings that
//! attach one to the post-call events (`GET`/`PATCH /v1/convai/settings`).

use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::elevenlabs::{CreateWebhookRequest, CreateWebhookResponse};
use crate::sim::ids::{hash, make_id};
use crate::sim::reply;
use crate::sim::state::{St, lock};
use crate::sim::workspace::merge;
use axum::extract::State;

fn body_error(e: &serde_json::Error) -> Response {
    reply::unprocessable(vec![reply::invalid_item(
        "value_error",
        &[json!("body")],
        &e.to_string(),
        Value::Null,
    )])
}

pub(crate) async fn create_webhook(State(st): St, body: Bytes) -> Response {
    let req: CreateWebhookRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return body_error(&e),
    };
    let s = &req.settings;
    let http = s.webhook_url.starts_with("https://") || s.webhook_url.starts_with("http://");
    if s.auth_type != "hmac" || !http {
        return reply::unprocessable(vec![reply::invalid_item(
            "value_error",
            &[json!("body"), json!("settings")],
            "auth_type must be hmac and webhook_url an http(s) URL",
            json!(s),
        )]);
    }
    let now = st.now();
    let mut ws = lock(&st.ws);
    let n = ws.webhooks.len() as u64;
    let id = make_id("webhook", st.opts.seed, &[b"webhook", &n.to_le_bytes()]);
    let secret = format!(
        "wsec_{:016x}{:016x}",
        hash(st.opts.seed, &[id.as_bytes(), b"secret"]),
        hash(st.opts.seed ^ 0x5ec7e7, &[id.as_bytes()])
    );
    ws.webhooks.push(json!({
        "webhook_id": id, "name": s.name, "webhook_url": s.webhook_url, "auth_type": "hmac",
        "is_disabled": false, "is_auto_disabled": false, "created_at_unix": now,
    }));
    reply::json_ok(&CreateWebhookResponse {
        webhook_id: id,
        webhook_secret: Some(secret),
    })
}

pub(crate) async fn list_webhooks(State(st): St) -> Response {
    reply::json_ok(&json!({ "webhooks": lock(&st.ws).webhooks }))
}

pub(crate) async fn get_settings(State(st): St) -> Response {
    reply::json_ok(&lock(&st.ws).convai_settings)
}

pub(crate) async fn patch_settings(State(st): St, body: Bytes) -> Response {
    let patch: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(other) => {
            return reply::unprocessable(vec![reply::invalid_item(
                "model_attributes_type",
                &[json!("body")],
                "Input should be a valid dictionary",
                other,
            )]);
        }
        Err(e) => return body_error(&e),
    };
    let mut ws = lock(&st.ws);
    if let Some(id) = patch
        .pointer("/webhooks/post_call_webhook_id")
        .and_then(Value::as_str)
        && !ws.webhooks.iter().any(|w| w["webhook_id"] == id)
    {
        return reply::not_found("webhook_not_found", &format!("Webhook {id} not found"));
    }
    merge(&mut ws.convai_settings, &patch);
    reply::json_ok(&ws.convai_settings)
}
