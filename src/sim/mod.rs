//! `callboard sim`: an offline ElevenLabs twin. Same paths, methods, status codes and JSON
//! shapes as upstream for everything callboard uses; a seeded workspace; a deterministic
//! progression engine on a virtual clock (`speed` × real time); fault injection; request
//! counters. Tests, the service's tests and `callboard demo` run it in-process with `start`.

mod analysis;
mod batch;
mod engine;
mod faults;
mod ids;
mod options;
mod outcome;
mod recipient;
mod reply;
mod routes;
mod script;
pub mod scripted;
mod state;
mod transcript;
mod webhooks;
mod workspace;

pub use faults::FaultConfig;
pub use options::{SimOptions, WebhookTarget};

use bytes::Bytes;
use rand::SeedableRng;
use rand::rngs::SmallRng;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use state::{FaultState, SimState, lock};
use workspace::Workspace;

/// The sample recording served for every answered call (1 s of MP3 silence).
const SAMPLE_MP3: &[u8] = include_bytes!("../../assets/sim/sample.mp3");

/// A running simulator.
pub struct SimHandle {
    pub addr: SocketAddr,
    state: Arc<SimState>,
    stop: tokio_util::sync::CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

/// Binds `addr` (port 0 picks one) and serves until `shutdown`.
pub async fn start(opts: SimOptions, addr: SocketAddr) -> std::io::Result<SimHandle> {
    opts.validate()
        .map_err(|m| std::io::Error::new(std::io::ErrorKind::InvalidInput, m))?;
    let start_unix = opts
        .start_unix
        .unwrap_or_else(|| chrono::Utc::now().timestamp());
    let state = Arc::new(SimState {
        ws: Mutex::new(Workspace::seeded(opts.seed, start_unix)),
        faults: Mutex::new(FaultState {
            config: opts.faults.clone(),
            injected: 0,
            rng: SmallRng::seed_from_u64(opts.seed ^ 0xfa17),
        }),
        counters: Mutex::new(HashMap::new()),
        audio: Bytes::from_static(SAMPLE_MP3),
        started: Instant::now(),
        start_unix,
        webhooks_posted: Mutex::new(HashMap::new()),
        opts,
    });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = routes::router(state.clone());
    let stop = tokio_util::sync::CancellationToken::new();
    if let Some(target) = state.opts.webhooks.clone() {
        tokio::spawn(webhooks::run(state.clone(), target, stop.clone()));
    }
    let signal = stop.clone();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(signal.cancelled_owned());
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "sim: server stopped");
        }
    });
    Ok(SimHandle {
        addr,
        state,
        stop,
        task,
    })
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`, the base URL for the client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_faults(&self, f: FaultConfig) {
        let mut st = lock(&self.state.faults);
        st.config = f;
        st.injected = 0;
    }

    pub fn faults(&self) -> FaultConfig {
        lock(&self.state.faults).config.clone()
    }

    /// Requests received for `endpoint` (`"METHOD /route/{param}"`), faulted ones included.
    pub fn request_count(&self, endpoint: &str) -> u64 {
        lock(&self.state.counters)
            .get(endpoint)
            .copied()
            .unwrap_or(0)
    }

    pub fn counters(&self) -> BTreeMap<String, u64> {
        lock(&self.state.counters)
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    }

    /// Batches ever created (deleted ones included).
    pub fn batch_count(&self) -> usize {
        lock(&self.state.ws).batches.len()
    }

    /// Batches ever created with this `call_name`.
    pub fn batches_named(&self, name: &str) -> usize {
        lock(&self.state.ws)
            .batches
            .values()
            .filter(|b| b.name == name)
            .count()
    }

    /// "Agente Médico IA-Calls": uses only `{{name}}`, `{{especialidad}}`, `{{ciudad}}`.
    pub fn first_agent_id(&self) -> String {
        lock(&self.state.ws)
            .agents
            .keys()
            .next()
            .cloned()
            .unwrap_or_default()
    }

    pub fn agent_ids(&self) -> Vec<String> {
        lock(&self.state.ws).agents.keys().cloned().collect()
    }

    /// Twilio first, then the SIP trunk.
    pub fn phone_number_ids(&self) -> Vec<String> {
        lock(&self.state.ws)
            .phones
            .iter()
            .filter_map(|p| p["phone_number_id"].as_str().map(str::to_string))
            .collect()
    }

    /// From now on, posts each call's webhook to `target` (for a service started after
    /// the simulator, as `callboard demo` does). Call once; `SimOptions::webhooks` does it
    /// at the start.
    pub fn send_webhooks(&self, target: WebhookTarget) {
        tokio::spawn(webhooks::run(self.state.clone(), target, self.stop.clone()));
    }

    /// When the webhook of each conversation was posted (real time), dropped ones aside.
    pub fn webhooks_posted(&self) -> HashMap<String, Instant> {
        lock(&self.state.webhooks_posted).clone()
    }

    /// When (real time) a conversation's analysis is done upstream: the moment a
    /// transcript can first be read, and its webhook is due. None: no such call (yet).
    pub fn conversation_done_at(&self, conversation_id: &str) -> Option<Instant> {
        let ws = lock(&self.state.ws);
        let (batch_id, ri, ai) = ws.conversations.get(conversation_id)?;
        let a = ws
            .batches
            .get(batch_id)?
            .recipients
            .get(*ri)?
            .attempts
            .get(*ai)?;
        let virtual_secs = (a.end_at + script::PROCESSING_SECS - self.state.start_unix) as f64;
        Some(
            self.state.started
                + std::time::Duration::from_secs_f64(virtual_secs.max(0.0) / self.state.opts.speed),
        )
    }

    /// The simulator's virtual clock, Unix seconds.
    pub fn now_unix(&self) -> i64 {
        self.state.now()
    }

    /// The virtual clock as a function, for a service and a dashboard that must keep the
    /// simulator's time (`callboard demo`).
    pub fn clock(&self) -> impl Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync + 'static {
        let state = self.state.clone();
        move || {
            let virtual_ms = state.started.elapsed().as_secs_f64() * state.opts.speed * 1000.0;
            chrono::DateTime::from_timestamp(state.start_unix, 0).unwrap_or_default()
                + chrono::Duration::milliseconds(virtual_ms as i64)
        }
    }

    pub async fn shutdown(self) {
        self.stop.cancel();
        let abort = self.task.abort_handle();
        if tokio::time::timeout(std::time::Duration::from_secs(3), self.task)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}
