//! A simulated batch's recipient: what was submitted, its attempts, where it stands at a
//! virtual instant, and its JSON, cached until its phase changes.

use super::engine::{Attempt, Phase, attempt_phase};
use crate::elevenlabs::ConversationInitiationClientData;

pub struct SimRecipient {
    pub id: String,
    pub phone: Option<String>,
    pub whatsapp_user_id: Option<String>,
    /// What was submitted, in the shape upstream echoes it.
    pub client_data: Option<ConversationInitiationClientData>,
    pub created_at: i64,
    /// When the current attempt was queued (submit or retry).
    pub queued_at: i64,
    /// Every dialling; the last one is current.
    pub attempts: Vec<Attempt>,
    pub cancelled_at: Option<i64>,
    /// The recipient's JSON, valid while (attempt count, phase) stay the same.
    fragment: Option<((usize, Phase), Box<str>)>,
}

/// `BatchRecipientResponse` borrowed from the recipient: no clone per render.
#[derive(serde::Serialize)]
struct RecipientView<'a> {
    id: &'a str,
    phone_number: Option<&'a str>,
    whatsapp_user_id: Option<&'a str>,
    status: &'a str,
    created_at_unix: i64,
    updated_at_unix: i64,
    conversation_id: Option<&'a str>,
    conversation_initiation_client_data: Option<&'a ConversationInitiationClientData>,
}

pub struct NewRecipient {
    pub phone: Option<String>,
    pub whatsapp_user_id: Option<String>,
    pub client_data: Option<ConversationInitiationClientData>,
    pub missing: Vec<String>,
}

impl SimRecipient {
    /// A recipient just queued at `now`, with its first planned attempt.
    pub fn new(id: String, r: NewRecipient, now: i64, first: Attempt) -> Self {
        Self {
            id,
            phone: r.phone,
            whatsapp_user_id: r.whatsapp_user_id,
            client_data: r.client_data,
            created_at: now,
            queued_at: now,
            attempts: vec![first],
            cancelled_at: None,
            fragment: None,
        }
    }

    /// Phase at `t`, since when, and the next change.
    pub fn phase(&self, t: i64) -> (Phase, i64, i64) {
        if let Some(c) = self.cancelled_at.filter(|c| *c <= t) {
            return (Phase::Cancelled, c, i64::MAX);
        }
        match self.attempts.last() {
            Some(a) => attempt_phase(a, self.queued_at, t),
            None => (Phase::Pending, self.queued_at, i64::MAX),
        }
    }

    pub fn dispatched(&self, t: i64) -> bool {
        let until = self.cancelled_at.unwrap_or(i64::MAX).min(t);
        self.attempts.last().is_some_and(|a| a.dispatch_at <= until)
    }

    pub fn fragment(&mut self, t: i64) -> &str {
        let (phase, since, _) = self.phase(t);
        let key = (self.attempts.len(), phase);
        if self.fragment.as_ref().is_none_or(|(k, _)| *k != key) {
            let conversation_id = match phase {
                Phase::Pending | Phase::Dispatched | Phase::Cancelled => None,
                _ => self.attempts.last().map(|a| a.conversation_id.clone()),
            };
            let status = phase.status();
            let view = RecipientView {
                id: &self.id,
                phone_number: self.phone.as_deref(),
                whatsapp_user_id: self.whatsapp_user_id.as_deref(),
                status: status.as_str(),
                created_at_unix: self.created_at,
                updated_at_unix: since.max(self.created_at),
                conversation_id: conversation_id.as_deref(),
                conversation_initiation_client_data: self.client_data.as_ref(),
            };
            let json = serde_json::to_string(&view).unwrap_or_default();
            self.fragment = Some((key, json.into_boxed_str()));
        }
        self.fragment.as_ref().map(|(_, s)| &**s).unwrap_or("")
    }
}
