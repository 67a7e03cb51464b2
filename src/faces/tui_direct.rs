//! `callboard tui --direct`: no separate service. The service's monitor core runs
//! in-process on a loopback port with the local store and the configured ElevenLabs key,
//! and the dashboard talks to it over HTTP like to any service, so both modes share every
//! line of the monitoring and the screen.

use color_eyre::eyre::{Result, eyre};
use std::net::{Ipv4Addr, SocketAddr};

use crate::cli::TuiArgs;
use crate::config::Config;
use crate::domain::Lang;
use crate::service::{self, ServeOptions};
use crate::store::Store;
use crate::store::users::new_token;
use crate::tui::{TuiOptions, run};

/// The user calls are started for: the one asked for, else the first with an agent.
async fn acting_user(cfg: &Config, requested: Option<u64>) -> Result<u64> {
    let store = Store::open(&cfg.data_dir)?;
    let users = store.users().await?;
    let es = cfg.lang == Lang::Es;
    let user = match requested {
        Some(id) => users.into_iter().find(|u| u.id == id).ok_or_else(|| {
            eyre!(if es {
                format!("no existe el usuario {id} en el almacén local")
            } else {
                format!("there is no user {id} in the local store")
            })
        })?,
        None => users
            .into_iter()
            .find(|u| u.agent_id.is_some())
            .ok_or_else(|| {
                eyre!(if es {
                    "no hay usuarios con agente: cree uno con `callboard user add --name N --agent-id A`"
                } else {
                    "no user has an agent: create one with `callboard user add --name N --agent-id A`"
                })
            })?,
    };
    Ok(user.id)
}

/// Blocking entry point for `main`.
pub fn cli_main(cfg: &Config, args: &TuiArgs) -> Result<()> {
    if cfg.elevenlabs.api_key.as_ref().is_none_or(|k| k.is_empty()) {
        return Err(eyre!(match cfg.lang {
            Lang::Es =>
                "el modo directo necesita la clave de ElevenLabs: defina ELEVENLABS_API_KEY",
            Lang::En => "direct mode needs the ElevenLabs key: set ELEVENLABS_API_KEY",
        }));
    }
    // Checked before the service opens the store (sled allows one opener at a time).
    let user = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(acting_user(cfg, args.user))?;
    let cfg = cfg.clone();
    super::tui_logs::run_with_file_logs(&cfg.data_dir.join("logs"), async move {
        let admin = new_token();
        let mut scfg = cfg.service_options();
        scfg.service.admin_token = Some(admin.clone());
        let svc = service::start(
            scfg,
            ServeOptions {
                addr: Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
                no_auth: false,
                demo_data: false,
                clock: None,
            },
        )
        .await?;
        let mut opts = TuiOptions::new(svc.url(), Some(admin), cfg.lang);
        opts.timezone = cfg.timezone;
        opts.export_dir = cfg.tui.export_dir.clone();
        opts.acting_user = Some(user);
        let result = run(opts).await;
        svc.shutdown().await;
        result
    })
}
