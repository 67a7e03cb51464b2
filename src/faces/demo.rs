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
use crate::service::demo::LIVE_GROUP;
use crate::service::{self, ServeOptions};
use crate::sim::scripted::{Outcome, ScriptedOutcomes};
use crate::sim::{self, SimOptions};
use crate::tui::{self, TuiOptions};

/// The key the in-process simulator accepts (it is not an ElevenLabs key).
const DEMO_KEY: &str = "demo-key-local-only";
/// How the live group's calls go, first call then retry: two unanswered, two voicemail,
/// the rest answered (some interested, some not), so the automatic retry always has
/// someone to call back and its round mixes outcomes too.
pub fn demo_outcomes() -> ScriptedOutcomes {
    use Outcome::*;
    let yes = Answered { interested: true };
    let no = Answered { interested: false };
    let plan: [(&str, Vec<Outcome>); 10] = [
        ("+573015550101", vec![yes.clone()]),
        ("+573015550102", vec![NoAnswer, yes.clone()]),
        ("+573015550103", vec![no.clone()]),
        ("+573015550104", vec![Voicemail, no.clone()]),
        ("+573015550105", vec![yes.clone()]),
        ("+573015550106", vec![Busy, Voicemail]),
        ("+573015550107", vec![yes.clone()]),
        ("+573015550108", vec![Voicemail, yes.clone()]),
        ("+573015550109", vec![no]),
        ("+573015550110", vec![yes]),
    ];
    ScriptedOutcomes::new(plan.into_iter().map(|(p, o)| (p.to_string(), o)))
}

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
                scripted: Some(std::sync::Arc::new(demo_outcomes())),
                ..SimOptions::default()
            },
            loopback,
        )
        .await
        .wrap_err("no se pudo iniciar el simulador")?;
        let mut scfg = cfg.service_options();
        scfg.data_dir = dir.path().join("data");
        scfg.elevenlabs.base_url = sim.url();
        scfg.elevenlabs.api_key = Some(Secret::new(DEMO_KEY));
        scfg.service.poll_interval_ms = 1000;
        // The simulator posts each call's webhook to this service, signed with a secret
        // made for this run: screens follow calls as they end, polling stays the safety net.
        let webhook_secret = format!("demo_{:032x}", rand::random::<u128>());
        scfg.webhooks.secret = Some(Secret::new(webhook_secret.clone()));
        scfg.webhooks.poll_interval_ms = 3000;
        scfg.webhooks.reconcile_after_secs = 10;
        let webhook_path = scfg.webhooks.path.clone();
        // The simulator phones nobody: calling windows would only keep the demo idle at night.
        scfg.campaign.rules = None;
        let service = service::start(
            scfg,
            ServeOptions {
                addr: Some(loopback),
                no_auth: false,
                demo_data: true,
                // One clock: the service schedules retries by the simulator's time.
                clock: Some(crate::monitor::Clock::from_fn(sim.clock())),
            },
        )
        .await
        .wrap_err("no se pudo iniciar el servicio")?;
        sim.send_webhooks(sim::WebhookTarget {
            url: format!("{}{}", service.url(), webhook_path),
            secret: Secret::new(webhook_secret),
            drop_rate: 0.0,
        });
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

    /// The dashboard's options: this demo's service, user, batch — and clock.
    pub fn tui_options(&self, cfg: &Config, args: &DemoArgs) -> TuiOptions {
        let mut opts = TuiOptions::new(self.service.url(), Some(self.token.clone()), cfg.lang);
        opts.timezone = cfg.timezone;
        opts.export_dir = cfg.tui.export_dir.clone();
        opts.open_batch = Some(self.live_batch.clone());
        // The dashboard reads the simulator's clock too, so its header, elapsed times
        // and the retry's "a las 12:19" agree with when things happen.
        opts.clock = tui::clock::Clock::scaled(args.speed, self.sim.clock());
        opts
    }

    pub async fn shutdown(self) {
        self.service.shutdown().await;
        self.sim.shutdown().await;
    }
}

/// Starts the batch of the demo workspace's live group through the service's own API,
/// as a supervisor would ("Médicos Test" is left for the user's first call).
async fn start_live_batch(base: &str, token: &Secret, phone_number_id: &str) -> Result<String> {
    let http = reqwest::Client::new();
    let groups: Envelope<Vec<GroupSummary>> = http
        .get(format!("{base}/api/groups"))
        .bearer_auth(token.expose())
        .send()
        .await?
        .json()
        .await?;
    let group = groups
        .data
        .unwrap_or_default()
        .into_iter()
        .find(|g| g.name == LIVE_GROUP)
        .ok_or_else(|| eyre!("falta el grupo de demostración «{LIVE_GROUP}»"))?;
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
    super::tui_logs::run_with_file_logs(&cfg.data_dir.join("logs"), async move {
        let demo = Demo::start(&cfg, &args).await?;
        let opts = demo.tui_options(&cfg, &args);
        let result = tui::run(opts).await;
        demo.shutdown().await;
        result
    })
}
