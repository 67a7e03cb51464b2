//! The batch calls that change something upstream and are not idempotent there: submit,
//! cancel and retry. None is ever re-sent blindly after an ambiguous failure (timeout,
//! dropped connection, 5xx): the client first checks whether the first attempt took effect.

use bytes::Bytes;
use futures::{StreamExt, pin_mut};
use reqwest::Method;
use std::collections::HashSet;

use super::client::{Call, JSON, seg};
use super::types::*;
use super::{ElevenLabsClient, ElevenLabsError};
use crate::domain::BatchStatus;

impl ElevenLabsClient {
    /// Submits a batch, at most once. After a timeout, a dropped connection or a 5xx the
    /// batch may exist anyway, so the workspace list is searched (same name and agent,
    /// same number of recipients, created since shortly before this call) and a batch
    /// found there is returned instead of submitting again. 429 means "not accepted" and is
    /// retried (inside `json`) after the wait the server asks for.
    pub async fn submit_batch(
        &self,
        req: &SubmitBatchRequest,
    ) -> Result<BatchCallResponse, ElevenLabsError> {
        self.submit_batch_excluding(req, &HashSet::new()).await
    }

    /// [`submit_batch`](Self::submit_batch), where the lookup after an ambiguous failure
    /// ignores `known` batch ids (batches we already hold a record of), so a batch
    /// that shares the call name of an earlier one is never taken for it.
    pub async fn submit_batch_excluding(
        &self,
        req: &SubmitBatchRequest,
        known: &HashSet<String>,
    ) -> Result<BatchCallResponse, ElevenLabsError> {
        let policy = self.retry_policy().clone();
        let body = serde_json::to_vec(req).map_err(|e| ElevenLabsError::Decode(e.to_string()))?;
        let call = Call {
            method: Method::POST,
            path: "/v1/convai/batch-calling/submit",
            query: &[],
            body: Some(Bytes::from(body)),
            idempotent: false,
            accept: JSON,
        };
        let since = now_unix() - policy.submit_lookup_window.as_secs() as i64;
        let mut attempt = 0;
        loop {
            let err = match self.json::<BatchCallResponse>(&call).await {
                Ok(b) => return Ok(b),
                Err(e) => e,
            };
            // An unreadable 2xx also means the batch was created.
            let unsure = err.is_ambiguous() || matches!(err, ElevenLabsError::Decode(_));
            if !unsure || attempt >= policy.max_retries {
                return Err(err);
            }
            // Give a slow server time to finish what it may be doing, then look.
            tokio::time::sleep(policy.delay(attempt, &err)).await;
            attempt += 1;
            match self.find_submitted(req, since, known).await {
                Ok(Some(found)) => {
                    tracing::info!(batch_id = %found.id, "elevenlabs: submit had succeeded; not resubmitting");
                    return Ok(found);
                }
                Ok(None) => {}
                // Cannot tell whether it exists: submitting again could dial twice.
                Err(lookup) => {
                    tracing::warn!(error = %lookup, "elevenlabs: cannot verify a failed submit");
                    return Err(err);
                }
            }
        }
    }

    /// The batch `req` created, if the workspace list has it.
    pub async fn find_submitted(
        &self,
        req: &SubmitBatchRequest,
        created_since_unix: i64,
        known: &HashSet<String>,
    ) -> Result<Option<BatchCallResponse>, ElevenLabsError> {
        let count = req.recipients.len() as u64;
        self.find_batch(|b| {
            b.name == req.call_name
                && !known.contains(&b.id)
                && b.agent_id == req.agent_id
                && b.created_at_unix >= created_since_unix
                && (b.total_calls_scheduled == 0 || b.total_calls_scheduled == count)
        })
        .await
    }

    /// A batch of this agent named `call_name`, created since then and not in `known`,
    /// whatever its size: for names that are unique by construction (a continuation's),
    /// whose recipients may have changed since they were submitted.
    pub async fn find_named(
        &self,
        call_name: &str,
        agent_id: &str,
        created_since_unix: i64,
        known: &HashSet<String>,
    ) -> Result<Option<BatchCallResponse>, ElevenLabsError> {
        self.find_batch(|b| {
            b.name == call_name
                && !known.contains(&b.id)
                && b.agent_id == agent_id
                && b.created_at_unix >= created_since_unix
        })
        .await
    }

    async fn find_batch(
        &self,
        matches: impl Fn(&BatchCallResponse) -> bool,
    ) -> Result<Option<BatchCallResponse>, ElevenLabsError> {
        let max_items = self.retry_policy().submit_lookup_pages.max(1) * 100;
        let stream = self.list_batches().take(max_items);
        pin_mut!(stream);
        while let Some(item) = stream.next().await {
            let b = item?;
            if matches(&b) {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    /// Cancels a batch. After an ambiguous failure the batch is read back: if it is already
    /// cancelled, that is the answer; otherwise the cancel is sent again.
    pub async fn cancel_batch(&self, batch_id: &str) -> Result<BatchCallResponse, ElevenLabsError> {
        self.write_then_verify(batch_id, "cancel", |b| b.status == BatchStatus::Cancelled)
            .await
    }

    /// Re-dials the failed (and voicemail) recipients of a finished batch. After an
    /// ambiguous failure the batch is read back: retry only applies to finished batches, so
    /// one that runs again means the retry took effect.
    pub async fn retry_batch(&self, batch_id: &str) -> Result<BatchCallResponse, ElevenLabsError> {
        self.write_then_verify(batch_id, "retry", |b| {
            matches!(b.status, BatchStatus::Pending | BatchStatus::InProgress)
        })
        .await
    }

    async fn write_then_verify(
        &self,
        batch_id: &str,
        action: &str,
        took_effect: impl Fn(&BatchCallResponse) -> bool,
    ) -> Result<BatchCallResponse, ElevenLabsError> {
        let policy = self.retry_policy().clone();
        let path = format!("/v1/convai/batch-calling/{}/{action}", seg(batch_id));
        let call = Call {
            method: Method::POST,
            path: &path,
            query: &[],
            body: None,
            idempotent: false,
            accept: JSON,
        };
        let mut attempt = 0;
        loop {
            let err = match self.json::<BatchCallResponse>(&call).await {
                Ok(b) => return Ok(b),
                Err(e) => e,
            };
            if !err.is_ambiguous() || attempt >= policy.max_retries {
                return Err(err);
            }
            tokio::time::sleep(policy.delay(attempt, &err)).await;
            attempt += 1;
            match self.get_batch(batch_id).await {
                Ok(now) if took_effect(&now.batch) => return Ok(now.batch),
                Ok(_) => {}
                Err(_) => return Err(err),
            }
        }
    }
}

fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}
