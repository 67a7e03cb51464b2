//! What an earlier run left behind is found before anything is submitted again: an
//! intent of the journal (settled now), a marker written before the journal existed
//! (looked up in the store, then upstream by its unique name), or a continuation saved
//! just before a crash. Never a second submit.

use std::sync::Arc;

use super::error::PollError;
use super::link::{failed, link, record_link, store_error, unknown};
use super::plan::Plan;
use super::state::Inner;
use crate::domain::intent::IntentState;
use crate::domain::{BatchRecord, FollowUpKind, FollowUpLink};
use crate::journal::Settlement;

/// The continuation an earlier run left: its batch (linked now), or an error while its
/// outcome is unknown; None when nothing was created (a new submit may go).
pub(super) async fn earlier_intent(
    hub: &Arc<Inner>,
    rec: &mut BatchRecord,
) -> Result<Option<Option<FollowUpLink>>, PollError> {
    let Some(id) = rec
        .pending_follow_up
        .as_ref()
        .and_then(|p| p.intent_id.clone())
    else {
        return Ok(None);
    };
    let intent = hub
        .store
        .intent(&id)
        .await
        .map_err(|e| store_error(&e.to_string()))?;
    let Some(intent) = intent else {
        return Ok(None);
    };
    match intent.state {
        IntentState::Planned => Ok(Some(None)),
        IntentState::Abandoned { .. } => Ok(None),
        _ => match hub.journal.settle(&intent).await {
            Ok(Settlement::Settled(s)) => Ok(Some(Some(link(hub, rec, &s.record, "system").await))),
            Ok(Settlement::Abandoned) => Ok(None),
            Ok(Settlement::Unknown(why)) => Err(unknown(&why)),
            Err(e) => Err(store_error(&e.to_string())),
        },
    }
}

/// A marker written before the journal existed (no intent id): the continuation it
/// stands for is found in the store or, by its unique name, upstream; never resubmitted.
pub(super) async fn legacy_marker(
    hub: &Arc<Inner>,
    rec: &mut BatchRecord,
    plan: &Plan,
    actor: &str,
) -> Result<Option<FollowUpLink>, PollError> {
    let Some(p) = rec
        .pending_follow_up
        .clone()
        .filter(|p| p.intent_id.is_none() && p.kind == plan.kind)
    else {
        return Ok(None);
    };
    if let Some(link) = saved_continuation(hub, rec).await {
        return Ok(Some(link));
    }
    let known = hub.store.batch_ids().await.unwrap_or_default();
    let found = hub
        .client
        .find_named(&p.call_name, &rec.agent_id, p.since_unix, &known)
        .await
        .map_err(|e| failed(&e))?;
    let Some(batch) = found else {
        return Ok(None);
    };
    let round = rec.retry_round + u32::from(plan.kind == FollowUpKind::Retry);
    let next = BatchRecord {
        batch_id: batch.id.clone(),
        group_id: rec.group_id,
        group_name: rec.group_name.clone(),
        user_id: rec.user_id,
        agent_id: rec.agent_id.clone(),
        phone_number_id: rec.phone_number_id.clone(),
        call_name: p.call_name.clone(),
        created_at: hub.cfg.clock.now(),
        recipients: plan.recipients.clone(),
        last_status: Some(batch.status.clone()),
        retry_policy: rec.retry_policy.clone(),
        continues: Some(rec.batch_id.clone()),
        follow_up_kind: Some(plan.kind),
        retry_round: round,
        ..Default::default()
    };
    hub.store
        .put_batch(&next)
        .await
        .map_err(|e| store_error(&e.to_string()))?;
    Ok(Some(link(hub, rec, &next, actor).await))
}

/// A continuation of `rec` already in the store (saved just before a crash that left this
/// record unlinked): links it and returns the link.
async fn saved_continuation(hub: &Inner, rec: &mut BatchRecord) -> Option<FollowUpLink> {
    let head = hub
        .store
        .batch_heads()
        .await
        .ok()?
        .into_iter()
        .find(|h| h.continues.as_deref() == Some(rec.batch_id.as_str()))?;
    let next = hub.store.batch(&head.batch_id).await.ok()??;
    Some(record_link(hub, rec, &next).await)
}
