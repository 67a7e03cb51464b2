//! From ElevenLabs' batch detail, our record of what was sent and the cached conversations
//! to the seed's enriched status view; and the diff that decides whether viewers hear
//! about a poll at all.

use std::collections::HashMap;
use std::sync::Arc;

use crate::api::{AutoRetryView, BatchStatusView, RecipientView};
use crate::domain::{
    BatchRecord, ConversationDetails, FollowUpKind, RecipientStatus, SubmittedRecipient,
};
use crate::elevenlabs::{BatchCallDetailedResponse, BatchRecipientResponse};

/// Where a conversation's audio is served by the service (browsers cannot send the key).
pub fn audio_path(conversation_id: &str) -> String {
    format!("/api/conversations/{conversation_id}/audio")
}

/// Only completed calls with a conversation are enriched (the seed's rule).
pub fn wants_enrichment(status: &RecipientStatus, conversation_id: Option<&str>) -> bool {
    *status == RecipientStatus::Completed && conversation_id.is_some_and(|c| !c.is_empty())
}

pub fn build_view(
    detail: &BatchCallDetailedResponse,
    record: Option<&BatchRecord>,
    conversations: &HashMap<String, Arc<ConversationDetails>>,
    failures: &HashMap<String, String>,
) -> BatchStatusView {
    let b = &detail.batch;
    let by_phone: HashMap<&str, &SubmittedRecipient> = record
        .map(|r| {
            r.recipients
                .iter()
                .map(|s| (s.phone_number.as_str(), s))
                .collect()
        })
        .unwrap_or_default();
    let recipients: Vec<RecipientView> = detail
        .recipients
        .iter()
        .map(|r| recipient_view(r, &by_phone, record, conversations, failures))
        .collect();
    let statuses: Vec<RecipientStatus> = recipients.iter().map(|r| r.status.clone()).collect();
    let status = b.status.clone().refine(&statuses);
    BatchStatusView {
        batch_id: b.id.clone(),
        id: b.id.clone(),
        name: b.name.clone(),
        status,
        agent_id: b.agent_id.clone(),
        group_id: record.map(|r| r.group_id),
        group_name: record.map(|r| r.group_name.clone()),
        created_at_unix: b.created_at_unix,
        scheduled_time_unix: b.scheduled_time_unix,
        last_updated_at_unix: b.last_updated_at_unix,
        retry_count: b.retry_count,
        counts: BatchStatusView::count(&recipients),
        total_recipients: recipients.len(),
        recipients,
        stop_reason: record.and_then(|r| r.stop_reason.as_ref().map(super::stop::shown)),
        auto_retry: record.and_then(auto_retry),
        continued_by: record.and_then(|r| r.continued_by.as_ref().map(|c| c.batch_id.clone())),
        continues: record.and_then(|r| r.continues.clone()),
        planned: record.and_then(planned),
    }
}

/// One recipient as viewers see it: what we sent, its attempts, its conversation.
fn recipient_view(
    r: &BatchRecipientResponse,
    by_phone: &HashMap<&str, &SubmittedRecipient>,
    record: Option<&BatchRecord>,
    conversations: &HashMap<String, Arc<ConversationDetails>>,
    failures: &HashMap<String, String>,
) -> RecipientView {
    let phone = r.phone_number.clone().unwrap_or_default();
    let sent = by_phone.get(phone.as_str());
    let variables = match sent {
        Some(s) => s.variables.clone(),
        None => r.variables(),
    };
    let mut v = RecipientView {
        id: r.id.clone(),
        phone_number: phone,
        status: r.status.clone(),
        name: sent
            .map(|s| s.name.clone())
            .or_else(|| variables.get("name").cloned()),
        variables,
        conversation_id: r.conversation_id.clone().filter(|c| !c.is_empty()),
        summary: None,
        duration_secs: None,
        call_duration: None,
        transcript: None,
        audio_url: None,
        call_successful: None,
        termination_reason: None,
        enrichment_error: None,
        updated_at_unix: r.updated_at_unix,
        cost: None,
        data_collection: Default::default(),
        attempts: 0,
        opted_out: false,
    };
    v.attempts = attempts(
        sent.map_or(0, |s| s.prior_attempts),
        record.and_then(|r| r.retried.get(&v.phone_number)),
        &v.status,
        v.conversation_id.as_deref(),
    );
    if let Some(cid) = v.conversation_id.clone()
        && wants_enrichment(&v.status, Some(&cid))
    {
        match conversations.get(&cid) {
            Some(c) => enrich(&mut v, c),
            None => {
                v.enrichment_error = Some(
                    failures
                        .get(&cid)
                        .cloned()
                        .unwrap_or_else(|| "detalles de la conversación pendientes".into()),
                )
            }
        }
    } else if let Some(c) = v
        .conversation_id
        .as_ref()
        .and_then(|c| conversations.get(c))
    {
        // A call that never connected: why, as its webhook said.
        v.termination_reason = c.termination_reason.clone();
    }
    v
}

