//! `callboard sim`: an offline ElevenLabs until Ctrl-C.

use crate::cli::SimArgs;
use crate::sim::{self, FaultConfig, SimOptions};

/// `callboard sim`: prints `listening on http://ADDR` first, then serves until Ctrl-C.
pub fn run(args: SimArgs) -> std::io::Result<()> {
    use std::io::Write;
    let opts = SimOptions {
        seed: args.seed,
        speed: args.speed,
        api_key: args.api_key.filter(|k| !k.trim().is_empty()),
        pickup_rate: args.pickup_rate,
        voicemail_rate: args.voicemail_rate,
        retry_voicemail: !args.no_voicemail_retry,
        concurrency: args.concurrency,
        faults: FaultConfig::from_rates(args.error_rate, args.rate_limit_rate, args.latency_ms),
        start_unix: None,
        scripted: None,
        webhooks: args.webhook_url.map(|url| sim::WebhookTarget {
            url,
            secret: crate::secret::Secret::new(args.webhook_secret.unwrap_or_default()),
            drop_rate: args.webhook_drop_rate,
        }),
    };
    let rate = |r: f64| r.is_finite() && (0.0..=1.0).contains(&r);
    if !rate(args.error_rate) || !rate(args.rate_limit_rate) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "las tasas deben estar entre 0 y 1 / rates must be within 0..1",
        ));
    }
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let handle = sim::start(opts, args.addr).await?;
        let mut out = std::io::stdout();
        writeln!(out, "listening on {}", handle.url())?;
        out.flush()?;
        tokio::signal::ctrl_c().await?;
        handle.shutdown().await;
        Ok(())
    })
}
