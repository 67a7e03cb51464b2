//! Writing the do-not-call list: one list for the whole service. A number added (one, or
//! a CSV of them) is never dialled again: batches still queued for it are stopped and
//! their undialled recipients resubmitted without it, and planned rounds drop it
//! (`Hub::protect_optouts`). Only the admin removes numbers.

use serde_json::json;

use super::{Actor, Campaign, Outcome};
use crate::api::{ApiError, ErrorCode, OptOutImport};
use crate::domain::import::parse_optouts;
use crate::domain::{AuditAction, phone};
use crate::monitor::OptOutEffect;
use crate::store::optouts::OptOut;

impl Campaign {
    /// Adds one number (as the supervisor wrote it); the answer holds what the list has
    /// for it (who else asked and why is the admin's to see: a user gets back what it sent).
    pub async fn add_optout(
        &self,
        actor: &Actor,
        raw: &str,
        reason: Option<String>,
    ) -> Result<Outcome<OptOut>, ApiError> {
        let e164 = self.e164(raw)?;
        let entry = OptOut {
            phone_number: e164.clone(),
            reason: reason
                .filter(|r| !r.trim().is_empty())
                .unwrap_or_else(|| "pidió no ser llamado".into()),
            source: if actor.is_admin() { "admin" } else { "api" }.into(),
            added_at: chrono::Utc::now(),
        };
        let added = self
            .store()
            .add_optouts(std::slice::from_ref(&entry))
            .await?
            == 1;
        if added {
            let details = json!({ "reason": entry.reason });
            self.audit(actor, AuditAction::OptoutAdd, &e164, details)
                .await;
        }
        let saved = match actor.is_admin() {
            true => self.store().optout(&e164).await?.unwrap_or(entry),
            false => entry,
        };
        let effect = self.protect(std::iter::once(e164.clone())).await;
        let what = match added {
            true => format!("{e164} agregado a la lista de no llamar"),
            false => format!("{e164} ya estaba en la lista de no llamar"),
        };
        Ok(Outcome::new(
            format!("{what}{}", effect_text(&effect)),
            saved,
        ))
    }

    /// Removes one number; the data is its E.164 form.
    pub async fn remove_optout(
        &self,
        actor: &Actor,
        raw: &str,
    ) -> Result<Outcome<String>, ApiError> {
        let e164 = self.e164(raw)?;
        if !self.store().remove_optout(&e164).await? {
            return Err(ApiError::not_found(
                ErrorCode::OptoutNotFound,
                format!("{e164} no está en la lista de no llamar"),
            ));
        }
        self.audit(actor, AuditAction::OptoutRemove, &e164, json!({}))
            .await;
        Ok(Outcome::new(
            format!("{e164} retirado de la lista de no llamar"),
            e164,
        ))
    }

    /// Adds every number of a CSV (the national register's export, say); bad rows are
    /// reported by line and the good ones kept.
    pub async fn import_optouts(
        &self,
        actor: &Actor,
        csv: &[u8],
    ) -> Result<Outcome<OptOutImport>, ApiError> {
        let (rows, rejected) = parse_optouts(csv, self.settings().region)
            .map_err(|e| ApiError::unprocessable(ErrorCode::InvalidCsv, e.to_string()))?;
        let now = chrono::Utc::now();
        let entries: Vec<OptOut> = rows
            .into_iter()
            .map(|r| OptOut {
                phone_number: r.phone_number,
                reason: r.reason.unwrap_or_else(|| "RNE".into()),
                source: "import:api".into(),
                added_at: now,
            })
            .collect();
        let store = self.store().clone();
        let to_add = entries.clone();
        let rt = tokio::runtime::Handle::current();
        let added = tokio::task::spawn_blocking(move || rt.block_on(store.add_optouts(&to_add)))
            .await
            .map_err(ApiError::internal)??;
        let details = json!({ "rows": entries.len(), "added": added, "rejected": rejected.len() });
        self.audit(actor, AuditAction::OptoutImport, "import:api", details)
            .await;
        let effect = self
            .protect(entries.iter().map(|e| e.phone_number.clone()))
            .await;
        let message = format!(
            "{} teléfonos leídos, {} nuevos en la lista, {} rechazados{}",
            entries.len(),
            added,
            rejected.len(),
            effect_text(&effect)
        );
        let data = OptOutImport {
            rows: entries.len(),
            added,
            rejected,
        };
        Ok(Outcome::new(message, data))
    }

    fn e164(&self, raw: &str) -> Result<String, ApiError> {
        phone::normalize(raw, self.settings().region).map_err(|e| {
            ApiError::unprocessable(ErrorCode::InvalidPhone, format!("Teléfono «{raw}»: {e}"))
        })
    }

    /// Stops the queued calls to these numbers (see `Hub::protect_optouts`).
    async fn protect(&self, phones: impl Iterator<Item = String>) -> OptOutEffect {
        match self.hub() {
            Ok(hub) => hub.protect_optouts(&phones.collect()).await,
            Err(_) => Default::default(),
        }
    }
}

/// What the opt-out did to queued calls, in the supervisor's words.
fn effect_text(e: &OptOutEffect) -> String {
    let mut out = String::new();
    if !e.replaced.is_empty() {
        out.push_str(&format!(
            "; {} lote(s) en cola se detienen y sus pendientes se reenvían sin ese número ({})",
            e.replaced.len(),
            e.replaced.join(", ")
        ));
    }
    if e.planned > 0 {
        out.push_str(&format!(
            "; {} ronda(s) programada(s) ya no lo incluirán",
            e.planned
        ));
    }
    out
}
