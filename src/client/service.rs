//! [`ServiceClient`]: one method per route of `callboard serve` (groups, batches, calls,
//! opt-outs, reports, recordings), each answering the envelope's `data` or a [`Failure`].

use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use std::time::Duration;

use super::envelope::{decode, decode_with_message};
use super::error::{Failure, Outcome};
use crate::api::{
    BatchListItem, BatchStatusView, CancelData, GroupDetail, GroupSummary, OptOutView,
    PhoneNumberView, ResumeData, RetryData, StartCallData, StartCallRequest,
};
use crate::domain::GroupId;
use crate::domain::Lang;
use crate::domain::preflight::Preflight;
use crate::report::BatchKpis;
use crate::secret::Secret;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct ServiceClient {
    base: String,
    token: Option<Secret>,
    http: reqwest::Client,
    lang: Lang,
}

impl std::fmt::Debug for ServiceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceClient")
            .field("base", &self.base)
            .field("token", &self.token)
            .finish()
    }
}

impl ServiceClient {
    pub fn new(base: &str, token: Option<Secret>, lang: Lang) -> Result<Self, Failure> {
        let base = base.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Failure::network(match lang {
                Lang::Es => {
                    format!("URL del servicio no válida: «{base}» (use http://… o https://…)")
                }
                Lang::En => format!("invalid service URL: “{base}” (use http://… or https://…)"),
            }));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| Failure::network(e.to_string()))?;
        Ok(Self {
            base,
            token: token.filter(|t| !t.is_empty()),
            http,
            lang,
        })
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let rb = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(t) => rb.bearer_auth(t.expose()),
            None => rb,
        }
    }

    /// The SSE request for a batch (no overall timeout: the stream lives long), asking for
    /// delta events (`api::delta`) from `last_event_id`, the last event applied, if any.
    pub fn stream_request(&self, batch_id: &str, last_event_id: Option<&str>) -> RequestBuilder {
        let path = format!(
            "/api/batch-calls/{}/status/stream?view={}",
            seg(batch_id),
            crate::api::VIEW_DELTA
        );
        let rb = self
            .request(Method::GET, &path)
            .header(reqwest::header::ACCEPT, "text/event-stream");
        match last_event_id {
            Some(id) => rb.header("last-event-id", id),
            None => rb,
        }
    }

    fn unreachable(&self, e: &reqwest::Error) -> Failure {
        // reqwest's text names the URL, never the Authorization header.
        let what = if e.is_timeout() { "timeout" } else { "" };
        Failure::network(match self.lang {
            Lang::Es => format!("Sin conexión con el servicio {} {what}({e})", self.base),
            Lang::En => format!("Cannot reach the service {} {what}({e})", self.base),
        })
    }

    async fn call<T: DeserializeOwned>(&self, rb: RequestBuilder) -> Outcome<T> {
        self.call_with_message(rb).await.map(|(_, data)| data)
    }

    /// `data` and the service's own message (for answers the supervisor should read).
    async fn call_with_message<T: DeserializeOwned>(
        &self,
        rb: RequestBuilder,
    ) -> Outcome<(String, T)> {
        let resp = rb
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| self.unreachable(&e))?;
        decode_with_message(status, &body, self.lang)
    }

    pub async fn groups(&self) -> Outcome<Vec<GroupSummary>> {
        self.call(self.request(Method::GET, "/api/groups")).await
    }

    pub async fn group(&self, id: GroupId) -> Outcome<GroupDetail> {
        self.call(self.request(Method::GET, &format!("/api/groups/{id}")))
            .await
    }

    pub async fn batches(&self) -> Outcome<Vec<BatchListItem>> {
        self.call(self.request(Method::GET, "/api/batch-calls"))
            .await
    }

    pub async fn status(&self, batch_id: &str) -> Outcome<BatchStatusView> {
        let path = format!("/api/batch-calls/{}/status", seg(batch_id));
        self.call(self.request(Method::GET, &path)).await
    }

    pub async fn phone_numbers(&self) -> Outcome<Vec<PhoneNumberView>> {
        self.call(self.request(Method::GET, "/api/phone-numbers"))
            .await
    }

    pub async fn start_call(&self, id: GroupId, req: &StartCallRequest) -> Outcome<StartCallData> {
        let rb = self.request(Method::POST, &format!("/api/groups/{id}/call"));
        self.call(rb.json(req)).await
    }

    /// The start's dry-run: the same body on `/call/preflight` (the same as `?dryRun=true`,
    /// but an older service that lacks it answers 404 instead of dialling); nobody is
    /// dialled.
    pub async fn preflight(&self, id: GroupId, req: &StartCallRequest) -> Outcome<Preflight> {
        let rb = self.request(Method::POST, &format!("/api/groups/{id}/call/preflight"));
        self.call(rb.json(req)).await
    }

    pub async fn optouts(&self) -> Outcome<Vec<OptOutView>> {
        self.call(self.request(Method::GET, "/api/optouts")).await
    }

    /// Adds a phone to the do-not-call list; the message says whether it was already there.
    pub async fn add_optout(&self, phone: &str, reason: &str) -> Outcome<(String, OptOutView)> {
        let body = serde_json::json!({ "phone": phone, "reason": reason });
        let rb = self.request(Method::POST, "/api/optouts").json(&body);
        self.call_with_message(rb).await
    }

    /// KPIs of one batch as the service computes them.
    pub async fn report(&self, batch_id: &str) -> Outcome<BatchKpis> {
        let path = format!("/api/batch-calls/{}/report", seg(batch_id));
        self.call(self.request(Method::GET, &path)).await
    }

    pub async fn retry(&self, batch_id: &str) -> Outcome<RetryData> {
        let path = format!("/api/batch-calls/{}/retry", seg(batch_id));
        self.call(self.request(Method::POST, &path)).await
    }

    pub async fn cancel(&self, batch_id: &str) -> Outcome<CancelData> {
        let path = format!("/api/batch-calls/{}/cancel", seg(batch_id));
        self.call(self.request(Method::POST, &path)).await
    }

    pub async fn resume(&self, batch_id: &str) -> Outcome<ResumeData> {
        let path = format!("/api/batch-calls/{}/resume", seg(batch_id));
        self.call(self.request(Method::POST, &path)).await
    }

    pub fn audio_url(&self, conversation_id: &str) -> String {
        format!(
            "{}/api/conversations/{}/audio",
            self.base,
            seg(conversation_id)
        )
    }

    /// The recording's bytes.
    pub async fn audio(&self, conversation_id: &str) -> Outcome<Vec<u8>> {
        let path = format!("/api/conversations/{}/audio", seg(conversation_id));
        let resp = self
            .request(Method::GET, &path)
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| self.unreachable(&e))?;
        if status.is_success() {
            return Ok(body.to_vec());
        }
        decode::<serde_json::Value>(status, &body, self.lang).map(|_| Vec::new())
    }
}

/// One path segment: ids come from the service, but are escaped anyway.
fn seg(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
