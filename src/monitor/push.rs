//! What ElevenLabs' post-call webhooks tell the hub: a `CallNote` per finished call (which
//! batch and recipient when known, how it ended), the notes a batch's poller has not seen
//! confirmed by a poll yet (`Overrides`, applied to each poll's detail so a webhook's news
//! never flickers back), and when the last webhook came (`PushState`, which stretches the
//! poll interval while they arrive).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::domain::RecipientStatus;
use crate::elevenlabs::BatchCallDetailedResponse;

/// How a call ended, as its webhook says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEnd {
    /// `post_call_transcription`: the call was answered (by a person, or a machine).
    Answered { voicemail: bool },
    /// `call_initiation_failure`: it never connected.
    NotConnected,
}

impl CallEnd {
    fn status(&self) -> RecipientStatus {
        match self {
            CallEnd::Answered { voicemail: false } => RecipientStatus::Completed,
            CallEnd::Answered { voicemail: true } => RecipientStatus::Voicemail,
            CallEnd::NotConnected => RecipientStatus::Failed,
        }
    }
}

/// One webhook's news about one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallNote {
    /// From the conversation's `metadata.batch_call` (transcriptions carry it; initiation
    /// failures do not, and are offered to every watched batch).
    pub batch_id: Option<String>,
    pub recipient_id: Option<String>,
    pub conversation_id: String,
    /// The dialled number (initiation failures), to find a recipient whose conversation
    /// the poller has not seen yet.
    pub phone: Option<String>,
    pub end: CallEnd,
    /// The event's timestamp (Unix seconds).
    pub at_unix: i64,
}

/// Notes a poller holds until a poll shows the same end.
#[derive(Debug, Default)]
pub struct Overrides {
    notes: Vec<CallNote>,
}

impl Overrides {
    pub fn add(&mut self, notes: Vec<CallNote>) {
        self.notes.extend(notes);
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.notes.is_empty()
    }

    /// Writes the notes into `detail`: a recipient upstream still shows as live takes the
    /// webhook's end (and conversation); a note whose recipient upstream already shows as
    /// ended, or that is not about this batch, is dropped. True when a recipient changed.
    pub fn apply(&mut self, detail: &mut BatchCallDetailedResponse) -> bool {
        let mut changed = false;
        self.notes.retain(|n| {
            let found = detail.recipients.iter_mut().find(|r| {
                let same_call = r
                    .conversation_id
                    .as_deref()
                    .is_none_or(|c| c == n.conversation_id);
                // A recipient dialled again since (a retry round) is another call.
                (same_call && n.recipient_id.as_deref().is_some_and(|id| id == r.id))
                    || r.conversation_id.as_deref() == Some(n.conversation_id.as_str())
                    || (!r.status.is_final()
                        && r.conversation_id.is_none()
                        && n.phone.is_some()
                        && r.phone_number == n.phone)
            });
            let Some(r) = found else {
                return false;
            };
            if r.status.is_final() {
                return false;
            }
            r.status = n.end.status();
            r.conversation_id = Some(n.conversation_id.clone());
            r.updated_at_unix = r.updated_at_unix.max(n.at_unix);
            changed = true;
            true
        });
        changed
    }
}

/// When the last webhook came, for the whole hub.
#[derive(Debug)]
pub struct PushState {
    epoch: Instant,
    /// Milliseconds after `epoch` of the last webhook; 0 = none yet.
    last_ms: AtomicU64,
    /// Webhooks handed to the hub (for tests and benches).
    pub received: AtomicU64,
}

impl Default for PushState {
    fn default() -> Self {
        Self {
            epoch: Instant::now(),
            last_ms: AtomicU64::new(0),
            received: AtomicU64::new(0),
        }
    }
}

impl PushState {
    pub fn touch(&self) {
        let ms = self.epoch.elapsed().as_millis().max(1) as u64;
        self.last_ms.store(ms, Ordering::Relaxed);
        self.received.fetch_add(1, Ordering::Relaxed);
    }

    /// A webhook came within `within`.
    pub fn recent(&self, within: Duration) -> bool {
        let last = self.last_ms.load(Ordering::Relaxed);
        last > 0 && self.epoch.elapsed().as_millis() as u64 <= last + within.as_millis() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail() -> BatchCallDetailedResponse {
        serde_json::from_value(serde_json::json!({
            "id": "btcal_1", "name": "n", "agent_id": "a", "status": "in_progress",
            "created_at_unix": 1, "scheduled_time_unix": 1, "last_updated_at_unix": 1,
            "recipients": [
                {"id": "r1", "phone_number": "+1", "status": "in_progress", "conversation_id": "c1"},
                {"id": "r2", "phone_number": "+2", "status": "pending"},
                {"id": "r3", "phone_number": "+3", "status": "completed", "conversation_id": "c3"}
            ]
        }))
        .unwrap()
    }

    fn note(rid: Option<&str>, cid: &str, phone: Option<&str>, end: CallEnd) -> CallNote {
        CallNote {
            batch_id: Some("btcal_1".into()),
            recipient_id: rid.map(str::to_string),
            conversation_id: cid.into(),
            phone: phone.map(str::to_string),
            end,
            at_unix: 50,
        }
    }

    #[test]
    fn notes_end_live_recipients_and_go_once_upstream_agrees() {
        let mut o = Overrides::default();
        o.add(vec![
            note(
                Some("r1"),
                "c1",
                None,
                CallEnd::Answered { voicemail: false },
            ),
            note(None, "c2", Some("+2"), CallEnd::NotConnected),
            note(
                Some("r3"),
                "c3",
                None,
                CallEnd::Answered { voicemail: true },
            ),
            note(None, "elsewhere", Some("+9"), CallEnd::NotConnected),
        ]);
        let mut d = detail();
        assert!(o.apply(&mut d));
        let s: Vec<_> = d.recipients.iter().map(|r| r.status.clone()).collect();
        use RecipientStatus::*;
        assert_eq!(s, vec![Completed, Failed, Completed]);
        assert_eq!(d.recipients[1].conversation_id.as_deref(), Some("c2"));
        // Kept until a poll shows the same end: a fresh (older) detail gets them again.
        let mut again = detail();
        assert!(o.apply(&mut again));
        // Upstream caught up: nothing left to apply.
        assert!(!o.apply(&mut d));
        assert!(o.is_empty());
    }
}
