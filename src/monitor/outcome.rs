//! What a final batch leaves in its record: its outcome (for the next pre-flight
//! estimate) and when each answered call was reached.

/// What a final batch leaves for the next pre-flight estimate.
pub fn batch_outcome(view: &crate::api::BatchStatusView) -> crate::domain::BatchOutcome {
    let k = crate::report::kpis(view);
    crate::domain::BatchOutcome {
        finished: k.finished,
        completed: k.completed,
        avg_duration_secs: k.average_duration_secs,
        cost_total: k.cost_total,
        cost_known_for: k.cost_known_for,
    }
}

/// The batch's answered calls, each at the time upstream last updated it, kept between
/// the batch's creation and `now` (a simulator's clock may run ahead of ours).
pub fn reached(
    view: &crate::api::BatchStatusView,
    created_at: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> std::collections::BTreeMap<String, i64> {
    let (from, to) = (created_at.timestamp(), now.timestamp());
    view.recipients
        .iter()
        .filter(|r| r.status == crate::domain::RecipientStatus::Completed)
        .map(|r| {
            (
                r.phone_number.clone(),
                r.updated_at_unix.clamp(from, to.max(from)),
            )
        })
        .collect()
}
