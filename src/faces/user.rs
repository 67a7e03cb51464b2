//! `callboard user add|list` and `callboard user token rotate|revoke`: supervisors and their
//! access tokens, straight in the store.

use crate::domain::AuditAction;
use color_eyre::eyre::Result;

use crate::config::Config;
use crate::store::Store;

/// `callboard user add`.
pub async fn add(
    cfg: &Config,
    name: &str,
    agent_id: &str,
    id: Option<u64>,
    expires_in_days: Option<u32>,
) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    let expires = token_expiry(expires_in_days)?;
    let (user, token) = store
        .add_user_expiring(name, Some(agent_id), id, expires)
        .await?;
    println!(
        "Usuario {} «{}» creado (agente {}).",
        user.id, user.name, agent_id
    );
    print_token(token.expose(), expires);
    Ok(())
}

/// When a token given now for `days` expires (1 to 3650 days).
fn token_expiry(days: Option<u32>) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    match days {
        None => Ok(None),
        Some(d) if (1..=3650).contains(&d) => {
            Ok(chrono::Utc::now().checked_add_signed(chrono::Duration::days(i64::from(d))))
        }
        Some(_) => Err(color_eyre::eyre::eyre!("--expires-in-days va de 1 a 3650")),
    }
}

fn print_token(token: &str, expires: Option<chrono::DateTime<chrono::Utc>>) {
    println!("Token (se muestra solo esta vez; guárdelo):");
    println!("{token}");
    if let Some(t) = expires {
        println!("Vence el {}.", t.format("%Y-%m-%d %H:%M UTC"));
    }
}

/// `callboard user token rotate --id N`.
pub async fn token_rotate(cfg: &Config, id: u64, expires_in_days: Option<u32>) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    let expires = token_expiry(expires_in_days)?;
    let (user, token) = store
        .rotate_token(id, expires)
        .await?
        .ok_or_else(|| color_eyre::eyre::eyre!("no existe el usuario {id}"))?;
    store
        .record_action(
            "cli",
            AuditAction::UserTokenRotate,
            &format!("user:{id}"),
            serde_json::json!({ "expiresAt": expires }),
        )
        .await;
    println!(
        "Token del usuario {} «{}» renovado; el anterior ya no sirve.",
        user.id, user.name
    );
    print_token(token.expose(), expires);
    Ok(())
}

/// `callboard user token revoke --id N`.
pub async fn token_revoke(cfg: &Config, id: u64) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    let user = store
        .revoke_token(id)
        .await?
        .ok_or_else(|| color_eyre::eyre::eyre!("no existe el usuario {id}"))?;
    store
        .record_action(
            "cli",
            AuditAction::UserTokenRevoke,
            &format!("user:{id}"),
            serde_json::json!({}),
        )
        .await;
    println!(
        "Token del usuario {} «{}» revocado: ya no da acceso.",
        user.id, user.name
    );
    Ok(())
}

/// `callboard user list`.
pub async fn list(cfg: &Config) -> Result<()> {
    let store = Store::open(&cfg.data_dir)?;
    let users = store.users().await?;
    if users.is_empty() {
        println!(
            "No hay usuarios. Cree uno con: callboard user add --name NOMBRE --agent-id AGENTE"
        );
    }
    for u in users {
        println!(
            "{:>5}  {:<24}  {}",
            u.id,
            u.name,
            u.agent_id.as_deref().unwrap_or("(sin agente)")
        );
    }
    Ok(())
}
