//! The accept loop of `callboard serve`, with the two limits `axum::serve` does not set:
//! a connection that has not sent a whole request head within `header_read_timeout_secs`
//! is closed (a slow or half-sent header no longer holds a socket forever), and at most
//! `max_connections` are open at once: one more first takes the place of a stream that has
//! ended and only lingers (see `sse_conn`), if there is one; otherwise it is answered `503`
//! with the envelope and closed at once, so the service keeps its sockets and memory for the
//! callers it serves.
//! SSE requests are answered by `sse_conn`, without hyper's per-connection buffers.

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;

use super::sse_conn;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

/// The limits a connection is held to.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
}

impl ConnLimits {
    pub fn from_settings(cfg: &super::settings::ServiceSettings) -> Self {
        Self {
            max_connections: cfg.max_connections.max(1),
            header_read_timeout: Duration::from_secs(cfg.header_read_timeout_secs.max(1)),
        }
    }
}

/// How long a connection over the limit waits for one that only lingers to give its
/// slot up (see `sse_conn`) before it is refused.
const RECLAIM_WAIT: Duration = Duration::from_millis(200);

/// What every connection's task shares.
#[derive(Clone)]
struct Shared {
    app: Router,
    limits: ConnLimits,
    stop: CancellationToken,
    ended: sse_conn::Ended,
}

/// Serves `app` on `listener` until `stop`, then lets requests in flight finish (the
/// caller bounds how long it waits).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    stop: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let shared = Shared {
        app,
        limits,
        stop: stop.clone(),
        ended: sse_conn::Ended::default(),
    };
    loop {
        let accepted = tokio::select! {
            _ = stop.cancelled() => break,
            a = listener.accept() => a,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: wait a moment instead of spinning.
                tracing::warn!(error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (shared, watcher) = (shared.clone(), graceful.watcher());
        match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                tokio::spawn(connection(stream, slot, shared, watcher));
            }
            Err(_) => {
                // Full: streams that ended and only linger give their connections up first.
                shared.ended.reclaim();
                let slots = slots.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(RECLAIM_WAIT, slots.acquire_owned()).await {
                        Ok(Ok(slot)) => connection(stream, slot, shared, watcher).await,
                        _ => refuse(stream).await,
                    }
                });
            }
        }
    }
    drop(listener);
    graceful.shutdown().await;
}

/// One connection, holding its slot: an SSE request goes to `sse_conn`, anything else to hyper.
async fn connection(
    stream: TcpStream,
    slot: OwnedSemaphorePermit,
    shared: Shared,
    watcher: Watcher,
) {
    let _slot = slot;
    let Shared {
        app,
        limits,
        stop,
        ended,
    } = shared;
    match sse_conn::peek(&stream, limits.header_read_timeout).await {
        sse_conn::Peeked::Sse(head) => sse_conn::serve(stream, head, app, stop, ended).await,
        sse_conn::Peeked::Other => {
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let conn =
                builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app));
            if let Err(e) = watcher.watch(conn).await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        sse_conn::Peeked::Gone => {}
    }
}

/// The answer to a connection over the limit: a short 503 envelope, then close.
async fn refuse(mut stream: TcpStream) {
    let body = serde_json::json!({
        "success": false,
        "message": "El servicio tiene el máximo de conexiones abiertas; inténtelo de nuevo en un momento",
        "code": "too_many_connections",
    })
    .to_string();
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let write = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), write).await;
}
