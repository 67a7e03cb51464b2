//! `callboard serve`: the seed's batch-calling API over axum, with a live hub that polls
//! each active batch once for every viewer, enrichment cached in the store, SSE, auth and
//! a small web page. `start` runs it (the `serve`, `demo` and `tui --direct` faces, tests).

mod audit_log;
pub mod auth;
mod batch_list;
mod batches;
mod calls;
pub mod demo;
pub mod error;
mod group_checks;
mod group_setup;
mod group_views;
mod groups;
pub mod limits;
mod listen;
mod meta;
mod optouts;
pub mod origin_guard;
pub mod ownership;
mod panic_layer;
mod prepare;
mod public_url;
mod reports;
mod respond;
mod rules;
pub mod settings;
mod sse_conn;
mod sse_sendfile;
mod sse_ticker;
pub mod state;
mod stream;
mod stream_body;
mod stream_frames;
mod token_expiry;
mod tokens;
mod upstream;
mod users;
mod webhooks;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::net::SocketAddr;
use std::time::Duration;
use thiserror::Error;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use error::ApiError;
pub use settings::{DEFAULT_WEBHOOK_PATH, ServiceOptions, ServiceSettings, WebhookSettings};
pub use sse_conn::LINGER_MIN;
pub use state::AppState;

use crate::elevenlabs::ElevenLabsClient;
use crate::monitor::{Hub, HubConfig};
use crate::secret::Secret;
use crate::store::{Store, StoreError};

/// How to run the service, beyond its settings (`ServiceOptions`).
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Overrides `cfg.service.addr`; port 0 picks a free port.
    pub addr: Option<SocketAddr>,
    /// Accept requests without a token (refused unless the address is loopback).
    pub no_auth: bool,
    /// Load the demo workspace (user 19, group 55 "Médicos Test", two more groups).
    pub demo_data: bool,
    /// The clock calling windows are judged by; None = the system's (tests set it).
    pub clock: Option<crate::monitor::Clock>,
}

#[derive(Debug, Error)]
pub enum ServiceError {
    #[error("--no-auth is only allowed on a loopback address (127.0.0.1 or ::1), not {0}")]
    NoAuthNotLoopback(SocketAddr),
    #[error(
        "el token de administrador (CALLBOARD_ADMIN_TOKEN / service.admin_token) debe tener al menos {min} caracteres; tiene {len}. Genere uno con, p. ej., `openssl rand -hex 32`"
    )]
    AdminTokenTooShort { min: usize, len: usize },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("demo data: {0}")]
    Demo(String),
}

/// A running service.
pub struct ServiceHandle {
    /// Where it listens (the real port when 0 was asked).
    pub addr: SocketAddr,
    /// The demo user's token, when `--demo-data` created the user just now.
    pub demo_token: Option<Secret>,
    state: AppState,
    cancel: CancellationToken,
    server: JoinHandle<()>,
}

impl ServiceHandle {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting, ends every SSE stream and poller, and waits (a few seconds at most)
    /// for requests in flight.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        let abort = self.server.abort_handle();
        if tokio::time::timeout(Duration::from_secs(5), self.server)
            .await
            .is_err()
        {
            tracing::warn!("the server did not stop in time; aborting it");
            abort.abort();
        }
    }
}

/// Opens the store, binds, and serves until `shutdown`.
pub async fn start(cfg: ServiceOptions, opts: ServeOptions) -> Result<ServiceHandle, ServiceError> {
    let addr = opts.addr.unwrap_or(cfg.service.addr);
    if opts.no_auth && !addr.ip().is_loopback() {
        return Err(ServiceError::NoAuthNotLoopback(addr));
    }
    if let Some(t) = &cfg.service.admin_token {
        let len = t.expose().trim().chars().count();
        if len < tokens::MIN_ADMIN_TOKEN_CHARS {
            return Err(ServiceError::AdminTokenTooShort {
                min: tokens::MIN_ADMIN_TOKEN_CHARS,
                len,
            });
        }
    }
    let store = Store::open_at(&cfg.store).await?;
    let cancel = CancellationToken::new();
    let hub = hub(&cfg, &opts, &store, &cancel);
    let demo_token = match opts.demo_data {
        true => load_demo(&store, &cfg, hub.as_ref()).await?,
        false => None,
    };
    if let Some(h) = &hub {
        h.resume();
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServiceError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| ServiceError::Bind { addr, source })?;
    let clock = opts.clock.clone().unwrap_or_default();
    let limits = listen::ConnLimits::from_settings(&cfg.service);
    let state = AppState::new(cfg, store, opts.no_auth, cancel.clone(), hub, clock);
    let app = router(state.clone());
    let server = tokio::spawn(listen::serve(listener, app, limits, cancel.clone()));
    tracing::info!(%addr, "service listening");
    Ok(ServiceHandle {
        addr,
        demo_token,
        state,
        cancel,
        server,
    })
}

/// The live hub, when an ElevenLabs key is configured (without one, the call routes
/// answer 503 and say so).
fn hub(
    cfg: &ServiceOptions,
    opts: &ServeOptions,
    store: &Store,
    cancel: &CancellationToken,
) -> Option<Hub> {
    match ElevenLabsClient::new(&cfg.elevenlabs) {
        Ok(client) => Some(Hub::new(
            client,
            store.clone(),
            HubConfig {
                breaker: cfg.campaign.breaker.clone(),
                rules: cfg.campaign.rules.clone(),
                timezone: cfg.timezone,
                clock: opts.clock.clone().unwrap_or_default(),
                webhooks: cfg.webhooks.pace(),
                ..HubConfig::polling(cfg.service.poll_interval_ms, cfg.service.enrich_concurrency)
            },
            cancel.child_token(),
        )),
        Err(e) => {
            tracing::warn!(error = %e, "no ElevenLabs client: the call routes will answer 503");
            None
        }
    }
}

/// The demo workspace (`--demo-data`): user 19 calls with the first agent of the
/// configured workspace. Returns the demo user's token when it was created just now.
async fn load_demo(
    store: &Store,
    cfg: &ServiceOptions,
    hub: Option<&Hub>,
) -> Result<Option<Secret>, ServiceError> {
    let agent = match hub {
        Some(h) => h
            .client()
            .list_agents()
            .await
            .map_err(|e| {
                ServiceError::Demo(format!(
                    "no se pudieron leer los agentes de ElevenLabs: {e}"
                ))
            })?
            .into_iter()
            .next()
            .map(|a| a.agent_id),
        None => None,
    };
    let loaded = demo::load(store, &cfg.data_dir, cfg.region, agent.as_deref())
        .await
        .map_err(|e| ServiceError::Demo(e.to_string()))?;
    Ok(loaded.user_token)
}

/// Every route, the body limits, the envelope fallbacks, and around them the origin
/// guard, the panic catcher and request ids (outermost).
pub fn router(state: AppState) -> Router {
    let limit = state.cfg().service.json_body_limit_bytes;
    Router::new()
        .merge(meta::routes())
        .merge(groups::routes())
        .merge(users::routes())
        .merge(tokens::routes())
        .merge(calls::routes())
        .merge(prepare::routes())
        .merge(batches::routes())
        .merge(stream::routes())
        .merge(upstream::routes())
        .merge(optouts::routes())
        .merge(reports::routes())
        .merge(rules::routes())
        .merge(webhooks::routes(&state))
        .fallback(error::not_found_route)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            origin_guard::guard,
        ))
        .layer(panic_layer::catch_panic())
        .layer(axum::middleware::from_fn(panic_layer::request_id))
        .with_state(state)
}
