//! Large SSE frames leave through `sendfile` from a memory file instead of `write`. A full
//! viewer's frame is the whole view (tens of kB; the last state twice, ~143 kB), sent to
//! every viewer: written with `write`, the kernel copies it from this process once per
//! viewer (715 MB for 5,000 viewers of the last state of a 64-recipient batch), which is
//! most of what the service spends on that update. The frame is copied once into a memory
//! file (`memfd`), and every viewer's socket gets references to its pages (`sendfile`); the
//! bytes on the wire are the same. Frames are found again by identity: one frame is one
//! shared `Bytes` (see `stream_frames`), so its address and length name it while the cache
//! holds it, which is for a few seconds, within a bound of files and bytes. Small frames,
//! frames past that bound, and systems without `memfd` take the plain `write`.

use axum::body::Bytes;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Frames shorter than this are written as usual (a delta, a keep-alive, an error).
pub const MIN_LEN: usize = 16 * 1024;

/// Writes `frame` whole to `stream`.
pub async fn send(stream: &mut TcpStream, frame: &Bytes) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    if frame.len() >= MIN_LEN
        && let Some(file) = linux::file_for(frame)
    {
        return linux::send(stream, &file, frame.len()).await;
    }
    stream.write_all(frame).await
}

#[cfg(target_os = "linux")]
mod linux {
    use axum::body::Bytes;
    use std::io::Write;
    use std::os::fd::{AsFd, OwnedFd};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    use tokio::io::Interest;
    use tokio::net::TcpStream;

    /// How long a frame keeps its file: its fan-out to every viewer is long done by then
    /// (a viewer that comes later makes another).
    const KEEP_FOR: Duration = Duration::from_secs(10);
    /// At most this many files, and this many bytes in all (each holds a frame alive as
    /// well). Past either, frames are written as usual: a busy service with many large
    /// batches neither grows nor thrashes the cache.
    const MAX_FILES: usize = 32;
    pub(super) const MAX_BYTES: usize = 16 << 20;

    struct Entry {
        /// Held so that no other frame can take this address while the entry lives.
        frame: Bytes,
        file: Arc<OwnedFd>,
        made: Instant,
    }

    static FILES: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

    /// The memory file holding `frame`, made by the first viewer to send it; None when the
    /// cache is full (or no memory file can be made).
    pub fn file_for(frame: &Bytes) -> Option<Arc<OwnedFd>> {
        let mut files = FILES.lock().unwrap_or_else(|p| p.into_inner());
        let same = |e: &&Entry| e.frame.as_ptr() == frame.as_ptr() && e.frame.len() == frame.len();
        if let Some(e) = files.iter().find(same) {
            return Some(e.file.clone());
        }
        files.retain(|e| e.made.elapsed() < KEEP_FOR);
        let held: usize = files.iter().map(|e| e.frame.len()).sum();
        if files.len() >= MAX_FILES || held + frame.len() > MAX_BYTES {
            return None;
        }
        let fd = rustix::fs::memfd_create("callboard-sse", rustix::fs::MemfdFlags::CLOEXEC).ok()?;
        let mut f = std::fs::File::from(fd);
        f.write_all(frame).ok()?;
        let file = Arc::new(OwnedFd::from(f));
        files.push(Entry {
            frame: frame.clone(),
            file: file.clone(),
            made: Instant::now(),
        });
        Some(file)
    }

    /// The file's first `len` bytes to the socket, as it takes them.
    pub async fn send(stream: &TcpStream, file: &OwnedFd, len: usize) -> std::io::Result<()> {
        let mut offset = 0u64;
        while (offset as usize) < len {
            stream.writable().await?;
            let sent = stream.try_io(Interest::WRITABLE, || {
                let left = len - offset as usize;
                rustix::fs::sendfile(stream.as_fd(), file.as_fd(), Some(&mut offset), left)
                    .map_err(std::io::Error::from)
            });
            match sent {
                Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn frames_arrive_byte_for_byte_large_ones_through_one_shared_file() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Larger than a socket takes at once: the send waits for the reader and resumes.
        let large = Bytes::from(
            (0..3_000_000u32)
                .map(|i| (i % 251) as u8)
                .collect::<Vec<_>>(),
        );
        let small = Bytes::from_static(b": keep-alive\n\n");
        let reader = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut got = Vec::new();
            s.read_to_end(&mut got).await.unwrap();
            got
        });
        let mut out = TcpStream::connect(addr).await.unwrap();
        for f in [&large, &small, &large] {
            send(&mut out, f).await.unwrap();
        }
        drop(out);
        let got = reader.await.unwrap();
        assert!(
            got == [&large[..], &small[..], &large[..]].concat(),
            "same bytes, same order"
        );
        #[cfg(target_os = "linux")]
        {
            let (a, b) = (linux::file_for(&large), linux::file_for(&large));
            assert!(
                a.is_some_and(|a| b.is_some_and(|b| std::sync::Arc::ptr_eq(&a, &b))),
                "one file per frame"
            );
        }
    }
}
