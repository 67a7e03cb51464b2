//! The workspace webhook calls `callboard webhook setup` makes: create an HMAC webhook for a
//! URL (its secret is in this one answer only), then attach it to the post-call events.

use bytes::Bytes;
use reqwest::Method;

use super::client::{Call, JSON};
use super::types::*;
use super::{ElevenLabsClient, ElevenLabsError};

impl ElevenLabsClient {
    /// `POST /v1/workspace/webhooks`: a new HMAC webhook posting to `url`. Not retried
    /// after an ambiguous failure (a second webhook would be made).
    pub async fn create_workspace_webhook(
        &self,
        name: &str,
        url: &str,
    ) -> Result<CreateWebhookResponse, ElevenLabsError> {
        let req = CreateWebhookRequest {
            settings: WebhookHmacSettings {
                auth_type: "hmac".into(),
                name: name.into(),
                webhook_url: url.into(),
                request_headers: None,
            },
        };
        let body = serde_json::to_vec(&req).map_err(|e| ElevenLabsError::Decode(e.to_string()))?;
        self.json(&Call {
            method: Method::POST,
            path: "/v1/workspace/webhooks",
            query: &[],
            body: Some(Bytes::from(body)),
            idempotent: false,
            accept: JSON,
        })
        .await
    }

    /// `PATCH /v1/convai/settings`: the workspace's post-call webhook is `webhook_id`, for
    /// [`POST_CALL_EVENTS`]. Setting the same value twice changes nothing: safe to retry.
    pub async fn attach_post_call_webhook(&self, webhook_id: &str) -> Result<(), ElevenLabsError> {
        let patch = serde_json::json!({
            "webhooks": { "post_call_webhook_id": webhook_id, "events": POST_CALL_EVENTS }
        });
        let body =
            serde_json::to_vec(&patch).map_err(|e| ElevenLabsError::Decode(e.to_string()))?;
        let _: serde_json::Value = self
            .json(&Call {
                method: Method::PATCH,
                path: "/v1/convai/settings",
                query: &[],
                body: Some(Bytes::from(body)),
                idempotent: true,
                accept: JSON,
            })
            .await?;
        Ok(())
    }
}
