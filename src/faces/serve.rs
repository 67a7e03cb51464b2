//! `callboard serve`: the batch-calling HTTP service until Ctrl-C.

use crate::cli::ServeArgs;
use crate::config::Config;
use crate::service::{self, ServeOptions};

/// `callboard serve`: prints `listening on http://ADDR` first, then serves until Ctrl-C.
pub fn run(mut cfg: Config, args: &ServeArgs) -> color_eyre::Result<()> {
    if let Some(url) = &args.elevenlabs_url {
        cfg.elevenlabs.base_url = url.clone();
    }
    let opts = ServeOptions {
        addr: args.addr,
        no_auth: args.no_auth,
        demo_data: args.demo_data,
        clock: None,
    };
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let handle = service::start(cfg.service_options(), opts).await?;
        println!("listening on {}", handle.url());
        if let Some(t) = &handle.demo_token {
            let file = service::demo::token_file(&handle.state().cfg().data_dir);
            println!(
                "demo user 19 token: {} (kept in {})",
                t.expose(),
                file.display()
            );
        }
        tokio::signal::ctrl_c().await?;
        eprintln!("cerrando el servicio…");
        handle.shutdown().await;
        Ok(())
    })
}
