//! Following one batch: the SSE stream first, reconnecting with backoff when it drops,
//! and after a few failed attempts polling the status route every few seconds (as the
//! seed's own frontend does) while trying the stream again now and then. Everything it
//! learns goes to the app as `Action`s.

use futures::StreamExt;
use reqwest_eventsource::{Event, EventSource};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::api::{
    BatchStatusView, EVENT_BATCH_COMPLETED, EVENT_CONNECTED, EVENT_ERROR, EVENT_STATUS_DELTA,
    EVENT_STATUS_UPDATE, EVENT_TIMEOUT, ErrorEvent,
};
use crate::tui::io::held::{Applied, Held};

use crate::client::{ServiceClient, decode};
use crate::tui::action::{Action, ConnState};

#[derive(Debug, Clone)]
pub struct WatchConfig {
    /// Interval of the status route while polling (the seed: 5 s).
    pub poll_every: Duration,
    /// Consecutive SSE failures before polling.
    pub failures_before_poll: u32,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// While polling, try the stream again this often.
    pub retry_stream_every: Duration,
    /// A stream that has not opened by then counts as failed.
    pub open_timeout: Duration,
    /// Stamps each snapshot's arrival (the demo's clock runs faster than the wall's).
    pub clock: crate::tui::io::clock::Clock,
}

impl Default for WatchConfig {
    fn default() -> Self {
        Self {
            poll_every: Duration::from_secs(5),
            failures_before_poll: 3,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            retry_stream_every: Duration::from_secs(30),
            open_timeout: Duration::from_secs(10),
            clock: crate::tui::io::clock::Clock::system(),
        }
    }
}

enum StreamEnd {
    /// `batch-completed`: nothing more will come.
    Completed,
    /// The server said `timeout`, or a change did not fit what we hold: reconnect at once.
    Timeout,
    /// The service does not know the batch (404), or said it is gone: stop.
    Gone,
    /// Dropped or refused; `opened` tells whether it had been working.
    Dropped { opened: bool },
}

struct Watch {
    client: ServiceClient,
    batch_id: String,
    tx: mpsc::Sender<Action>,
    cfg: WatchConfig,
}

/// Follow `batch_id` until it ends or `cancel` fires.
pub async fn watch(
    client: ServiceClient,
    batch_id: String,
    tx: mpsc::Sender<Action>,
    cfg: WatchConfig,
    cancel: CancellationToken,
) {
    let w = Watch {
        client,
        batch_id,
        tx,
        cfg,
    };
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = w.run() => {}
    }
}

impl Watch {
    async fn send(&self, a: Action) -> bool {
        self.tx.send(a).await.is_ok()
    }

    async fn conn(&self, state: ConnState) -> bool {
        self.send(Action::Conn {
            batch_id: self.batch_id.clone(),
            state,
        })
        .await
    }

    async fn snapshot(&self, view: BatchStatusView) -> bool {
        self.send(Action::Snapshot {
            batch_id: self.batch_id.clone(),
            view: Box::new(view),
            at: self.cfg.clock.now(),
        })
        .await
    }

    async fn notice(&self, message: String) -> bool {
        self.coded_notice(message, None).await
    }

    async fn coded_notice(&self, message: String, code: Option<String>) -> bool {
        self.send(Action::StreamNotice {
            batch_id: self.batch_id.clone(),
            message,
            code,
        })
        .await
    }

