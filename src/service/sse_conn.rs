//! SSE streams without hyper's per-connection buffers. hyper keeps an 8 KiB read buffer and
//! an 8 KiB header buffer for the whole life of a connection, which for thousands of idle
//! viewers of a live batch was most of their memory. The accept loop peeks (without
//! consuming anything) at the head of each new connection; an SSE `GET` goes through the
//! same router, middleware and all, as one request, and its answer is written here straight
//! to the socket: the head, then each frame (the snapshot's shared `Bytes`, never copied),
//! until the stream ends, then the connection closes (`Connection: close`, so the body needs
//! no chunked framing). Everything else is handed to hyper untouched.
//!
//! The end of a stream is usually the batch's last state, written to every viewer at the same
//! moment. Closing each socket right after its last write made the closes (a FIN each way per
//! connection, thousands at once) compete with the other viewers' last writes, so the end
//! went out slower than any other update. After its last frame a connection now lingers
//! [`LINGER_MIN`] plus a random part of [`LINGER_SPREAD`], then closes. For its first
//! 0.25–0.5 s it does not even act on its client's close (the seed's page and ours close on
//! `batch-completed`, so thousands of closes arrive while the last frames still go out);
//! after that a client's close frees the connection at once. A service that stops closes
//! them at once, and one at its connection limit closes them to make room ([`Ended`]), so
//! lingering never gets a new caller refused.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, header};
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// Longest request head looked at here; a longer one goes to hyper.
const MAX_HEAD: usize = 8 * 1024;
const MAX_HEADERS: usize = 64;
/// Largest non-stream answer (an error envelope) written here.
const MAX_PLAIN_BODY: usize = 64 * 1024;
/// Least time a connection stays open after its stream's last frame (see the module's doc).
pub const LINGER_MIN: Duration = Duration::from_secs(1);
/// Up to this much more, at random per connection, so the closes spread out.
pub const LINGER_SPREAD: Duration = Duration::from_secs(2);
/// After its last frame a connection ignores even its client's close this long, plus a
/// random part of [`QUIET_SPREAD`] (see [`pump`]).
const QUIET_MIN: Duration = Duration::from_millis(250);
const QUIET_SPREAD: Duration = Duration::from_millis(250);

/// What a new connection starts with.
pub enum Peeked {
    /// An SSE request whose head has this many bytes.
    Sse(usize),
    /// Anything else: for hyper.
    Other,
    /// Closed, or no whole head in time.
    Gone,
}

/// The streams that have ended and only linger: the accept loop asks them to close at once
/// when the service is at its connection limit, so lingering never refuses a new viewer.
#[derive(Clone, Default)]
pub struct Ended(Arc<Notify>);

impl Ended {
    /// Every lingering connection closes now.
    pub fn reclaim(&self) {
        self.0.notify_waiters();
    }
}

/// Whether `path` (without its query) is the batch stream route.
fn is_stream_path(target: &[u8]) -> bool {
    let path = target.split(|&b| b == b'?').next().unwrap_or_default();
    path.starts_with(b"/api/batch-calls/") && path.ends_with(b"/status/stream")
}

const PREFIX: &[u8] = b"GET /api/batch-calls/";

/// What the bytes so far say; None while it cannot tell yet.
fn classify(head: &[u8], full: bool) -> Option<Peeked> {
    let n = head.len().min(PREFIX.len());
    if head[..n] != PREFIX[..n] {
        return Some(Peeked::Other);
    }
    if let Some(eol) = head.windows(2).position(|w| w == b"\r\n") {
        let line = &head[..eol];
        let mut parts = line.split(|&b| b == b' ');
        let (_, target, version) = (parts.next(), parts.next(), parts.next());
        if version != Some(b"HTTP/1.1") || !target.is_some_and(is_stream_path) {
            return Some(Peeked::Other);
        }
    }
    if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
        return Some(Peeked::Sse(end + 4));
    }
    full.then_some(Peeked::Other)
}

