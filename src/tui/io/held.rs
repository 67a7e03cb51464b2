//! What the dashboard's stream has applied so far: the batch's whole view and the id of the
//! last event it came from. The dashboard asks the service for delta events (`?view=delta`,
//! see `api::delta`): the whole view once, then only the recipients that changed; on a
//! reconnect it sends that id back and gets only what it missed. A service that ignores
//! the question (an older one) sends the seed's full events, which work just as well.

use crate::api::{BatchCompletedEvent, BatchStatusView, StatusDeltaEvent, StatusUpdateEvent};

/// The stream's state, kept across reconnections.
#[derive(Debug, Default)]
pub struct Held {
    view: Option<BatchStatusView>,
    last_id: Option<String>,
}

/// What an event means for the dashboard.
#[derive(Debug)]
pub enum Applied {
    /// The batch's state now.
    View(BatchStatusView),
    /// The batch ended; with its last state when the event carried one.
    Completed(Option<BatchStatusView>),
    /// A change that does not fit what is held: ask for the whole view again.
    Resync,
    /// Unreadable (logged).
    Ignored,
}

impl Held {
    /// The id to send as `Last-Event-ID` when reconnecting.
    pub fn last_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// Forget everything: the next stream starts with the whole view.
    pub fn clear(&mut self) {
        *self = Held::default();
    }

    fn keep(&mut self, id: &str, view: &BatchStatusView) {
        self.view = Some(view.clone());
        self.last_id = Some(id.to_string()).filter(|i| !i.is_empty());
    }

    /// `status-update`: the whole view.
    pub fn update(&mut self, id: &str, data: &str) -> Applied {
        match serde_json::from_str::<StatusUpdateEvent>(data) {
            Ok(ev) => {
                self.keep(id, &ev.data);
                Applied::View(ev.data)
            }
            Err(e) => {
                tracing::warn!("unreadable status-update: {e}");
                Applied::Ignored
            }
        }
    }

    /// `status-delta`: what changed since the event we hold.
    pub fn delta(&mut self, id: &str, data: &str) -> Applied {
        let ev = match serde_json::from_str::<StatusDeltaEvent>(data) {
            Ok(ev) => ev,
            Err(e) => {
                tracing::warn!("unreadable status-delta: {e}");
                self.clear();
                return Applied::Resync;
            }
        };
        let last = self.last_id.take();
        let applied = match self.view.as_mut() {
            Some(view) => ev.apply(last.as_deref(), view).then(|| view.clone()),
            None => None,
        };
        match applied {
            Some(now) => {
                self.last_id = Some(id.to_string()).filter(|i| !i.is_empty());
                Applied::View(now)
            }
            None => {
                tracing::info!("a delta that does not fit what the dashboard holds: resync");
                self.clear();
                Applied::Resync
            }
        }
    }

    /// `batch-completed`: with the view (the seed's event) or without (delta viewers).
    pub fn completed(&mut self, id: &str, data: &str) -> Applied {
        match serde_json::from_str::<BatchCompletedEvent>(data) {
            Ok(ev) => {
                self.keep(id, &ev.data);
                Applied::Completed(Some(ev.data))
            }
            Err(_) => Applied::Completed(None),
        }
    }
}