    async fn run(self) {
        self.conn(ConnState::Connecting).await;
        // A REST snapshot first: the screen fills at once, and a finished batch needs
        // no stream at all.
        if let Ok(view) = self.client.status(&self.batch_id).await {
            let done = view.status.is_final();
            self.snapshot(view).await;
            if done {
                self.conn(ConnState::Ended).await;
                return;
            }
        }
        let mut failures = 0u32;
        let mut held = Held::default();
        loop {
            if self.tx.is_closed() {
                return;
            }
            if failures >= self.cfg.failures_before_poll {
                if self.poll_for(self.cfg.retry_stream_every).await {
                    self.conn(ConnState::Ended).await;
                    return;
                }
                // One more stream attempt; back to polling if it fails.
                failures = self.cfg.failures_before_poll - 1;
            }
            match self.stream_once(&mut held).await {
                StreamEnd::Completed | StreamEnd::Gone => {
                    self.conn(ConnState::Ended).await;
                    return;
                }
                StreamEnd::Timeout => failures = 0,
                StreamEnd::Dropped { opened } => {
                    failures = if opened { 1 } else { failures + 1 };
                    if failures < self.cfg.failures_before_poll {
                        self.conn(ConnState::Reconnecting(failures)).await;
                        tokio::time::sleep(self.backoff(failures)).await;
                    }
                }
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .cfg
            .first_backoff
            .saturating_mul(1 << attempt.saturating_sub(1).min(10));
        let jitter = rand::random_range(0.8..1.2);
        base.min(self.cfg.max_backoff).mul_f64(jitter)
    }

    async fn stream_once(&self, held: &mut Held) -> StreamEnd {
        let request = self.client.stream_request(&self.batch_id, held.last_id());
        let mut es = match EventSource::new(request) {
            Ok(es) => es,
            Err(e) => {
                tracing::warn!("SSE request cannot be built: {e}");
                return StreamEnd::Dropped { opened: false };
            }
        };
        es.set_retry_policy(Box::new(reqwest_eventsource::retry::Never));
        let mut opened = false;
        loop {
            // A server that accepts the connection but never answers must not leave the
            // header saying "connecting" forever. (After `Open`, silence is normal: the
            // keep-alive comments are not surfaced as events.)
            let next = if opened {
                es.next().await
            } else {
                match tokio::time::timeout(self.cfg.open_timeout, es.next()).await {
                    Ok(n) => n,
                    Err(_) => {
                        tracing::info!("SSE did not open within {:?}", self.cfg.open_timeout);
                        break;
                    }
                }
            };
            let Some(item) = next else { break };
            match item {
                Ok(Event::Open) => {
                    opened = true;
                    self.conn(ConnState::Live).await;
                }
                // `Open` already said so.
                Ok(Event::Message(m)) if m.event == EVENT_CONNECTED => {}
                Ok(Event::Message(m)) => {
                    match self.on_message(&m.event, &m.id, &m.data, held).await {
                        Some(end) => {
                            es.close();
                            return end;
                        }
                        None => continue,
                    }
                }
                Err(reqwest_eventsource::Error::InvalidStatusCode(status, resp)) => {
                    let body = resp.bytes().await.unwrap_or_default();
                    if let Err(f) = decode::<serde_json::Value>(status, &body, self.client.lang()) {
                        tracing::warn!(%status, "SSE refused: {}", f.message);
                        if status.is_client_error() {
                            self.notice(f.message).await;
                        }
                    }
                    if status == reqwest::StatusCode::NOT_FOUND {
                        es.close();
                        return StreamEnd::Gone;
                    }
                    break;
                }
                Err(e) => {
                    tracing::info!("SSE dropped: {e}");
                    break;
                }
            }
        }
        es.close();
        StreamEnd::Dropped { opened }
    }

    async fn on_message(
        &self,
        event: &str,
        id: &str,
        data: &str,
        held: &mut Held,
    ) -> Option<StreamEnd> {
        let applied = match event {
            EVENT_STATUS_UPDATE => held.update(id, data),
            EVENT_STATUS_DELTA => held.delta(id, data),
            EVENT_BATCH_COMPLETED => held.completed(id, data),
            EVENT_ERROR => {
                let ev = serde_json::from_str::<ErrorEvent>(data).ok();
                let fatal = ev.as_ref().and_then(|e| e.fatal).unwrap_or(false);
                let (msg, code) = ev
                    .map(|e| (e.message, Some(e.code).filter(|c| !c.is_empty())))
                    .unwrap_or_else(|| (data.to_string(), None));
                self.coded_notice(msg, code).await;
                return fatal.then_some(StreamEnd::Gone);
            }
            EVENT_TIMEOUT => return Some(StreamEnd::Timeout),
            other => {
                tracing::debug!("SSE event ignored: {other}");
                return None;
            }
        };
        match applied {
            Applied::View(view) => {
                self.snapshot(view).await;
                None
            }
            Applied::Completed(view) => {
                if let Some(view) = view {
                    self.snapshot(view).await;
                }
                Some(StreamEnd::Completed)
            }
            Applied::Resync => Some(StreamEnd::Timeout),
            Applied::Ignored => None,
        }
    }

    /// Poll the status route for `span`. True when the batch ended.
    async fn poll_for(&self, span: Duration) -> bool {
        let until = tokio::time::Instant::now() + span;
        let mut offline_said = false;
        loop {
            match self.client.status(&self.batch_id).await {
                Ok(view) => {
                    let done = view.status.is_final();
                    self.conn(ConnState::Polling).await;
                    self.snapshot(view).await;
                    offline_said = false;
                    if done {
                        return true;
                    }
                }
                Err(f) => {
                    if !offline_said {
                        self.notice(f.message).await;
                        offline_said = true;
                    }
                    self.conn(ConnState::Offline).await;
                }
            }
            if self.tx.is_closed() {
                return false;
            }
            tokio::time::sleep(self.cfg.poll_every).await;
            if tokio::time::Instant::now() >= until {
                return false;
            }
        }
    }
}
