//! One lean SSE viewer of the end-to-end driver: a raw HTTP/1.1 request on a tokio
//! `TcpStream`, bytes read with `recvmsg` so every read comes with the kernel's receive
//! timestamp (`SO_TIMESTAMP`): the time the service's bytes reached this socket, which a
//! busy driver cannot inflate. No per-viewer read buffer: reads go into a buffer of the
//! worker thread and are scanned at once; a viewer keeps only the current event's name,
//! id and the tail of its data line (where the snapshot's `timestamp` is, serde writes it
//! last).

use std::cell::RefCell;
use std::os::fd::AsRawFd;
use tokio::io::{AsyncWriteExt, Interest};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// One event a viewer received.
#[derive(Debug, Clone)]
pub struct Got {
    pub viewer: usize,
    pub event: String,
    /// The snapshot's `timestamp` (the hub made it then), in ms since the epoch.
    pub made_ms: Option<i64>,
    /// Kernel receive time of the read that completed the event, in µs since the epoch.
    pub recv_us: i64,
    /// Bytes of the event (for the first viewer's table).
    pub bytes: usize,
}

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0u8; 256 * 1024]);
}

/// Reads what is there, with the kernel's receive time of the last byte.
fn recv_stamped(fd: i32) -> std::io::Result<(Vec<u8>, Option<i64>)> {
    SCRATCH.with(|s| {
        let mut buf = s.borrow_mut();
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let mut cmsg = [0u64; 16];
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cmsg.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&cmsg) as _;
        let n = unsafe { libc::recvmsg(fd, &mut msg, libc::MSG_DONTWAIT) };
        if n < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let mut stamp = None;
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_TIMESTAMP {
                    let tv: libc::timeval = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast());
                    stamp = Some(tv.tv_sec * 1_000_000 + tv.tv_usec);
                }
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
        Ok((buf[..n as usize].to_vec(), stamp))
    })
}

/// Scans SSE bytes as they come; remembers only what the report needs.
#[derive(Default)]
struct Scanner {
    line_start: bool,
    field: Vec<u8>,
    in_data: bool,
    tail: Vec<u8>,
    event: String,
    made_ms: Option<i64>,
    bytes: usize,
    past_head: bool,
    head_tail: Vec<u8>,
}

const TAIL: usize = 48;

impl Scanner {
    /// Feeds bytes; calls `done(event, made_ms, bytes)` at the end of every event.
    fn feed(&mut self, data: &[u8], mut done: impl FnMut(&str, Option<i64>, usize)) {
        if !self.past_head {
            // Skip the response head (up to the blank line).
            self.head_tail.extend_from_slice(data);
            let Some(p) = find(&self.head_tail, b"\r\n\r\n") else {
                return;
            };
            let rest = self.head_tail.split_off(p + 4);
            if !self.head_tail.starts_with(b"HTTP/1.1 200") {
                return done("refused", None, 0);
            }
            self.past_head = true;
            self.line_start = true;
            self.head_tail = Vec::new();
            return self.feed_body(&rest, &mut done);
        }
        self.feed_body(data, &mut done)
    }

    fn feed_body(&mut self, data: &[u8], done: &mut impl FnMut(&str, Option<i64>, usize)) {
        // Chunked encoding: chunk-size lines look like SSE lines without a colon and
        // are ignored by the field logic below (no `event`/`data` prefix).
        for &b in data {
            self.bytes += 1;
            if b == b'\n' {
                if self.line_start {
                    // Blank line: the event ends.
                    if !self.event.is_empty() {
                        done(&self.event, self.made_ms, self.bytes);
                    }
                    self.event.clear();
                    self.made_ms = None;
                    self.bytes = 0;
                } else if self.in_data {
                    self.made_ms = timestamp_in(&self.tail);
                } else if let Some(v) = self.field.strip_prefix(b"event: ") {
                    self.event = String::from_utf8_lossy(v).into_owned();
                }
                self.field.clear();
                self.tail.clear();
                self.in_data = false;
                self.line_start = true;
                continue;
            }
            if b == b'\r' {
                continue;
            }
            self.line_start = false;
            if self.in_data {
                self.tail.push(b);
                if self.tail.len() > TAIL * 2 {
                    self.tail.drain(..TAIL);
                }
            } else {
                self.field.push(b);
                if self.field == b"data: " {
                    self.in_data = true;
                }
            }
        }
    }
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

/// `…"timestamp":"2026-11-30T23:04:07.123Z"}` at the end of a data line.
fn timestamp_in(tail: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(tail).ok()?;
    let p = s.rfind("\"timestamp\":\"")?;
    let ts = s[p + 13..].split('"').next()?;
    chrono::DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|d| d.timestamp_millis())
}

/// Opens one viewer and reports every event until the stream ends or `batch-completed`.
pub async fn run(viewer: usize, addr: String, path: String, tx: mpsc::UnboundedSender<Got>) {
    let Ok(mut s) = TcpStream::connect(&addr).await else {
        let _ = tx.send(Got {
            viewer,
            event: "connect-failed".into(),
            made_ms: None,
            recv_us: 0,
            bytes: 0,
        });
        return;
    };
    let fd = s.as_raw_fd();
    let on: libc::c_int = 1;
    unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_TIMESTAMP,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as _,
        );
    }
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
    if s.write_all(req.as_bytes()).await.is_err() {
        return;
    }
    let mut scan = Scanner::default();
    loop {
        if s.readable().await.is_err() {
            return;
        }
        let got = s.try_io(Interest::READABLE, || recv_stamped(fd));
        let (bytes, stamp) = match got {
            Ok((b, _)) if b.is_empty() => return,
            Ok(x) => x,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return,
        };
        let recv_us = stamp.unwrap_or_else(|| chrono::Utc::now().timestamp_micros());
        let mut end = false;
        scan.feed(&bytes, |event, made_ms, n| {
            end |= event == "batch-completed" || event == "refused";
            let _ = tx.send(Got {
                viewer,
                event: event.to_string(),
                made_ms,
                recv_us,
                bytes: n,
            });
        });
        if end {
            return;
        }
    }
}
