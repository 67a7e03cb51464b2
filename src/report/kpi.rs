//! Campaign KPIs, with the definitions of `../shared/reference/competitors.md`:
//! pick-up rate = answered by a person ÷ finished attempts (voicemail is not a pick-up);
//! success rate = `call_successful == success` ÷ answered calls.

use serde::{Deserialize, Serialize};

use crate::api::BatchStatusView;
use crate::domain::RecipientStatus;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchKpis {
    pub batch_id: String,
    pub name: String,
    pub total: usize,
    /// Recipients whose call ended: completed, voicemail or failed.
    pub finished: usize,
    pub completed: usize,
    pub voicemail: usize,
    pub failed: usize,
    pub cancelled: usize,
    /// Share of the list attempted to the end (finished ÷ total).
    pub coverage: Option<f64>,
    pub pickup_rate: Option<f64>,
    pub voicemail_rate: Option<f64>,
    pub failure_rate: Option<f64>,
    /// Over answered calls with an analysis verdict.
    pub success_rate: Option<f64>,
    pub average_duration_secs: Option<f64>,
    pub calls_per_hour: Option<f64>,
    /// Sum of known costs (ElevenLabs credits), and how many calls it covers.
    pub cost_total: Option<f64>,
    pub cost_known_for: usize,
    pub retry_count: u32,
}

fn ratio(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// KPIs of one batch as it stands.
pub fn kpis(view: &BatchStatusView) -> BatchKpis {
    let count = |s: RecipientStatus| view.recipients.iter().filter(|r| r.status == s).count();
    let completed = count(RecipientStatus::Completed);
    let voicemail = count(RecipientStatus::Voicemail);
    let failed = count(RecipientStatus::Failed);
    let cancelled = count(RecipientStatus::Cancelled);
    let finished = completed + voicemail + failed;
    let answered: Vec<_> = view
        .recipients
        .iter()
        .filter(|r| r.status == RecipientStatus::Completed)
        .collect();
    let judged = answered
        .iter()
        .filter(|r| matches!(r.call_successful.as_deref(), Some("success" | "failure")))
        .count();
    let successes = answered
        .iter()
        .filter(|r| r.call_successful.as_deref() == Some("success"))
        .count();
    let durations: Vec<u64> = answered.iter().filter_map(|r| r.duration_secs).collect();
    let average_duration_secs = (!durations.is_empty())
        .then(|| durations.iter().sum::<u64>() as f64 / durations.len() as f64);
    let costs: Vec<f64> = view.recipients.iter().filter_map(|r| r.cost).collect();
    let start = if view.scheduled_time_unix > 0 {
        view.scheduled_time_unix
    } else {
        view.created_at_unix
    };
    let end = view
        .recipients
        .iter()
        .filter(|r| r.status.is_final())
        .map(|r| r.updated_at_unix)
        .max()
        .unwrap_or(start);
    let hours = (end - start) as f64 / 3600.0;
    BatchKpis {
        batch_id: view.batch_id.clone(),
        name: view.name.clone(),
        total: view.recipients.len(),
        finished,
        completed,
        voicemail,
        failed,
        cancelled,
        coverage: ratio(finished, view.recipients.len()),
        pickup_rate: ratio(completed, finished),
        voicemail_rate: ratio(voicemail, finished),
        failure_rate: ratio(failed, finished),
        success_rate: ratio(successes, judged),
        average_duration_secs,
        calls_per_hour: (finished > 0 && hours > 0.0).then(|| finished as f64 / hours),
        cost_total: (!costs.is_empty()).then(|| costs.iter().sum()),
        cost_known_for: costs.len(),
        retry_count: view.retry_count,
    }
}

/// Two batches side by side: `b − a` for each rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiComparison {
    pub a: BatchKpis,
    pub b: BatchKpis,
    pub pickup_rate_delta: Option<f64>,
    pub success_rate_delta: Option<f64>,
    pub voicemail_rate_delta: Option<f64>,
    #[serde(default)]
    pub failure_rate_delta: Option<f64>,
    #[serde(default)]
    pub coverage_delta: Option<f64>,
    pub average_duration_delta_secs: Option<f64>,
    #[serde(default)]
    pub calls_per_hour_delta: Option<f64>,
}

