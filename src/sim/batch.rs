//! A simulated batch: its recipients' planned calls, what they look like at a virtual
//! instant, and cancel/retry. Views are cached until the next planned change, so a poll of
//! an unchanged 10,000-recipient batch costs a copy of bytes, not a serialisation.

use bytes::Bytes;
use serde_json::Value;

use super::engine::{Mix, Phase, ToPlan, plan};
use super::outcome::Outcome;
use super::recipient::{NewRecipient, SimRecipient};
use crate::domain::BatchStatus;
use crate::elevenlabs::{BatchCallResponse, TelephonyCallConfig, TelephonyProvider};

pub struct SimBatch {
    pub id: String,
    pub name: String,
    pub agent_id: String,
    pub agent_name: String,
    /// The agent's first message and prompt when the batch was submitted.
    pub first_message: String,
    /// The variables the agent's tools used then (for the error text of a call lacking one).
    pub tool_variables: std::collections::BTreeSet<String>,
    pub phone_number_id: Option<String>,
    pub phone_provider: Option<TelephonyProvider>,
    pub agent_number: String,
    pub created_at: i64,
    pub scheduled_at: i64,
    pub timezone: Option<String>,
    pub target_concurrency_limit: Option<u32>,
    pub telephony_call_config: TelephonyCallConfig,
    pub slots: usize,
    pub retry_count: u32,
    pub cancelled_at: Option<i64>,
    /// Last cancel or retry.
    pub touched_at: i64,
    pub deleted: bool,
    pub recipients: Vec<SimRecipient>,
    summary: Option<(i64, i64, Summary)>,
    detail: Option<(i64, i64, Bytes)>,
    /// The same view gzipped, made on the first request that accepts gzip.
    detail_gz: Option<(i64, i64, Bytes)>,
}

#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub status_final: bool,
    pub dispatched: u64,
    pub finished: u64,
    pub last_updated: i64,
    /// Next planned change after the instant it was computed for.
    pub next_change: i64,
}

pub struct NewBatch {
    pub id: String,
    pub name: String,
    pub agent_id: String,
    pub agent_name: String,
    pub first_message: String,
    pub tool_variables: std::collections::BTreeSet<String>,
    pub phone_number_id: Option<String>,
    pub phone_provider: Option<TelephonyProvider>,
    pub agent_number: String,
    pub now: i64,
    pub scheduled_time_unix: Option<i64>,
    pub timezone: Option<String>,
    pub target_concurrency_limit: Option<u32>,
    pub telephony_call_config: TelephonyCallConfig,
    pub slots: usize,
}

impl SimBatch {
    /// A new batch with every call planned from its start.
    pub fn new(b: NewBatch, recipients: Vec<(String, NewRecipient)>, mix: &Mix) -> Self {
        // The dialer picks a new batch up a second later: submit answers `pending`.
        let start = b.scheduled_time_unix.unwrap_or(b.now).max(b.now) + 1;
        let to_plan: Vec<ToPlan> = recipients
            .iter()
            .map(|(id, r)| ToPlan {
                phone: r
                    .phone
                    .as_deref()
                    .or(r.whatsapp_user_id.as_deref())
                    .unwrap_or(id),
                missing: r.missing.clone(),
                attempt_no: 0,
                key: id,
            })
            .collect();
        let plans = plan(mix, &to_plan, start, b.slots);
        drop(to_plan);
        let recipients = recipients
            .into_iter()
            .zip(plans)
            .map(|((id, r), a)| SimRecipient::new(id, r, b.now, a))
            .collect();
        Self {
            id: b.id,
            name: b.name,
            agent_id: b.agent_id,
            agent_name: b.agent_name,
            first_message: b.first_message,
            tool_variables: b.tool_variables,
            phone_number_id: b.phone_number_id,
            phone_provider: b.phone_provider,
            agent_number: b.agent_number,
            created_at: b.now,
            scheduled_at: b.scheduled_time_unix.unwrap_or(b.now),
            timezone: b.timezone,
            target_concurrency_limit: b.target_concurrency_limit,
            telephony_call_config: b.telephony_call_config,
            slots: b.slots,
            retry_count: 0,
            cancelled_at: None,
            touched_at: b.now,
            deleted: false,
            recipients,
            summary: None,
            detail: None,
            detail_gz: None,
        }
    }

    pub fn summary(&mut self, t: i64) -> Summary {
        if let Some((at, until, s)) = self.summary
            && t >= at
            && t < until
        {
            return s;
        }
        let mut s = Summary {
            status_final: true,
            dispatched: 0,
            finished: 0,
            last_updated: self.created_at.max(self.touched_at),
            next_change: if t < self.scheduled_at {
                self.scheduled_at
            } else {
                i64::MAX
            },
        };
        for r in &self.recipients {
            let (phase, since, next) = r.phase(t);
            if phase.is_final() {
                s.finished += 1;
            } else {
                s.status_final = false;
            }
            if r.dispatched(t) {
                s.dispatched += 1;
            }
            s.last_updated = s.last_updated.max(since);
            s.next_change = s.next_change.min(next);
        }
        self.summary = Some((t, s.next_change, s));
        s
    }

    pub fn status(&mut self, t: i64) -> BatchStatus {
        let s = self.summary(t);
        if self.cancelled_at.is_some_and(|c| c <= t) {
            BatchStatus::Cancelled
        } else if t < self.scheduled_at || s.dispatched == 0 {
            BatchStatus::Pending
        } else if s.status_final {
            BatchStatus::Completed
        } else {
            BatchStatus::InProgress
        }
    }

