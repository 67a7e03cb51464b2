//! `SimOptions`: what a simulator is started with (seed, speed, key, outcome rates,
//! concurrency, faults, clock, scripted outcomes, webhooks), and their check.

use std::sync::Arc;

use super::faults::FaultConfig;
use super::scripted;
use crate::secret::Secret;

/// Where and how the simulator posts its webhooks.
#[derive(Clone, Debug)]
pub struct WebhookTarget {
    pub url: String,
    pub secret: Secret,
    /// Share of webhooks never sent (0..1).
    pub drop_rate: f64,
}

#[derive(Clone, Debug)]
pub struct SimOptions {
    /// Same seed (and the same requests) → same ids and the same outcome per phone number.
    pub seed: u64,
    /// Virtual seconds per real second (60: a one-minute call lasts a second).
    pub speed: f64,
    /// The only key accepted; `None` accepts any non-empty key.
    pub api_key: Option<String>,
    /// Share of calls answered by a person.
    pub pickup_rate: f64,
    /// Share of calls that reach voicemail; the rest fail (no answer, busy).
    pub voicemail_rate: f64,
    /// Live calls per batch when the batch sets no `target_concurrency_limit`.
    pub concurrency: usize,
    pub faults: FaultConfig,
    /// Virtual time at start (default: the real time).
    pub start_unix: Option<i64>,
    /// Outcomes fixed for some phones (the demo's); the rest follow the rates above.
    pub scripted: Option<Arc<scripted::ScriptedOutcomes>>,
    /// Post-call webhooks to send (none by default).
    pub webhooks: Option<WebhookTarget>,
    /// Whether `/retry` re-dials voicemail as well as failed calls. ElevenLabs documents
    /// "failed and no-response recipients" and leaves voicemail open; off, only failed.
    pub retry_voicemail: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            speed: 1.0,
            api_key: None,
            pickup_rate: 0.7,
            voicemail_rate: 0.15,
            concurrency: 10,
            faults: FaultConfig::default(),
            start_unix: None,
            scripted: None,
            webhooks: None,
            retry_voicemail: true,
        }
    }
}

impl SimOptions {
    /// Spanish first: these come from the command line.
    pub fn validate(&self) -> Result<(), String> {
        let rate = |r: f64| r.is_finite() && (0.0..=1.0).contains(&r);
        if !(self.speed.is_finite() && self.speed > 0.0) {
            return Err("--speed debe ser un número mayor que 0 / must be > 0".into());
        }
        if !rate(self.pickup_rate) || !rate(self.voicemail_rate) {
            return Err("las tasas deben estar entre 0 y 1 / rates must be within 0..1".into());
        }
        if self.pickup_rate + self.voicemail_rate > 1.0 + 1e-9 {
            return Err(
                "--pickup-rate + --voicemail-rate no puede superar 1 / must not exceed 1".into(),
            );
        }
        if let Some(w) = &self.webhooks {
            if !rate(w.drop_rate) {
                return Err(
                    "--webhook-drop-rate debe estar entre 0 y 1 / must be within 0..1".into(),
                );
            }
            if !(w.url.starts_with("http://") || w.url.starts_with("https://")) {
                return Err("--webhook-url debe empezar por http:// o https:// / must start with http:// or https://".into());
            }
            if w.secret.is_empty() {
                return Err("--webhook-secret no puede estar vacío / must not be empty".into());
            }
        }
        if self.concurrency == 0 {
            return Err("--concurrency debe ser al menos 1 / must be at least 1".into());
        }
        Ok(())
    }
}
