//! The HTTP client: one `reqwest::Client` (pooled, rustls) shared by cheap clones. Every
//! request goes through `execute`, which adds the key, maps errors and retries what is safe
//! to retry. Non-idempotent calls (submit, retry, cancel) add their own checks on top.

use bytes::Bytes;
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::ElevenLabsError;
use super::error::parse_retry_after;
use super::retry::RetryPolicy;
use super::settings::ClientSettings;
use super::types::*;
use crate::secret::Secret;

/// Typed client of the ElevenLabs API. `Send + Sync`; cloning shares the connection pool.
#[derive(Clone)]
pub struct ElevenLabsClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    key: Secret,
    policy: RetryPolicy,
}

impl fmt::Debug for ElevenLabsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ElevenLabsClient")
            .field("base_url", &self.inner.base_url)
            .field("key", &self.inner.key)
            .finish()
    }
}

/// A request as sent, so that it can be sent again unchanged.
pub(crate) struct Call<'a> {
    pub method: Method,
    pub path: &'a str,
    pub query: &'a [(&'a str, String)],
    pub body: Option<Bytes>,
    pub idempotent: bool,
    /// The `Accept` header: [`JSON`] for the API, `audio/*` for a recording.
    pub accept: &'static str,
}

/// What every JSON endpoint is asked for.
pub(crate) const JSON: &str = "application/json";