    /// `BatchCallResponse` at `t`.
    pub fn view(&mut self, t: i64) -> BatchCallResponse {
        let s = self.summary(t);
        let status = self.status(t);
        BatchCallResponse {
            id: self.id.clone(),
            phone_number_id: self.phone_number_id.clone(),
            phone_provider: self.phone_provider.clone(),
            whatsapp_params: None,
            name: self.name.clone(),
            agent_id: self.agent_id.clone(),
            branch_id: None,
            environment: None,
            created_at_unix: self.created_at,
            scheduled_time_unix: self.scheduled_at,
            timezone: self.timezone.clone(),
            total_calls_dispatched: s.dispatched,
            total_calls_scheduled: self.recipients.len() as u64,
            total_calls_finished: s.finished,
            last_updated_at_unix: s.last_updated,
            status,
            retry_count: self.retry_count,
            telephony_call_config: self.telephony_call_config.clone(),
            target_concurrency_limit: self.target_concurrency_limit,
            agent_name: Some(self.agent_name.clone()),
            branch_name: None,
            // A field callboard does not model (the simulator's clock when it answered),
            // so clients meet an unknown field as they would from a newer ElevenLabs.
            extra: [("sim_clock_unix".to_string(), Value::from(t))]
                .into_iter()
                .collect(),
        }
    }

    /// `BatchCallDetailedResponse` at `t`, as JSON bytes.
    pub fn detail_json(&mut self, t: i64) -> Bytes {
        if let Some((at, until, bytes)) = &self.detail
            && t >= *at
            && t < *until
        {
            return bytes.clone();
        }
        let view = self.view(t);
        let until = self.summary(t).next_change;
        let mut out = serde_json::to_vec(&view).unwrap_or_else(|_| b"{}".to_vec());
        out.pop(); // the closing brace: recipients go inside the same object
        out.reserve(self.recipients.len() * 400 + 20);
        out.extend_from_slice(b",\"recipients\":[");
        for (i, r) in self.recipients.iter_mut().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(r.fragment(t).as_bytes());
        }
        out.extend_from_slice(b"]}");
        let bytes = Bytes::from(out);
        self.detail = Some((t, until, bytes.clone()));
        bytes
    }

    /// `detail_json` gzipped: a 1,000-recipient view shrinks about twentyfold, which is
    /// what lets a poller read it thousands of times a second.
    pub fn detail_gzip(&mut self, t: i64) -> Bytes {
        if let Some((at, until, bytes)) = &self.detail_gz
            && t >= *at
            && t < *until
        {
            return bytes.clone();
        }
        let plain = self.detail_json(t);
        let until = self.detail.as_ref().map_or(t + 1, |(_, u, _)| *u);
        let gz = crate::gzip::compress(&plain);
        self.detail_gz = Some((t, until, gz.clone()));
        gz
    }

    fn invalidate(&mut self) {
        self.summary = None;
        self.detail = None;
        self.detail_gz = None;
    }

    /// Cancels at `t`: recipients not yet ringing are cancelled, live calls finish.
    pub fn cancel(&mut self, t: i64) -> Result<(), &'static str> {
        match self.status(t) {
            BatchStatus::Cancelled => return Err("batch_already_cancelled"),
            BatchStatus::Completed => return Err("batch_already_completed"),
            _ => {}
        }
        self.cancelled_at = Some(t);
        for r in &mut self.recipients {
            if matches!(r.phase(t).0, Phase::Pending | Phase::Dispatched) {
                r.cancelled_at = Some(t);
            }
        }
        self.touched_at = t;
        self.invalidate();
        Ok(())
    }

    /// Re-dials failed and voicemail recipients of a finished batch. Returns the new
    /// attempts' conversation ids with the recipient index, for the conversation index.
    pub fn retry(&mut self, t: i64, mix: &Mix) -> Result<Vec<(String, usize)>, &'static str> {
        match self.status(t) {
            BatchStatus::Completed => {}
            BatchStatus::Cancelled => return Err("batch_cancelled"),
            _ => return Err("batch_not_finished"),
        }
        let chosen: Vec<usize> = (0..self.recipients.len())
            .filter(|i| match self.recipients[*i].phase(t).0 {
                Phase::Failed => true,
                Phase::Voicemail => mix.retry_voicemail,
                _ => false,
            })
            .collect();
        let missing: Vec<Vec<String>> = chosen
            .iter()
            .map(
                |i| match self.recipients[*i].attempts.last().map(|a| &a.outcome) {
                    Some(Outcome::MissingVariables(m)) => m.clone(),
                    _ => Vec::new(),
                },
            )
            .collect();
        let to_plan: Vec<ToPlan> = chosen
            .iter()
            .zip(&missing)
            .map(|(i, m)| {
                let r = &self.recipients[*i];
                ToPlan {
                    phone: r
                        .phone
                        .as_deref()
                        .or(r.whatsapp_user_id.as_deref())
                        .unwrap_or(&r.id),
                    missing: m.clone(),
                    attempt_no: r.attempts.len() as u32,
                    key: &r.id,
                }
            })
            .collect();
        let plans = plan(mix, &to_plan, t, self.slots);
        drop(to_plan);
        let mut new_ids = Vec::with_capacity(plans.len());
        for (i, a) in chosen.into_iter().zip(plans) {
            new_ids.push((a.conversation_id.clone(), i));
            let r = &mut self.recipients[i];
            r.attempts.push(a);
            r.queued_at = t;
        }
        self.retry_count += 1;
        self.touched_at = t;
        self.invalidate();
        Ok(new_ids)
    }
}
