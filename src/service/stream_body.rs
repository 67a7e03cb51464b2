//! One viewer's stream: the frames a connection is sent, from the batch's latest snapshot,
//! its error channel, the shared keep-alive clock and its own deadline. It holds no copy of
//! any event: every frame is the snapshot's shared `Bytes` (see `stream_frames`).

use axum::body::Bytes;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::state::StreamSlot;
use super::stream_frames as frames;
use crate::monitor::{PollError, Snapshot, Subscription};

/// What a viewer asked for and what it already holds.
pub enum Viewer {
    /// The seed's events: every change as the whole view.
    Full { sent_seq: Option<u64> },
    /// Only changes, against the last event id the viewer applied.
    Delta { applied: Option<u64>, ended: bool },
}

impl Viewer {
    fn is_delta(&self) -> bool {
        matches!(self, Viewer::Delta { .. })
    }

    /// The frame that brings this viewer to `s`, if it lacks it, its audio links under
    /// `base` (this service's public address) when there is one.
    fn frame_for(&mut self, s: &Snapshot, base: Option<&str>) -> Option<Bytes> {
        let (kind, frame) = self.relative_frame_for(s)?;
        Some(match base {
            Some(b) => super::public_url::frame(s, kind, b, frame),
            None => frame,
        })
    }

    /// [`Self::frame_for`] with relative links, and which kind of frame it is.
    fn relative_frame_for(&mut self, s: &Snapshot) -> Option<(&'static str, Bytes)> {
        match self {
            Viewer::Full { sent_seq } => {
                if *sent_seq == Some(s.seq) {
                    return None;
                }
                *sent_seq = Some(s.seq);
                Some(("full", frames::full(s)))
            }
            Viewer::Delta { applied, ended } => {
                let out = if *applied == Some(s.event_id) {
                    // Already holds it (a reconnect): only the end, once, if it is one.
                    (s.is_final && !*ended).then(|| ("notice", frames::completed_notice(s).into()))
                } else if applied.is_some() && *applied == s.prev_event_id {
                    Some(match frames::delta(s) {
                        Some(d) => ("delta", d),
                        None => ("resync", frames::resync(s)),
                    })
                } else {
                    Some(("resync", frames::resync(s)))
                };
                *applied = Some(s.event_id);
                *ended |= s.is_final;
                out
            }
        }
    }
}

/// Everything one open stream needs.
pub struct Open {
    pub batch_id: String,
    pub viewer: Viewer,
    pub sub: Subscription,
    /// Errors seen while the stream was being opened: sent first.
    pub early: Vec<PollError>,
    pub slot: StreamSlot,
    pub ticks: watch::Receiver<u64>,
    pub cancel: CancellationToken,
    pub timeout: Duration,
    /// This service's public address, for absolute audio links (see `public_url`).
    pub base: Option<String>,
}

/// The poller is gone: a final snapshot not yet sent goes out first; otherwise it stopped
/// for a reason that the error channel carries.
fn after_poller(viewer: &mut Viewer, sub: &mut Subscription, base: Option<&str>) -> Vec<Bytes> {
    let mut out = Vec::new();
    let last = sub.snapshots.borrow().clone();
    if let Some(s) = last {
        out.extend(viewer.frame_for(&s, base));
        if s.is_final {
            return out;
        }
    }
    while let Ok(e) = sub.errors.try_recv() {
        out.push(frames::error(e, viewer.is_delta()));
    }
    out
}

/// The stream of frames for one connection.
pub fn body(o: Open) -> impl futures::Stream<Item = Result<Bytes, Infallible>> + Send + 'static {
    let Open {
        batch_id,
        mut viewer,
        mut sub,
        early,
        slot,
        mut ticks,
        cancel,
        timeout,
        base,
    } = o;
    let minutes = timeout.as_secs().div_ceil(60);
    async_stream::stream! {
        let _slot = slot;
        yield Ok::<Bytes, Infallible>(frames::connected(&batch_id, viewer.is_delta()));
        for e in early {
            yield Ok(frames::error(e, viewer.is_delta()));
        }
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        ticks.borrow_and_update();
        let mut errors_open = true;
        loop {
            let current: Option<Arc<Snapshot>> = sub.snapshots.borrow_and_update().clone();
            if let Some(s) = current {
                if s.is_final {
                    // Why it stopped (circuit breaker, window close) goes out before the end.
                    while let Ok(e) = sub.errors.try_recv() {
                        yield Ok(frames::error(e, viewer.is_delta()));
                    }
                }
                if let Some(f) = viewer.frame_for(&s, base.as_deref()) {
                    yield Ok(f);
                }
                if s.is_final {
                    break;
                }
            }
            tokio::select! {
                changed = sub.snapshots.changed() => {
                    if changed.is_err() {
                        for f in after_poller(&mut viewer, &mut sub, base.as_deref()) {
                            yield Ok(f);
                        }
                        break;
                    }
                }
                err = sub.errors.recv(), if errors_open => {
                    match err {
                        Ok(e) => {
                            let fatal = e.fatal;
                            yield Ok(frames::error(e, viewer.is_delta()));
                            if fatal { break; }
                        }
                        Err(RecvError::Lagged(_)) => {}
                        Err(RecvError::Closed) => errors_open = false,
                    }
                }
                tick = ticks.changed() => {
                    if tick.is_err() {
                        break; // the service is shutting down
                    }
                    yield Ok(Bytes::from_static(frames::KEEPALIVE));
                }
                _ = &mut deadline => {
                    yield Ok(frames::timeout(minutes));
                    break;
                }
                _ = cancel.cancelled() => break,
            }
        }
    }
}
