//! What every handler shares: settings, the store, the ElevenLabs client, the live hub,
//! the shutdown token and the small per-process bookkeeping (open streams, group locks).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

use super::error::ApiError;
use crate::config::Config;
use crate::domain::{GroupId, UserId};
use crate::elevenlabs::ElevenLabsClient;
use crate::monitor::Hub;
use crate::secret::Secret;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    cfg: Config,
    store: Store,
    no_auth: bool,
    cancel: CancellationToken,
    /// None when no ElevenLabs key is configured: upstream routes then say so.
    hub: Option<Hub>,
    /// Open SSE streams per caller (user id or admin), for `max_streams_per_token`.
    streams: Mutex<HashMap<String, usize>>,
    /// One lock per group so two simultaneous "call" requests cannot both pass the
    /// active-batch check and dial the same people twice.
    group_locks: Mutex<HashMap<GroupId, Arc<tokio::sync::Mutex<()>>>>,
    /// Who started each batch (owners never change once recorded).
    owners: Mutex<HashMap<String, UserId>>,
    /// What time calling windows are judged at (the system's, except in tests).
    clock: crate::monitor::Clock,
}

impl AppState {
    pub fn new(
        cfg: Config,
        store: Store,
        no_auth: bool,
        cancel: CancellationToken,
        hub: Option<Hub>,
        clock: crate::monitor::Clock,
    ) -> Self {
        Self(Arc::new(Inner {
            cfg,
            store,
            no_auth,
            cancel,
            hub,
            streams: Mutex::new(HashMap::new()),
            group_locks: Mutex::new(HashMap::new()),
            owners: Mutex::new(HashMap::new()),
            clock,
        }))
    }

    /// Now, by the service's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.clock.now()
    }

    pub fn cfg(&self) -> &Config {
        &self.0.cfg
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn no_auth(&self) -> bool {
        self.0.no_auth
    }

    pub fn admin_token(&self) -> Option<&Secret> {
        self.0.cfg.service.admin_token.as_ref()
    }

    /// Cancelled when the service shuts down: every stream ends on it.
    pub fn cancel(&self) -> &CancellationToken {
        &self.0.cancel
    }

    pub fn group_lock(&self, group: GroupId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.0.group_locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry(group).or_default().clone()
    }

    /// Counts one more open stream for `key`, or refuses when the limit is reached. The
    /// returned guard gives the slot back when the stream ends, however it ends.
    pub fn open_stream(&self, key: Option<String>) -> Result<StreamSlot, ApiError> {
        let Some(key) = key else {
            return Ok(StreamSlot {
                state: None,
                key: String::new(),
            });
        };
        let max = self.0.cfg.service.max_streams_per_token;
        let mut streams = self.0.streams.lock().unwrap_or_else(|p| p.into_inner());
        let n = streams.entry(key.clone()).or_default();
        if *n >= max {
            return Err(ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "too_many_streams",
                format!(
                    "Demasiadas conexiones de monitoreo abiertas con este token (máximo {max}); cierre alguna pestaña"
                ),
            ));
        }
        *n += 1;
        Ok(StreamSlot {
            state: Some(self.clone()),
            key,
        })
    }
}

/// One open stream of one caller; dropping it frees the slot.
pub struct StreamSlot {
    state: Option<AppState>,
    key: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        if let Some(state) = &self.state {
            let mut streams = state.0.streams.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(n) = streams.get_mut(&self.key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    streams.remove(&self.key);
                }
            }
        }
    }
}

impl AppState {
    /// Whether an ElevenLabs client could be built (a key is configured).
    pub fn upstream_configured(&self) -> bool {
        self.0.hub.is_some()
    }

    pub fn hub(&self) -> Result<&Hub, ApiError> {
        self.0.hub.as_ref().ok_or_else(ApiError::upstream_missing)
    }

    pub fn client(&self) -> Result<&ElevenLabsClient, ApiError> {
        self.hub().map(Hub::client)
    }
}

impl AppState {
    /// The user who started a batch through callboard, if any.
    pub fn batch_owner(&self, batch_id: &str) -> Result<Option<UserId>, ApiError> {
        if let Some(o) = self
            .0
            .owners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(batch_id)
        {
            return Ok(Some(*o));
        }
        let owner = self.0.store.batch(batch_id)?.map(|r| r.user_id);
        if let Some(o) = owner {
            self.0
                .owners
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(batch_id.to_string(), o);
        }
        Ok(owner)
    }
}
