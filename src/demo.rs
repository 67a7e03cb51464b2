//! `callboard demo`: the simulator, the service and the dashboard in one process on
//! loopback ports, with the demo workspace and one batch already running, so the screen
//! is live at once. Nothing leaves the machine and nothing is kept: the store lives in a
//! temporary directory removed on exit.

use color_eyre::eyre::{Result, WrapErr, eyre};
use std::net::{Ipv4Addr, SocketAddr};

use crate::api::{Envelope, GroupSummary, StartCallData, StartCallRequest};
use crate::cli::DemoArgs;
use crate::config::Config;
use crate::secret::Secret;
use crate::service::{self, ServeOptions};
use crate::sim::{self, SimOptions};
use crate::tui::{self, TuiOptions};

/// The key the in-process simulator accepts (it is not an ElevenLabs key).
const DEMO_KEY: &str = "demo-key-local-only";
/// The group whose batch is running when the screen opens; "Médicos Test" is left for
/// the user's first call. The demo creates it through the API, as a supervisor would.
const LIVE_GROUP: &str = "Seguimiento Cardiología";

/// Its clients: names and phones in the formats people type.
const LIVE_CLIENTS: &[(&str, &str)] = &[
    ("Carmen Ospina", "3015550101"),
    ("Julián Restrepo", "301-555-0102"),
    ("Valentina Castaño", "(301) 555-0103"),
    ("Mateo Villegas", "57 301 555 0104"),
    ("Isabella Arango", "+573015550105"),
    ("Santiago Quintero", "3015550106"),
    ("Daniela Londoño", "3015550107"),
    ("Samuel Betancur", "3015550108"),
    ("Mariana Zapata", "3015550109"),
    ("Tomás Echeverri", "3015550110"),
];

/// Everything the demo started, to look at and to stop.
pub struct Demo {
    pub sim: sim::SimHandle,
    pub service: service::ServiceHandle,
    pub token: Secret,
    pub live_batch: String,
    _dir: tempfile::TempDir,
}

impl Demo {
    /// Starts simulator and service with demo data and the first batch.
    pub async fn start(cfg: &Config, args: &DemoArgs) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("callboard-demo-")
            .tempdir()
            .wrap_err("no se pudo crear el directorio temporal de la demo")?;
        let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let sim = sim::start(
            SimOptions {
                seed: args.seed,
                speed: args.speed,
                api_key: Some(DEMO_KEY.to_string()),
                // Three lines at once: the first batch stays live for a while.
                concurrency: 3,
                ..SimOptions::default()
            },
            loopback,
        )
        .await
        .wrap_err("no se pudo iniciar el simulador")?;
        let mut scfg = cfg.clone();
        scfg.data_dir = dir.path().join("data");
        scfg.elevenlabs.base_url = sim.url();
        scfg.elevenlabs.api_key = Some(Secret::new(DEMO_KEY));
        scfg.service.poll_interval_ms = 1000;
        // The simulator phones nobody: calling windows would only keep the demo idle at night.
        scfg.campaign.rules = None;
        let service = service::start(
            scfg,
            ServeOptions {
                addr: Some(loopback),
                no_auth: false,
                demo_data: true,
                clock: None,
            },
        )
        .await
        .wrap_err("no se pudo iniciar el servicio")?;
        let token = service
            .demo_token
            .clone()
            .ok_or_else(|| eyre!("la demo no creó su usuario"))?;
        let phone = sim
            .phone_number_ids()
            .into_iter()
            .next()
            .ok_or_else(|| eyre!("el simulador no tiene números"))?;
        let live_batch = start_live_batch(&service.url(), &token, &phone).await?;
        Ok(Self {
            sim,
            service,
            token,
            live_batch,
            _dir: dir,
        })
    }

    pub async fn shutdown(self) {
        self.service.shutdown().await;
        self.sim.shutdown().await;
    }
}

/// Creates `LIVE_GROUP` and starts its batch through the service's own API.
async fn start_live_batch(base: &str, token: &Secret, phone_number_id: &str) -> Result<String> {
    let http = reqwest::Client::new();
    let created: Envelope<GroupSummary> = http
        .post(format!("{base}/api/groups"))
        .bearer_auth(token.expose())
        .json(&serde_json::json!({
            "name": LIVE_GROUP,
            "variables": { "especialidad": "Cardiología", "ciudad": "Medellín" },
        }))
        .send()
        .await?
        .json()
        .await?;
    let group = created.data.ok_or_else(|| {
        eyre!(
            "no se pudo crear el grupo de demostración: {}",
            created.message
        )
    })?;
    let clients: Vec<serde_json::Value> = LIVE_CLIENTS
        .iter()
        .map(|(name, phone)| serde_json::json!({ "name": name, "phone": phone }))
        .collect();
    let added: Envelope<serde_json::Value> = http
        .post(format!("{base}/api/groups/{}/clients", group.id))
        .bearer_auth(token.expose())
        .json(&clients)
        .send()
        .await?
        .json()
        .await?;
    if !added.success {
        return Err(eyre!("no se pudieron agregar clientes: {}", added.message));
    }
    let started: Envelope<StartCallData> = http
        .post(format!("{base}/api/groups/{}/call", group.id))
        .bearer_auth(token.expose())
        .json(&StartCallRequest {
            user_id: Some(service::demo::DEMO_USER),
            agent_phone_number_id: Some(phone_number_id.to_string()),
            // Shows automatic retries: failed and voicemail calls get a second round a
            // minute after the last call (`g` opens it in the dashboard).
            retry_policy: Some(crate::domain::policy::RetryPolicy {
                max_attempts: 2,
                spacing_secs: 60,
                ..Default::default()
            }),
            ..Default::default()
        })
        .send()
        .await?
        .json()
        .await?;
    match started.data {
        Some(d) if started.success => Ok(d.batch_id),
        _ => Err(eyre!(
            "no se pudo iniciar el lote de demostración: {}",
            started.message
        )),
    }
}

/// `callboard demo`.
pub fn cli_main(cfg: &Config, args: &DemoArgs) -> Result<()> {
    let cfg = cfg.clone();
    let args = args.clone();
    tui::launch::run_with_file_logs(&cfg.data_dir.join("logs"), async move {
        let demo = Demo::start(&cfg, &args).await?;
        let mut opts = TuiOptions::new(demo.service.url(), Some(demo.token.clone()), cfg.lang);
        opts.timezone = cfg.timezone;
        opts.open_batch = Some(demo.live_batch.clone());
        let result = tui::run(opts).await;
        demo.shutdown().await;
        result
    })
}