impl ElevenLabsClient {
    /// A client for `cfg.base_url` with `cfg.api_key`; no key is an error.
    pub fn new(cfg: &ClientSettings) -> Result<Self, ElevenLabsError> {
        let key = cfg
            .api_key
            .clone()
            .filter(|k| !k.is_empty())
            .ok_or(ElevenLabsError::MissingKey)?;
        let base_url = cfg.base_url.trim().trim_end_matches('/').to_string();
        if reqwest::Url::parse(&base_url).is_err()
            || !(base_url.starts_with("http://") || base_url.starts_with("https://"))
        {
            return Err(ElevenLabsError::InvalidBaseUrl(base_url));
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("callboard/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(cfg.connect_timeout_secs.max(1)))
            .timeout(Duration::from_secs(cfg.request_timeout_secs.max(1)))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ElevenLabsError::Setup(e.without_url().to_string()))?;
        let policy = RetryPolicy {
            max_retries: cfg.max_retries,
            ..RetryPolicy::default()
        };
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url,
                key,
                policy,
            }),
        })
    }

    /// The same client with another retry policy (tests use short waits).
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Self {
        Self {
            inner: Arc::new(Inner {
                http: self.inner.http.clone(),
                base_url: self.inner.base_url.clone(),
                key: self.inner.key.clone(),
                policy,
            }),
        }
    }

    /// The same client with another per-request timeout.
    pub fn with_timeout(&self, timeout: Duration) -> Result<Self, ElevenLabsError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("callboard/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeout)
            .timeout(timeout)
            .build()
            .map_err(|e| ElevenLabsError::Setup(e.without_url().to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url: self.inner.base_url.clone(),
                key: self.inner.key.clone(),
                policy: self.inner.policy.clone(),
            }),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.policy
    }

    /// One attempt: the response if its status is 2xx, else the typed error.
    async fn send_once(&self, call: &Call<'_>) -> Result<reqwest::Response, ElevenLabsError> {
        let url = format!("{}{}", self.inner.base_url, call.path);
        let mut req = self
            .inner
            .http
            .request(call.method.clone(), url)
            .header("xi-api-key", self.inner.key.expose())
            .header(reqwest::header::ACCEPT, call.accept);
        if !call.query.is_empty() {
            req = req.query(call.query);
        }
        if let Some(body) = &call.body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let resp = req.send().await.map_err(ElevenLabsError::from_reqwest)?;
        let status = resp.status();
        tracing::debug!(method = %call.method, path = call.path, status = status.as_u16(), "elevenlabs");
        if status.is_success() {
            return Ok(resp);
        }
        let retry_after = parse_retry_after(resp.headers());
        let body = resp.bytes().await.unwrap_or_default();
        Err(ElevenLabsError::from_response(
            status.as_u16(),
            &body,
            retry_after,
        ))
    }

    /// Sends `call` (retrying what the policy allows) and hands the 2xx response to `read`,
    /// inside the retry loop so that a connection dropped mid-body is retried too.
    pub(crate) async fn execute<T, F, Fut>(
        &self,
        call: &Call<'_>,
        read: F,
    ) -> Result<T, ElevenLabsError>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: std::future::Future<Output = Result<T, ElevenLabsError>>,
    {
        let policy = &self.inner.policy;
        let mut attempt = 0;
        loop {
            let result = match self.send_once(call).await {
                Ok(resp) => read(resp).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(v) => return Ok(v),
                Err(e) if policy.should_retry(attempt, &e, call.idempotent) => {
                    let wait = policy.delay(attempt, &e);
                    tracing::info!(path = call.path, attempt, ?wait, error = %e, "elevenlabs: retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
    ) -> Result<T, ElevenLabsError> {
        self.execute(call, |resp| async move {
            let bytes = resp.bytes().await.map_err(ElevenLabsError::from_reqwest)?;
            serde_json::from_slice(&bytes).map_err(|e| ElevenLabsError::Decode(e.to_string()))
        })
        .await
    }

    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ElevenLabsError> {
        self.json(&Call {
            method: Method::GET,
            path,
            query,
            body: None,
            idempotent: true,
            accept: JSON,
        })
        .await
    }

    pub async fn get_batch(
        &self,
        batch_id: &str,
    ) -> Result<BatchCallDetailedResponse, ElevenLabsError> {
        self.get(&format!("/v1/convai/batch-calling/{}", seg(batch_id)), &[])
            .await
    }

    /// `get_batch` without the recipients' echoed variables (`conversation_initiation_client_data`
    /// is `None`): several times cheaper on big batches, for pollers that keep what they sent.
    pub async fn get_batch_status(
        &self,
        batch_id: &str,
    ) -> Result<BatchCallDetailedResponse, ElevenLabsError> {
        let light: BatchStatusOnly = self
            .get(&format!("/v1/convai/batch-calling/{}", seg(batch_id)), &[])
            .await?;
        Ok(light.into())
    }

    pub async fn list_batches_page(
        &self,
        last_doc: Option<&str>,
        limit: u32,
    ) -> Result<WorkspaceBatchCallsResponse, ElevenLabsError> {
        let mut query = vec![("limit", limit.max(1).to_string())];
        if let Some(doc) = last_doc {
            query.push(("last_doc", doc.to_string()));
        }
        self.get("/v1/convai/batch-calling/workspace", &query).await
    }

    /// Every batch of the workspace, page after page (`next_doc` → `last_doc`).
    pub fn list_batches(
        &self,
    ) -> impl futures::Stream<Item = Result<BatchCallResponse, ElevenLabsError>> + Send + '_ {
        async_stream::try_stream! {
            let mut cursor: Option<String> = None;
            loop {
                let page = self.list_batches_page(cursor.as_deref(), 100).await?;
                for b in page.batch_calls {
                    yield b;
                }
                match page.next_doc {
                    // A cursor that does not move would loop for ever.
                    Some(next) if page.has_more && cursor.as_deref() != Some(next.as_str()) => {
                        cursor = Some(next)
                    }
                    _ => break,
                }
            }
        }
    }

    pub async fn delete_batch(&self, batch_id: &str) -> Result<(), ElevenLabsError> {
        let path = format!("/v1/convai/batch-calling/{}", seg(batch_id));
        let call = Call {
            method: Method::DELETE,
            path: &path,
            query: &[],
            body: None,
            idempotent: true,
            accept: JSON,
        };
        self.execute(&call, |_resp| async { Ok(()) }).await
    }

    pub async fn get_conversation(
        &self,
        conversation_id: &str,
    ) -> Result<ConversationResponse, ElevenLabsError> {
        self.get(
            &format!("/v1/convai/conversations/{}", seg(conversation_id)),
            &[],
        )
        .await
    }

    pub async fn get_agent(&self, agent_id: &str) -> Result<AgentResponse, ElevenLabsError> {
        self.get(&format!("/v1/convai/agents/{}", seg(agent_id)), &[])
            .await
    }

    /// PATCH with only the fields in `patch` (upstream merges them into the agent).
    pub async fn update_agent(
        &self,
        agent_id: &str,
        patch: &serde_json::Value,
    ) -> Result<AgentResponse, ElevenLabsError> {
        let path = format!("/v1/convai/agents/{}", seg(agent_id));
        let body = serde_json::to_vec(patch).map_err(|e| ElevenLabsError::Decode(e.to_string()))?;
        self.json(&Call {
            method: Method::PATCH,
            path: &path,
            query: &[],
            body: Some(Bytes::from(body)),
            idempotent: true,
            accept: JSON,
        })
        .await
    }

    /// Every agent of the workspace (all pages).
    pub async fn list_agents(&self) -> Result<Vec<AgentSummary>, ElevenLabsError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = vec![("page_size", "100".to_string())];
            if let Some(c) = &cursor {
                query.push(("cursor", c.clone()));
            }
            let page: AgentsPage = self.get("/v1/convai/agents", &query).await?;
            out.extend(page.agents);
            match page.next_cursor {
                Some(next) if page.has_more && cursor.as_deref() != Some(next.as_str()) => {
                    cursor = Some(next)
                }
                _ => return Ok(out),
            }
        }
    }

    pub async fn list_phone_numbers(&self) -> Result<Vec<PhoneNumberResponse>, ElevenLabsError> {
        self.get("/v1/convai/phone-numbers", &[]).await
    }
}

/// An id as one path segment: anything but URL-safe characters is percent-encoded, so an
/// id can never change the path it is put in.
pub(crate) fn seg(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
