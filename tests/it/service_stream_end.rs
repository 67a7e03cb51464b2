//! The end of a stream: every viewer gets the final frame whole before its connection
//! closes, and the service closes the connection (after a short linger, see
//! `service/sse_conn.rs`) even when the client never does, so no connection outlives its
//! batch for long and its slot comes back.

use crate::support::service::*;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CAP: usize = 8;

/// Reads until the peer closes (true) or `limit` passes (false: still open).
async fn read_until_closed(s: &mut TcpStream, limit: Duration) -> (bool, String) {
    let mut got = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (true, String::from_utf8_lossy(&got).into()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (false, String::from_utf8_lossy(&got).into()),
        }
    }
}

/// How many of `CAP` connections held open at once are served (the rest get 503).
async fn served_at_once(addr: std::net::SocketAddr) -> usize {
    let mut held = Vec::new();
    let mut ok = 0;
    for _ in 0..CAP {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 12];
        if s.read_exact(&mut buf).await.is_ok() && buf.starts_with(b"HTTP/1.1 200") {
            ok += 1;
        }
        held.push(s); // kept open (keep-alive) so each holds its slot
    }
    ok
}

/// A simulator and a service allowing `CAP` connections, with a batch started on group
/// 55 (the client that started it dropped: its pooled connection would hold a slot).
async fn started(
    seed: u64,
) -> (
    callboard::sim::SimHandle,
    callboard::service::ServiceHandle,
    String,
    tempfile::TempDir,
) {
    let sim = sim(300.0, seed).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), Some(&sim.url()));
    cfg.service.max_connections = CAP;
    let svc = serve(cfg, true, true).await;
    let api = Api::new(svc.url(), None);
    let phone = sim.phone_number_ids()[0].clone();
    let r = api
        .post(
            "/api/groups/55/call",
            json!({"userId": 19, "agentPhoneNumberId": phone}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let batch = r.body["data"]["batchId"].as_str().unwrap().to_string();
    (sim, svc, batch, dir)
}

#[tokio::test]
async fn the_final_frame_arrives_whole_then_the_service_closes_even_a_silent_viewer() {
    let (sim, svc, batch, _dir) = started(11).await;
    // Viewers (the seed's events and delta ones) that read everything but never close.
    let mut viewers = Vec::new();
    for view in ["", "?view=delta", "", "?view=delta"] {
        let mut s = TcpStream::connect(svc.addr).await.unwrap();
        let req = format!(
            "GET /api/batch-calls/{batch}/status/stream{view} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await.unwrap();
        viewers.push(tokio::spawn(async move {
            let got = read_until_closed(&mut s, Duration::from_secs(120)).await;
            (got, s) // the client's side stays open until the end of the test
        }));
    }
    let mut open_sides = Vec::new();
    for v in viewers {
        let ((closed, text), s) = v.await.unwrap();
        open_sides.push(s);
        let tail = &text[text.len().saturating_sub(300)..];
        assert!(closed, "the service closed the connection: …{tail}");
        assert!(
            text.starts_with("HTTP/1.1 200"),
            "{}",
            &text[..text.len().min(300)]
        );
        assert!(text.ends_with("\n\n"), "the last event is whole: …{tail}");
        let last = text.trim_end().rsplit("\n\n").next().unwrap();
        assert!(last.starts_with("event: batch-completed\n"), "{last}");
        let data = last.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
        let data: serde_json::Value = serde_json::from_str(data).expect("whole JSON");
        assert!(data["finalStatus"].is_string(), "{data}");
    }
    // Every viewer's slot came back although its client still holds its side open. (The
    // dropped client's pooled connection is closed by its own task; allow for it.)
    until_all_slots_free(svc.addr, "connections still held after their streams ended").await;
    drop(open_sides);
    svc.shutdown().await;
    sim.shutdown().await;
}

/// Waits (30 s at most, else fails saying `why`) until every one of the `CAP` slots is free
/// (the client that started the batch dropped its pooled connection, which its own task
/// closes).
async fn until_all_slots_free(addr: std::net::SocketAddr, why: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while served_at_once(addr).await < CAP {
        assert!(tokio::time::Instant::now() < deadline, "{why}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A viewer that reads until `batch-completed`, then hands its socket back, still open.
fn viewer_until_end(
    addr: std::net::SocketAddr,
    batch: &str,
    view: &str,
) -> tokio::task::JoinHandle<TcpStream> {
    let req = format!(
        "GET /api/batch-calls/{batch}/status/stream{view} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    );
    tokio::spawn(async move {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(req.as_bytes()).await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        while !String::from_utf8_lossy(&got).contains("event: batch-completed") {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => panic!("closed before the end"),
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        s
    })
}

/// A client that closes as soon as the batch ends (the seed's page and ours close on
/// `batch-completed`) gets its connection closed soon (after a quiet part of at most 0.5 s
/// while the other viewers' last frames go out), not after the service's whole linger (at
/// least `LINGER_MIN`, 1 s). The clients here only shut their sending side, so they see
/// when the service lets go, without opening connections that would make it reclaim them.
#[tokio::test]
async fn a_client_that_closes_first_frees_its_connection_before_the_linger() {
    let (sim, svc, batch, _dir) = started(12).await;
    until_all_slots_free(svc.addr, "slots never all free").await;
    let viewers: Vec<_> = (0..CAP / 2)
        .map(|_| viewer_until_end(svc.addr, &batch, ""))
        .collect();
    let mut closing = Vec::new();
    for v in viewers {
        let mut s = v.await.unwrap();
        s.shutdown().await.unwrap(); // as EventSource.close() does, but still reading
        closing.push(tokio::spawn(async move {
            let shut = tokio::time::Instant::now();
            let (closed, _) = read_until_closed(&mut s, Duration::from_secs(10)).await;
            (closed, shut.elapsed())
        }));
    }
    let within = callboard::service::LINGER_MIN - Duration::from_millis(200);
    for c in closing {
        let (closed, after) = c.await.unwrap();
        assert!(closed, "never closed");
        assert!(
            after < within,
            "the service held a closed viewer's connection {after:?}, as for the whole linger"
        );
    }
    svc.shutdown().await;
    sim.shutdown().await;
}

/// Streams that ended and only linger (their clients still hold their sides open) give
/// their connections up to a new caller when the service is at its limit: lingering never
/// gets anyone refused.
#[tokio::test]
async fn a_lingering_connection_gives_its_slot_to_a_new_caller() {
    let (sim, svc, batch, _dir) = started(13).await;
    until_all_slots_free(svc.addr, "slots never all free").await;
    // Every slot: viewers that read until the end, then keep their sides open.
    let viewers: Vec<_> = (0..CAP)
        .map(|_| viewer_until_end(svc.addr, &batch, "?view=delta"))
        .collect();
    let mut open_sides = Vec::new();
    for v in viewers {
        open_sides.push(v.await.unwrap());
    }
    let ended = tokio::time::Instant::now();
    // A new caller, while every connection still lingers.
    let mut s = TcpStream::connect(svc.addr).await.unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (_, answer) = read_until_closed(&mut s, Duration::from_secs(10)).await;
    assert!(
        ended.elapsed() < callboard::service::LINGER_MIN,
        "too slow to tell: the lingering connections could have closed on their own"
    );
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "a new caller was refused while finished streams lingered: {}",
        &answer[..answer.len().min(300)]
    );
    // The lingering ones were closed to make room, without waiting for their clients.
    for mut side in open_sides {
        let (closed, _) = read_until_closed(&mut side, Duration::from_secs(10)).await;
        assert!(closed, "a lingering connection was never closed");
    }
    svc.shutdown().await;
    sim.shutdown().await;
}
