//! `callboard webhook setup` (create the workspace webhook upstream, attach it to the
//! post-call events, print its secret once) and `callboard webhook test` (a signed sample
//! to a running service).

use color_eyre::eyre::{Result, WrapErr, eyre};
use std::io::Write;

use crate::config::Config;
use crate::elevenlabs::ElevenLabsClient;
use crate::elevenlabs::webhook_sig;

/// `URL` as given, or with the configured receiver path when it has none.
fn receiver_url(url: &str, path: &str) -> Result<String> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| eyre!("--url «{url}» no es una URL válida / is not a valid URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(eyre!(
            "--url debe empezar por https:// / must start with https://"
        ));
    }
    let base = url.trim().trim_end_matches('/');
    Ok(if parsed.path() == "/" {
        format!("{base}{path}")
    } else {
        base.to_string()
    })
}

/// `callboard webhook setup [--url PUBLIC_URL]`.
pub async fn setup(cfg: &Config, url: Option<&str>, name: &str) -> Result<()> {
    let url = url.or(cfg.service.public_url.as_deref()).ok_or_else(|| {
        eyre!("falta --url (o [service] public_url) / --url (or [service] public_url) is needed")
    })?;
    let target = receiver_url(url, &cfg.webhooks.path)?;
    if target.starts_with("http://") {
        eprintln!(
            "Aviso: ElevenLabs exige HTTPS en producción / warning: ElevenLabs wants HTTPS ({target})"
        );
    }
    let client = ElevenLabsClient::new(&cfg.elevenlabs)
        .wrap_err("ELEVENLABS_API_KEY hace falta / is needed")?;
    let created = client
        .create_workspace_webhook(name, &target)
        .await
        .wrap_err("ElevenLabs no creó el webhook / did not create the webhook")?;
    let mut out = std::io::stdout();
    writeln!(out, "webhook_id: {}", created.webhook_id)?;
    match &created.webhook_secret {
        Some(secret) => {
            writeln!(
                out,
                "secret (shown once / se muestra una sola vez): {secret}"
            )?;
            writeln!(
                out,
                "Guárdelo / keep it: export ELEVENLABS_WEBHOOK_SECRET=<secret>  (or [webhooks] secret in the config file)"
            )?;
        }
        None => writeln!(
            out,
            "ElevenLabs no devolvió un secreto / returned no secret: copy it from the dashboard"
        )?,
    }
    out.flush()?;
    client
        .attach_post_call_webhook(&created.webhook_id)
        .await
        .wrap_err(
            "el webhook existe pero no quedó asociado a los eventos post-llamada; asócielo en el panel de ElevenLabs / the webhook exists but is not attached to the post-call events: attach it in the dashboard",
        )?;
    writeln!(
        out,
        "Asociado a / attached to: transcript, call_initiation_failure → {target}"
    )?;
    Ok(())
}

/// `callboard webhook test [--url URL]`.
pub async fn test(cfg: &Config, url: Option<&str>) -> Result<()> {
    let secret = cfg.webhooks.secret().ok_or_else(|| {
        eyre!("falta el secreto / no secret: set ELEVENLABS_WEBHOOK_SECRET ([webhooks] secret)")
    })?;
    let target = match url {
        Some(u) => receiver_url(u, &cfg.webhooks.path)?,
        None => format!("http://{}{}", cfg.service.addr, cfg.webhooks.path),
    };
    let body = serde_json::to_vec(&sample(chrono::Utc::now().timestamp()))?;
    let signature = webhook_sig::sign(secret.expose(), chrono::Utc::now().timestamp(), &body);
    let resp = reqwest::Client::new()
        .post(&target)
        .header(webhook_sig::SIGNATURE_HEADER, signature)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| {
            eyre!(
                "no se pudo enviar a / could not post to {target}: {}",
                e.without_url()
            )
        })?;
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    println!("{target} → {status}: {text}");
    if !status.is_success() {
        return Err(eyre!(
            "el servicio rechazó el webhook de prueba / the service refused the test webhook ({status}); check that both sides use the same secret"
        ));
    }
    Ok(())
}

/// A `post_call_transcription` for a conversation of no batch: it changes nothing anyone
/// watches.
fn sample(now: i64) -> serde_json::Value {
    serde_json::json!({
        "type": crate::elevenlabs::EVENT_TRANSCRIPTION,
        "event_timestamp": now,
        "data": {
            "agent_id": "agent_callboard_webhook_test",
            "conversation_id": "conv_callboard_webhook_test",
            "status": "done",
            "transcript": [
                {"role": "agent", "message": "Prueba de webhook de callboard.", "time_in_call_secs": 0}
            ],
            "metadata": {"start_time_unix_secs": now, "call_duration_secs": 1},
            "analysis": {"call_successful": "success", "transcript_summary": "Prueba / test"},
            "has_audio": false, "has_user_audio": false, "has_response_audio": false
        }
    })
}
