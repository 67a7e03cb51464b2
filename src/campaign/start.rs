//! Starting a group's calls (and its dry run): the seed's steps and validations (`plan`),
//! then one submission through the journal (`submit`), guarded by the group's lock, the
//! idle check and the `Idempotency-Key` (`idempotency`).

use super::idempotency::{self as idem, Gate, Key};
use super::{Actor, Campaign, plan, submit};
use crate::api::{ApiError, StartCallRequest};
use crate::domain::preflight::Preflight;
use crate::domain::{BatchRecord, GroupId, UserId};

/// What a call start answers.
pub enum StartAnswer {
    /// A dry run: who would be dialled, who not and why. Nothing was submitted.
    DryRun {
        message: String,
        plan: Box<Preflight>,
    },
    /// The first answer to this `Idempotency-Key`, replayed as it was.
    Replay {
        status: u16,
        body: serde_json::Value,
    },
    /// The seed's envelope for the batch (new, or the key's, found upstream).
    Started(serde_json::Value),
}

impl Campaign {
    /// Starts the calls of `group_id` for `user_id` (or only checks them, `dry_run`).
    pub async fn start(
        &self,
        actor: &Actor,
        user_id: UserId,
        group_id: GroupId,
        req: &StartCallRequest,
        key: Option<Key>,
        dry_run: bool,
    ) -> Result<StartAnswer, ApiError> {
        // A dry run dials nobody: it neither uses nor replays a key.
        let key = key.filter(|_| !dry_run);
        let hub = match self.hub() {
            Ok(hub) => hub,
            // Without ElevenLabs the request's own mistakes are still reported first.
            Err(e) => {
                let checked = plan::check(self, actor, user_id, group_id, req).await?;
                submit::ensure_no_active_batch(self, &checked.group, req.force).await?;
                return Err(e);
            }
        };
        let journal = hub.journal();
        // One call start per group at a time: the idle check and the submit must not
        // interleave with another request's, nor with a policy round's submit.
        let _guard = journal.lock_group(group_id).await?;
        if let Some(k) = &key {
            match idem::gate(self, journal, k).await? {
                Gate::Fresh => {}
                Gate::Replay { status, body } => return Ok(StartAnswer::Replay { status, body }),
                Gate::Settled(s) => {
                    let message = submit::settled_message(self, &s.record);
                    let body = submit::answer(self, actor, &s, message, Some(k)).await?;
                    return Ok(StartAnswer::Started(body));
                }
            }
        }
        let checked = plan::check(self, actor, user_id, group_id, req).await?;
        submit::ensure_idle(self, journal, &checked.group, req.force).await?;
        let plan = plan::preflight(self, &checked, req).await?;
        if dry_run {
            let message = format!(
                "Verificación previa: se marcaría a {} destinatarios; {} omitidos, {} sin todas las variables",
                plan.recipients.len(),
                plan.skipped.len(),
                plan.incomplete.len()
            );
            return Ok(StartAnswer::DryRun {
                message,
                plan: Box::new(plan),
            });
        }
        plan::ensure_submittable(&plan, req)?;
        log_phones(&checked, &plan);
        let (record, message) = self.draft(checked, plan, user_id, req);
        let submitted = submit::submit(self, journal, record, key.as_ref()).await?;
        let body = submit::answer(self, actor, &submitted, message, key.as_ref()).await?;
        Ok(StartAnswer::Started(body))
    }

    /// The batch record to submit and the answer's message: outside the calling window
    /// the batch waits for the next opening instead of dialling, and the message says when.
    fn draft(
        &self,
        checked: plan::Checked,
        plan: Preflight,
        user_id: UserId,
        req: &StartCallRequest,
    ) -> (BatchRecord, String) {
        let tz = self.settings().timezone;
        let scheduled_time_unix = if plan.window.open_at_start {
            req.scheduled_time_unix
        } else {
            Some(plan.window.start_at.timestamp())
        };
        let message = match (&plan.window.reason, plan.window.open_at_start) {
            (Some(why), false) => format!(
                "Llamadas programadas para el grupo \"{}\" el {} ({why})",
                checked.group.name,
                self.local(plan.window.start_at.timestamp())
            ),
            _ => format!(
                "Llamadas iniciadas exitosamente para el grupo \"{}\"",
                checked.group.name
            ),
        };
        let mut skipped = plan.skipped;
        skipped.extend(plan.incomplete);
        let record = BatchRecord {
            group_id: checked.group.id,
            group_name: checked.group.name.clone(),
            user_id,
            agent_id: checked.agent_id,
            phone_number_id: checked.phone_number_id,
            call_name: crate::journal::call_name(&checked.group.name, checked.now, tz),
            created_at: checked.now,
            scheduled_time_unix,
            recipients: plan.recipients,
            skipped,
            retry_policy: plan.retry_policy,
            ..Default::default()
        };
        (record, message)
    }
}

/// Each phone's formatting as it is dialled (raw → E.164), logged as the seed describes.
fn log_phones(checked: &plan::Checked, plan: &Preflight) {
    let raw: std::collections::HashMap<_, &str> = checked
        .clients
        .iter()
        .map(|c| (c.id, c.phone.as_str()))
        .collect();
    for r in &plan.recipients {
        let from = raw.get(&r.client_id).copied().unwrap_or_default();
        tracing::info!(group_id = checked.group.id, client_id = r.client_id, raw = ?from, e164 = %r.phone_number, "phone formatted");
    }
}