/// The recipients as the batch policies (retry, circuit breaker) see them.
pub fn outcomes(view: &BatchStatusView) -> Vec<crate::domain::policy::Outcome> {
    view.recipients
        .iter()
        .map(|r| crate::domain::policy::Outcome {
            status: r.status.clone(),
            attempts: r.attempts,
            duration_secs: r.duration_secs,
            finished_at_unix: r.updated_at_unix,
        })
        .collect()
}

/// Calls made to a recipient so far: those of the batches this one continues, the
/// earlier calls upstream `/retry` rounds replaced (a round that did not re-dial it left
/// the same conversation), and this round's when it was placed (a recipient still queued,
/// or cancelled before dialling, has not been called in it).
pub fn attempts(
    prior: u32,
    retried: Option<&Vec<String>>,
    status: &RecipientStatus,
    conversation_id: Option<&str>,
) -> u32 {
    let this_round = match status {
        RecipientStatus::Pending => 0,
        RecipientStatus::Cancelled if conversation_id.is_none() => 0,
        _ => 1,
    };
    let replaced = retried.map_or(0, |rounds| {
        rounds
            .iter()
            .filter(|c| conversation_id != Some(c.as_str()))
            .count()
    });
    prior + replaced as u32 + this_round
}

fn planned(r: &BatchRecord) -> Option<crate::api::PlannedRoundView> {
    let p = r.pending_follow_up.as_ref()?;
    Some(crate::api::PlannedRoundView {
        kind: p.kind,
        due_unix: p.due_unix?,
        recipients: p.recipients,
    })
}

fn auto_retry(r: &BatchRecord) -> Option<AutoRetryView> {
    let p = r.retry_policy.as_ref()?;
    Some(AutoRetryView {
        outcomes: p.outcomes.clone(),
        max_attempts: p.max_attempts,
        spacing_secs: p.spacing_secs,
        rounds: r.retry_round,
        next_at_unix: r
            .continued_by
            .as_ref()
            .filter(|c| c.kind == FollowUpKind::Retry)
            .and_then(|c| c.scheduled_time_unix)
            .or_else(|| {
                r.pending_follow_up
                    .as_ref()
                    .filter(|p| p.kind == FollowUpKind::Retry)
                    .and_then(|p| p.due_unix)
            }),
    })
}

fn enrich(v: &mut RecipientView, c: &ConversationDetails) {
    v.summary = c.summary.clone();
    v.duration_secs = c.duration_secs;
    v.call_duration = c.duration_secs;
    v.transcript = Some(c.transcript.clone());
    v.audio_url = Some(audio_path(&c.conversation_id));
    v.call_successful = c.call_successful.clone();
    v.termination_reason = c.termination_reason.clone();
    v.cost = c.cost;
    v.data_collection = c.data_collection.clone();
}

/// Indexes of recipients that differ between two views of the same batch (a recipient
/// that appeared counts as changed).
pub fn changed_recipients(old: &BatchStatusView, new: &BatchStatusView) -> Vec<usize> {
    let before: HashMap<&str, &RecipientView> =
        old.recipients.iter().map(|r| (r.id.as_str(), r)).collect();
    new.recipients
        .iter()
        .enumerate()
        .filter(|(_, r)| before.get(r.id.as_str()) != Some(r))
        .map(|(i, _)| i)
        .collect()
}

/// Viewers hear about a poll only when something they can see changed.
pub fn differs(old: &BatchStatusView, new: &BatchStatusView) -> bool {
    old != new
}

