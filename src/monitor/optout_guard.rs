//! An opt-out reaches calls already queued. A running or scheduled batch of ours that has
//! not dialled a number yet is stopped (cancel pursued until confirmed) and its undialled
//! recipients are resubmitted without the opted-out numbers, through the journal. Rounds
//! callboard planned itself wait in the journal and leave the numbers out when due.

use crate::domain::AuditAction;
use std::collections::HashSet;

use super::state::Hub;
use super::stop;
use crate::domain::StopCode;
use crate::domain::intent::IntentState;

/// What an opt-out changed in what is queued.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct OptOutEffect {
    /// Batches stopped so that they are resubmitted without the numbers.
    pub replaced: Vec<String>,
    /// Planned rounds that will leave the numbers out.
    pub planned: usize,
}

impl Hub {
    /// Makes sure no queued call dials `phones` (E.164) from now on.
    pub async fn protect_optouts(&self, phones: &HashSet<String>) -> OptOutEffect {
        let mut effect = OptOutEffect::default();
        let heads = self.0.store.batch_heads().await.unwrap_or_default();
        for h in heads
            .iter()
            .filter(|h| !h.is_done() && h.stop_reason.is_none())
        {
            let Ok(Some(rec)) = self.0.store.batch(&h.batch_id).await else {
                continue;
            };
            if !rec
                .recipients
                .iter()
                .any(|r| phones.contains(&r.phone_number))
            {
                continue;
            }
            // Its viewers see the mark at the next poll, now.
            self.kick(&h.batch_id);
            let Ok(snap) = self.snapshot(&h.batch_id).await else {
                continue;
            };
            let queued = snap
                .view
                .recipients
                .iter()
                .any(|r| phones.contains(&r.phone_number) && r.status.is_not_started());
            if !queued || snap.view.status.is_final() {
                continue;
            }
            if self.replace(&h.batch_id, phones.len()).await {
                effect.replaced.push(h.batch_id.clone());
            }
        }
        effect.planned = self
            .0
            .store
            .open_intents()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|i| i.state == IntentState::Planned)
            .filter(|i| {
                i.record
                    .recipients
                    .iter()
                    .any(|r| phones.contains(&r.phone_number))
            })
            .count();
        effect
    }

    /// Records the stop (pending), tells viewers and starts the pursuit.
    async fn replace(&self, batch_id: &str, numbers: usize) -> bool {
        let lock = self.redial_lock(batch_id);
        let _guard = lock.lock().await;
        let Ok(Some(mut rec)) = self.0.store.batch(batch_id).await else {
            return false;
        };
        if rec.stop_reason.is_some() {
            return false;
        }
        rec.stop_reason = Some(stop::pending(
            StopCode::OptOut,
            format!(
                "Detenido para quitar {numbers} número(s) que pidieron no ser llamados; los destinatarios sin marcar se reenvían sin ellos"
            ),
            chrono::Utc::now().timestamp(),
        ));
        if let Err(e) = self.0.store.put_batch(&rec).await {
            tracing::error!(%batch_id, error = %e, "cannot record an opt-out replacement");
            return false;
        }
        self.0
            .store
            .record_action(
                "system",
                AuditAction::BatchOptoutReplace,
                batch_id,
                serde_json::json!({ "numbers": numbers }),
            )
            .await;
        self.kick(batch_id);
        true
    }
}