pub fn compare(a: BatchKpis, b: BatchKpis) -> KpiComparison {
    let delta = |x: Option<f64>, y: Option<f64>| Some(y? - x?);
    KpiComparison {
        pickup_rate_delta: delta(a.pickup_rate, b.pickup_rate),
        success_rate_delta: delta(a.success_rate, b.success_rate),
        voicemail_rate_delta: delta(a.voicemail_rate, b.voicemail_rate),
        failure_rate_delta: delta(a.failure_rate, b.failure_rate),
        coverage_delta: delta(a.coverage, b.coverage),
        calls_per_hour_delta: delta(a.calls_per_hour, b.calls_per_hour),
        average_duration_delta_secs: delta(a.average_duration_secs, b.average_duration_secs),
        a,
        b,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::api::RecipientView;
    use crate::domain::BatchStatus;

    pub(crate) fn recipient(
        i: usize,
        status: RecipientStatus,
        success: Option<&str>,
        dur: Option<u64>,
    ) -> RecipientView {
        RecipientView {
            id: format!("r{i}"),
            phone_number: format!("+57300000000{i}"),
            status,
            variables: [("name".to_string(), format!("Cliente {i}"))]
                .into_iter()
                .collect(),
            name: Some(format!("Cliente {i}")),
            conversation_id: dur.map(|_| format!("conv_{i}")),
            summary: dur.map(|_| "Resumen, con coma".to_string()),
            duration_secs: dur,
            call_duration: dur,
            transcript: None,
            audio_url: None,
            call_successful: success.map(str::to_string),
            termination_reason: None,
            enrichment_error: None,
            updated_at_unix: 1_000 + 360 * i as i64,
            cost: dur.map(|d| d as f64 * 10.0),
            data_collection: Default::default(),
            attempts: 1,
            opted_out: false,
        }
    }

    pub(crate) fn view(recipients: Vec<RecipientView>) -> BatchStatusView {
        BatchStatusView {
            batch_id: "btcal_1".into(),
            id: "btcal_1".into(),
            name: "Llamada Médicos Test - 25/11/2026".into(),
            status: BatchStatus::Completed,
            agent_id: "agent_1".into(),
            group_id: Some(55),
            group_name: Some("Médicos Test".into()),
            created_at_unix: 1_000,
            scheduled_time_unix: 1_000,
            last_updated_at_unix: 5_000,
            retry_count: 0,
            counts: BatchStatusView::count(&recipients),
            total_recipients: recipients.len(),
            recipients,
            stop_reason: None,
            auto_retry: None,
            continued_by: None,
            continues: None,
            planned: None,
        }
    }

    #[test]
    fn rates_follow_the_definitions() {
        use RecipientStatus::*;
        let v = view(vec![
            recipient(1, Completed, Some("success"), Some(60)),
            recipient(2, Completed, Some("failure"), Some(30)),
            recipient(3, Completed, Some("unknown"), Some(90)),
            recipient(4, Voicemail, None, None),
            recipient(5, Failed, None, None),
            recipient(6, Pending, None, None),
            recipient(7, Cancelled, None, None),
        ]);
        let k = kpis(&v);
        assert_eq!((k.total, k.finished, k.completed), (7, 5, 3));
        assert_eq!(k.pickup_rate, Some(3.0 / 5.0));
        assert_eq!(k.voicemail_rate, Some(1.0 / 5.0));
        assert_eq!(k.failure_rate, Some(1.0 / 5.0));
        assert_eq!(k.success_rate, Some(0.5), "unknown verdicts are not judged");
        assert_eq!(k.average_duration_secs, Some(60.0));
        assert_eq!(k.coverage, Some(5.0 / 7.0));
        assert_eq!(k.cost_total, Some(1800.0));
        assert_eq!(k.cost_known_for, 3);
        // Last final update at 1000 + 360·7 s after a start at 1000 s: 0.7 h for 5 calls.
        let cph = k.calls_per_hour.unwrap();
        assert!((cph - 5.0 / 0.7).abs() < 1e-9, "{cph}");
    }

    #[test]
    fn empty_batch_has_no_rates_instead_of_nan() {
        let k = kpis(&view(vec![]));
        assert_eq!(k.pickup_rate, None);
        assert_eq!(k.calls_per_hour, None);
        assert_eq!(k.average_duration_secs, None);
    }

    #[test]
    fn comparison_is_b_minus_a() {
        use RecipientStatus::*;
        let a = kpis(&view(vec![
            recipient(1, Completed, Some("success"), Some(60)),
            recipient(2, Failed, None, None),
        ]));
        let b = kpis(&view(vec![recipient(
            1,
            Completed,
            Some("success"),
            Some(30),
        )]));
        let c = compare(a, b);
        assert_eq!(c.pickup_rate_delta, Some(0.5));
        assert_eq!(c.average_duration_delta_secs, Some(-30.0));
        assert_eq!(c.success_rate_delta, Some(0.0));
        assert_eq!(c.failure_rate_delta, Some(-0.5));
        assert_eq!(c.coverage_delta, Some(0.0));
    }
}
