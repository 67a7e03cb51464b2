//! What every handler shares: settings, the use cases (`campaign::Campaign`, which holds
//! the store, the ElevenLabs client, the live hub and the clock), the shutdown token and
//! the small per-process bookkeeping (open streams).

use crate::api::ErrorCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

use super::error::ApiError;
use super::settings::ServiceOptions;
use crate::campaign::{Campaign, CampaignSettings};
use crate::domain::UserId;
use crate::elevenlabs::ElevenLabsClient;
use crate::monitor::Hub;
use crate::secret::Secret;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    cfg: ServiceOptions,
    campaign: Campaign,
    no_auth: bool,
    cancel: CancellationToken,
    /// Open SSE streams per caller (user id or admin), for `max_streams_per_token`.
    streams: Mutex<HashMap<String, usize>>,
    /// The streams' shared keep-alive clock, started with the first stream.
    sse_ticks: std::sync::OnceLock<tokio::sync::watch::Receiver<u64>>,
    /// Webhook signatures already accepted (a replay is refused).
    webhook_replays: crate::elevenlabs::webhook_sig::ReplayGuard,
}

impl AppState {
    pub fn new(
        cfg: ServiceOptions,
        store: Store,
        no_auth: bool,
        cancel: CancellationToken,
        hub: Option<Hub>,
        clock: crate::monitor::Clock,
    ) -> Self {
        let settings = CampaignSettings {
            timezone: cfg.timezone,
            region: cfg.region,
            other_countries: cfg.other_countries,
            rules: cfg.campaign.clone(),
        };
        Self(Arc::new(Inner {
            campaign: Campaign::new(settings, store, hub, clock),
            cfg,
            no_auth,
            cancel,
            streams: Mutex::new(HashMap::new()),
            sse_ticks: std::sync::OnceLock::new(),
            webhook_replays: Default::default(),
        }))
    }

    /// The keep-alive clock every open stream shares (see `sse_ticker`).
    pub fn sse_ticks(&self) -> tokio::sync::watch::Receiver<u64> {
        self.0
            .sse_ticks
            .get_or_init(|| {
                let every =
                    std::time::Duration::from_secs(self.0.cfg.service.keepalive_secs.max(1));
                super::sse_ticker::start(every, self.0.cancel.clone())
            })
            .clone()
    }

    /// The use cases: call start, retry, cancel, resume.
    pub fn campaign(&self) -> &Campaign {
        &self.0.campaign
    }

    /// Webhook signatures already accepted.
    pub fn webhook_replays(&self) -> &crate::elevenlabs::webhook_sig::ReplayGuard {
        &self.0.webhook_replays
    }

    /// Now, by the service's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.campaign.now()
    }

    pub fn cfg(&self) -> &ServiceOptions {
        &self.0.cfg
    }

    pub fn store(&self) -> &Store {
        self.0.campaign.store()
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

    /// Counts one more open stream for `key` (a caller; None with `--no-auth`), or
    /// refuses when that caller's limit or the service's total is reached. The returned
    /// guard gives the slot back when the stream ends, however it ends.
    pub fn open_stream(&self, key: Option<String>) -> Result<StreamSlot, ApiError> {
        let svc = &self.0.cfg.service;
        let (max, total_max) = (svc.max_streams_per_token, svc.max_streams_total);
        let mut streams = self.0.streams.lock().unwrap_or_else(|p| p.into_inner());
        let total = streams.get(TOTAL).copied().unwrap_or(0);
        if total >= total_max {
            return Err(ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::TooManyStreamsTotal,
                format!(
                    "El servicio tiene el máximo de conexiones de monitoreo abiertas ({total_max}); inténtelo más tarde"
                ),
            ));
        }
        if let Some(k) = &key
            && streams.get(k).copied().unwrap_or(0) >= max
        {
            return Err(ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManyStreams,
                format!(
                    "Demasiadas conexiones de monitoreo abiertas con este token (máximo {max}); cierre alguna pestaña"
                ),
            ));
        }
        *streams.entry(TOTAL.to_string()).or_default() += 1;
        if let Some(k) = &key {
            *streams.entry(k.clone()).or_default() += 1;
        }
        Ok(StreamSlot {
            state: self.clone(),
            key,
        })
    }
}

/// The key under which `streams` counts every open stream (no caller's key is empty).
const TOTAL: &str = "";

/// One open stream of one caller; dropping it frees the slot.
pub struct StreamSlot {
    state: AppState,
    key: Option<String>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut streams = self
            .state
            .0
            .streams
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for k in [Some(TOTAL), self.key.as_deref()].into_iter().flatten() {
            if let Some(n) = streams.get_mut(k) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    streams.remove(k);
                }
            }
        }
    }
}

impl AppState {
    /// Whether an ElevenLabs client could be built (a key is configured).
    pub fn upstream_configured(&self) -> bool {
        self.0.campaign.upstream_configured()
    }

    pub fn hub(&self) -> Result<&Hub, ApiError> {
        self.0.campaign.hub()
    }

    pub fn client(&self) -> Result<&ElevenLabsClient, ApiError> {
        self.0.campaign.client()
    }

    /// The owner of a batch we submitted: its group's owner. None for a batch started
    /// outside callboard or a group without owner (both the admin's only).
    pub async fn batch_owner(&self, batch_id: &str) -> Result<Option<UserId>, ApiError> {
        self.0.campaign.batch_owner(batch_id).await
    }

    /// How many batches' groups are cached (tests check the bound).
    pub fn batch_group_cache_len(&self) -> usize {
        self.0.campaign.batch_group_cache_len()
    }
}
