//! One lean SSE viewer of the end-to-end driver: a raw HTTP/1.1 request on a tokio
//! `TcpStream`, bytes read with `recvmsg` so every read comes with the kernel's receive
//! timestamp (`SO_TIMESTAMP`): the time the service's bytes reached this socket, which a
//! busy driver cannot inflate. No per-viewer read buffer: reads go into a buffer of the
//! worker thread and are scanned at once (memchr for line ends); a viewer keeps only the
//! current event's name and the tail of its data line (where the snapshot's `timestamp`
//! is: serde writes it last).

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

/// Reads what is there into the thread's buffer and hands it to `scan` with the kernel's
/// receive time of the last byte; the number of bytes read (0: closed).
fn recv_stamped(fd: i32, scan: impl FnOnce(&[u8], Option<i64>)) -> std::io::Result<usize> {
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
        if n > 0 {
            scan(&buf[..n as usize], stamp);
        }
        Ok(n as usize)
    })
}

/// Scans SSE bytes as they come; keeps only the end of the current line (an event's name,
/// or the `timestamp` that ends a data line), never a whole 70 kB line.
#[derive(Default)]
struct Scanner {
    past_head: bool,
    head: Vec<u8>,
    line_len: usize,
    tail: Vec<u8>,
    event: String,
    made_ms: Option<i64>,
    bytes: usize,
}

const TAIL: usize = 64;

impl Scanner {
    /// Feeds bytes; calls `done(event, made_ms, bytes)` at the end of every event.
    fn feed(&mut self, data: &[u8], mut done: impl FnMut(&str, Option<i64>, usize)) {
        if !self.past_head {
            // The response head, up to the blank line.
            self.head.extend_from_slice(data);
            let Some(p) = self.head.windows(4).position(|w| w == b"\r\n\r\n") else {
                return;
            };
            let rest = self.head.split_off(p + 4);
            if !self.head.starts_with(b"HTTP/1.1 200") {
                return done("refused", None, 0);
            }
            self.past_head = true;
            self.head = Vec::new();
            return self.feed_body(&rest, &mut done);
        }
        self.feed_body(data, &mut done)
    }

    fn feed_body(&mut self, data: &[u8], done: &mut impl FnMut(&str, Option<i64>, usize)) {
        let mut rest = data;
        while !rest.is_empty() {
            let (part, ends) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], true),
                None => (rest, false),
            };
            self.bytes += part.len() + usize::from(ends);
            self.line_len += part.len();
            let keep = &part[part.len().saturating_sub(TAIL)..];
            self.tail.extend_from_slice(keep);
            if self.tail.len() > TAIL * 2 {
                self.tail.drain(..self.tail.len() - TAIL);
            }
            rest = &rest[part.len() + usize::from(ends)..];
            if ends {
                self.end_line(done);
            }
        }
    }

    fn end_line(&mut self, done: &mut impl FnMut(&str, Option<i64>, usize)) {
        if self.tail.last() == Some(&b'\r') {
            self.tail.pop();
            self.line_len -= 1;
        }
        if self.line_len == 0 {
            // Blank line: the event ends (chunk framing and comments carry no name).
            if !self.event.is_empty() {
                done(&self.event, self.made_ms, self.bytes);
            }
            self.event.clear();
            self.made_ms = None;
            self.bytes = 0;
        } else if self.line_len <= TAIL && self.tail.starts_with(b"event: ") {
            self.event = String::from_utf8_lossy(&self.tail[7..]).into_owned();
        } else if let Some(t) = timestamp_in(&self.tail) {
            self.made_ms = Some(t);
        }
        self.tail.clear();
        self.line_len = 0;
    }
}

/// `…"timestamp":"2026-11-30T23:04:07.123Z"}` at the end of a data line. Searched as bytes:
/// the tail may begin inside a multi-byte character (the transcripts are Spanish).
fn timestamp_in(tail: &[u8]) -> Option<i64> {
    let key = b"\"timestamp\":\"";
    let p = memchr::memmem::rfind(tail, key)? + key.len();
    let rest = &tail[p..];
    let ts = std::str::from_utf8(&rest[..memchr::memchr(b'"', rest)?]).ok()?;
    chrono::DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|d| d.timestamp_millis())
}

/// Opens one viewer and reports every event until the stream ends or `batch-completed`.
fn set_opt(fd: i32, opt: libc::c_int, value: libc::c_int) {
    unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            opt,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as _,
        );
    }
}

/// `rcvbuf` > 0 fixes the socket's receive buffer (see the driver's `BENCH_RCVBUF`).
pub async fn run(
    viewer: usize,
    addr: String,
    path: String,
    rcvbuf: i32,
    tx: mpsc::UnboundedSender<Got>,
) {
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
    set_opt(fd, libc::SO_TIMESTAMP, on);
    if rcvbuf > 0 {
        set_opt(fd, libc::SO_RCVBUF, rcvbuf);
    }
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
    if s.write_all(req.as_bytes()).await.is_err() {
        return;
    }
    let mut scan = Scanner::default();
    let mut end = false;
    while !end {
        if s.readable().await.is_err() {
            return;
        }
        let got = s.try_io(Interest::READABLE, || {
            recv_stamped(fd, |bytes, stamp| {
                let recv_us = stamp.unwrap_or_else(|| chrono::Utc::now().timestamp_micros());
                scan.feed(bytes, |event, made_ms, n| {
                    end |= event == "batch-completed" || event == "refused";
                    let _ = tx.send(Got {
                        viewer,
                        event: event.to_string(),
                        made_ms,
                        recv_us,
                        bytes: n,
                    });
                });
            })
        });
        match got {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}