/// Looks at the start of a connection without consuming it.
pub async fn peek(stream: &TcpStream, within: Duration) -> Peeked {
    let deadline = Instant::now() + within;
    let mut buf = vec![0u8; MAX_HEAD];
    loop {
        let n = match tokio::time::timeout_at(deadline, stream.peek(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return Peeked::Gone,
            Ok(Ok(n)) => n,
        };
        if let Some(p) = classify(&buf[..n], n == MAX_HEAD) {
            return p;
        }
        // Part of a head: the rest follows (peeking again at once would spin).
        if Instant::now() + Duration::from_millis(5) > deadline {
            return Peeked::Gone;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Serves one SSE request whose head (`head_len` bytes) is waiting on `stream`.
/// `stop`: the service is stopping (a stream that ended closes at once then); `ended`: where
/// the connection waits to be reclaimed once its stream has ended.
pub async fn serve(
    mut stream: TcpStream,
    head_len: usize,
    app: Router,
    stop: CancellationToken,
    ended: Ended,
) {
    let mut head = vec![0u8; head_len];
    if stream.read_exact(&mut head).await.is_err() {
        return;
    }
    let Some(req) = request(&head) else {
        let _ = stream
            .write_all(
                b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            )
            .await;
        return;
    };
    drop(head);
    let Ok(resp) = app.oneshot(req).await;
    let is_stream = resp.status().is_success()
        && resp
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if is_stream {
        pump(stream, resp, stop, ended).await;
    } else {
        plain(stream, resp).await;
    }
}

/// The request as the router expects it (no body: a `GET`).
fn request(head: &[u8]) -> Option<Request<Body>> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    if !matches!(parsed.parse(head), Ok(httparse::Status::Complete(_))) {
        return None;
    }
    let mut b = Request::builder()
        .method(parsed.method?)
        .uri(parsed.path?)
        .version(axum::http::Version::HTTP_11);
    for h in parsed.headers.iter() {
        b = b.header(h.name, h.value);
    }
    b.body(Body::empty()).ok()
}

/// The status line and headers, ending the connection after the body.
fn head_bytes(resp: &Response<Body>, length: Option<usize>) -> Vec<u8> {
    let status = resp.status();
    let mut out = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
    .into_bytes();
    for (name, value) in resp.headers() {
        if name == header::CONNECTION || name == header::CONTENT_LENGTH {
            continue;
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if let Some(n) = length {
        out.extend_from_slice(format!("content-length: {n}\r\n").as_bytes());
    }
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out
}

/// An answer that is not a stream (the 404 envelope, a 401...): whole, then close.
async fn plain(mut stream: TcpStream, resp: Response<Body>) {
    let (parts, body) = resp.into_parts();
    let body = axum::body::to_bytes(body, MAX_PLAIN_BODY)
        .await
        .unwrap_or_default();
    let resp = Response::from_parts(parts, Body::empty());
    let _ = stream.write_all(&head_bytes(&resp, Some(body.len()))).await;
    let _ = stream.write_all(&body).await;
    let _ = stream.shutdown().await;
}

/// What woke the pump.
enum Wake {
    Frame(Option<axum::body::Bytes>),
    /// The client sent something, closed, or the socket failed.
    Socket(bool),
}

/// The stream's frames, as they come, until it ends or the client goes away.
async fn pump(mut stream: TcpStream, resp: Response<Body>, stop: CancellationToken, ended: Ended) {
    let head = head_bytes(&resp, None);
    let mut frames = resp.into_body().into_data_stream();

    if stream.write_all(&head).await.is_err() {
        return;
    }
    drop(head);
    loop {
        let wake = tokio::select! {
            f = frames.next() => Wake::Frame(f.and_then(Result::ok)),
            r = stream.readable() => Wake::Socket(r.is_ok()),
        };
        match wake {
            Wake::Frame(Some(bytes)) => {
                if super::sse_sendfile::send(&mut stream, &bytes)
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Wake::Frame(None) => break,
            Wake::Socket(false) => return,
            Wake::Socket(true) => {
                // Nothing is expected from the client: anything read is dropped; 0 is the end.
                let mut scrap = [0u8; 256];
                match stream.try_read(&mut scrap) {
                    Ok(0) => return,
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => return,
                }
            }
        }
    }
    // The end, usually the last state sent to every viewer at once: the stream (its slot,
    // its subscription) goes now, the socket after the linger, unless the service stops or
    // needs the connection for a new one.
    drop(frames);
    let ended_at = Instant::now();
    let reclaimed = ended.0.notified();
    tokio::pin!(reclaimed);
    reclaimed.as_mut().enable();
    // Not even a client's close is acted on at first: the other viewers' last frames are
    // still going out, and a close (its FIN, the socket's teardown) would compete with them.
    let quiet = QUIET_MIN + QUIET_SPREAD.mul_f64(rand::random::<f64>());
    tokio::select! {
        _ = tokio::time::sleep(quiet) => {}
        _ = stop.cancelled() => {}
        _ = &mut reclaimed => {}
    }
    let linger = tokio::time::sleep_until(
        ended_at + LINGER_MIN + LINGER_SPREAD.mul_f64(rand::random::<f64>()),
    );
    tokio::pin!(linger);
    loop {
        tokio::select! {
            biased;
            _ = stop.cancelled() => break,
            _ = &mut reclaimed => break,
            _ = &mut linger => break,
            // A client that closes first (the seed's page and ours do, on
            // `batch-completed`) frees its connection after the quiet part, not after the
            // whole linger.
            r = stream.readable() => {
                let mut scrap = [0u8; 256];
                match r.map(|()| stream.try_read(&mut scrap)) {
                    Ok(Ok(0)) | Err(_) => return,
                    Ok(Err(e)) if e.kind() != std::io::ErrorKind::WouldBlock => return,
                    Ok(_) => {}
                }
            }
        }
    }
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_sse_heads_are_taken() {
        let sse = b"GET /api/batch-calls/b1/status/stream?view=delta HTTP/1.1\r\nHost: x\r\n\r\n";
        assert!(matches!(classify(sse, false), Some(Peeked::Sse(n)) if n == sse.len()));
        assert!(classify(&sse[..30], false).is_none(), "wait for the rest");
        for other in [
            &b"GET /api/batch-calls/b1/status HTTP/1.1\r\n\r\n"[..],
            b"POST /api/batch-calls/b1/status/stream HTTP/1.1\r\n\r\n",
            b"GET /api/batch-calls/b1/status/stream HTTP/1.0\r\n\r\n",
            b"GET / HTTP/1.1\r\n",
            b"G",
        ] {
            let got = classify(other, false);
            assert!(
                matches!(got, Some(Peeked::Other)) || (other.len() < 4 && got.is_none()),
                "{}",
                String::from_utf8_lossy(other)
            );
        }
        assert!(
            matches!(classify(&sse[..50], true), Some(Peeked::Other)),
            "too long"
        );
    }
}
