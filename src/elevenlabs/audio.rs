//! The recording of a conversation, streamed as it arrives (`Accept: audio/*`: the only
//! call that does not ask for JSON).

use bytes::Bytes;
use reqwest::Method;
use std::fmt;

use super::ElevenLabsClient;
use super::ElevenLabsError;
use super::client::{Call, seg};

/// A streamed MP3 (or whatever `content_type` says), never buffered whole.
pub struct AudioStream {
    pub content_type: String,
    pub content_length: Option<u64>,
    pub stream: futures::stream::BoxStream<'static, Result<Bytes, ElevenLabsError>>,
}

impl fmt::Debug for AudioStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AudioStream")
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

impl ElevenLabsClient {
    /// The recording, streamed as it arrives.
    pub async fn conversation_audio(
        &self,
        conversation_id: &str,
    ) -> Result<AudioStream, ElevenLabsError> {
        use futures::StreamExt;
        let path = format!("/v1/convai/conversations/{}/audio", seg(conversation_id));
        let call = Call {
            method: Method::GET,
            path: &path,
            query: &[],
            body: None,
            idempotent: true,
            accept: "audio/*",
        };
        let resp = self.execute(&call, |resp| async { Ok(resp) }).await?;
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("audio/mpeg")
            .to_string();
        let content_length = resp.content_length();
        let stream = resp
            .bytes_stream()
            .map(|r| r.map_err(ElevenLabsError::from_reqwest))
            .boxed();
        Ok(AudioStream {
            content_type,
            content_length,
            stream,
        })
    }
}