/// Every recipient that should be enriched is (or has given up).
pub fn fully_enriched(view: &BatchStatusView, gave_up: &std::collections::HashSet<String>) -> bool {
    view.recipients.iter().all(|r| {
        r.enrichment_error.is_none()
            || r.conversation_id
                .as_ref()
                .is_some_and(|c| gave_up.contains(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BatchStatus, Variables};
    use crate::elevenlabs::{BatchCallDetailedResponse, BatchCallResponse, BatchRecipientResponse};

    fn detail(
        statuses: &[(&str, RecipientStatus, Option<&str>)],
        batch: BatchStatus,
    ) -> BatchCallDetailedResponse {
        let json = serde_json::json!({
            "id": "btcal_1", "name": "Llamada G - 1/1/2026", "agent_id": "agent_1",
            "status": batch.as_str(), "created_at_unix": 1, "scheduled_time_unix": 1,
            "last_updated_at_unix": 2,
            "recipients": statuses.iter().map(|(p, s, c)| serde_json::json!({
                "id": format!("r{p}"), "phone_number": p, "status": s.as_str(),
                "created_at_unix": 1, "updated_at_unix": 2, "conversation_id": c,
            })).collect::<Vec<_>>()
        });
        let d: BatchCallDetailedResponse = serde_json::from_value(json).unwrap();
        let _: (&BatchCallResponse, &Vec<BatchRecipientResponse>) = (&d.batch, &d.recipients);
        d
    }

    fn record() -> BatchRecord {
        let mut vars = Variables::new();
        vars.insert("name".into(), "Dr. García".into());
        BatchRecord {
            batch_id: "btcal_1".into(),
            group_id: 55,
            group_name: "Médicos Test".into(),
            user_id: 19,
            agent_id: "agent_1".into(),
            phone_number_id: "ph".into(),
            call_name: "x".into(),
            created_at: chrono::Utc::now(),
            scheduled_time_unix: None,
            recipients: vec![SubmittedRecipient {
                client_id: 1,
                name: "Dr. García".into(),
                phone_number: "+573001112223".into(),
                variables: vars,
                prior_attempts: 0,
            }],
            skipped: vec![],
            last_status: None,
            ..Default::default()
        }
    }

    #[test]
    fn enriches_completed_recipients_and_marks_partial() {
        use RecipientStatus::*;
        let d = detail(
            &[
                ("+573001112223", Completed, Some("conv_1")),
                ("+573004445556", Failed, Some("conv_2")),
            ],
            BatchStatus::Completed,
        );
        let mut convs = HashMap::new();
        convs.insert(
            "conv_1".to_string(),
            Arc::new(ConversationDetails {
                conversation_id: "conv_1".into(),
                status: "done".into(),
                summary: Some("Resumen".into()),
                duration_secs: Some(45),
                ..Default::default()
            }),
        );
        let v = build_view(&d, Some(&record()), &convs, &HashMap::new());
        assert_eq!(v.status, BatchStatus::PartiallyCompleted);
        let r = &v.recipients[0];
        assert_eq!(r.name.as_deref(), Some("Dr. García"));
        assert_eq!(r.variables["name"], "Dr. García");
        assert_eq!((r.duration_secs, r.call_duration), (Some(45), Some(45)));
        assert_eq!(
            r.audio_url.as_deref(),
            Some("/api/conversations/conv_1/audio")
        );
        assert!(v.recipients[1].summary.is_none() && v.recipients[1].enrichment_error.is_none());
        assert_eq!(v.counts["completed"], 1);
        assert_eq!(v.counts["failed"], 1);
        assert_eq!(v.counts["pending"], 0);
    }

    #[test]
    fn missing_conversation_carries_its_reason_and_diff_sees_changes() {
        use RecipientStatus::*;
        let d1 = detail(
            &[("+1", InProgress, Some("conv_1")), ("+2", Pending, None)],
            BatchStatus::InProgress,
        );
        let d2 = detail(
            &[("+1", Completed, Some("conv_1")), ("+2", Pending, None)],
            BatchStatus::InProgress,
        );
        let failures =
            HashMap::from([("conv_1".to_string(), "ElevenLabs no respondió".to_string())]);
        let v1 = build_view(&d1, None, &HashMap::new(), &failures);
        let v2 = build_view(&d2, None, &HashMap::new(), &failures);
        assert!(
            v1.recipients[0].enrichment_error.is_none(),
            "not completed: not enriched"
        );
        assert_eq!(
            v2.recipients[0].enrichment_error.as_deref(),
            Some("ElevenLabs no respondió")
        );
        assert_eq!(changed_recipients(&v1, &v2), vec![0]);
        assert!(differs(&v1, &v2));
        assert!(!differs(&v2, &v2.clone()));
        assert!(!fully_enriched(&v2, &Default::default()));
        assert!(fully_enriched(
            &v2,
            &["conv_1".to_string()].into_iter().collect()
        ));
    }

    #[test]
    fn attempts_count_calls_made_not_rounds_asked() {
        use RecipientStatus::*;
        // First batch: queued has no call yet, a finished call is one.
        assert_eq!(attempts(0, None, &Pending, None), 0);
        assert_eq!(attempts(0, None, &Failed, Some("c1")), 1);
        assert_eq!(attempts(0, None, &Cancelled, None), 0);
        assert_eq!(attempts(0, None, &Cancelled, Some("c1")), 1);
        // A retry round re-queued it: its earlier call still counts...
        let one = vec!["c1".to_string()];
        assert_eq!(attempts(0, Some(&one), &Pending, None), 1);
        assert_eq!(attempts(0, Some(&one), &Completed, Some("c2")), 2);
        // ...but a round that did not re-dial it (same conversation) adds nothing.
        assert_eq!(attempts(0, Some(&one), &Voicemail, Some("c1")), 1);
        // A continuation carries the calls of the batches before it.
        assert_eq!(attempts(2, None, &Failed, Some("c9")), 3);
    }
}
