//! Who of a group's clients is dialled and who is left out, and why: an invalid phone, a
//! duplicate, another country, an opt-out, a contact today, an answered call this week,
//! or missing variables.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use super::input::PreflightInput;
use crate::domain::model::{Client, SkippedClient, SubmittedRecipient};
use crate::domain::phone::{self, Region};
use crate::domain::variables;

/// The clients sorted out, each list in the clients' order.
#[derive(Debug, Default)]
pub(super) struct Sorted {
    pub recipients: Vec<SubmittedRecipient>,
    /// Left out for good.
    pub skipped: Vec<SkippedClient>,
    /// Lacking a variable the agent uses.
    pub incomplete: Vec<SkippedClient>,
}

/// What becomes of one client.
enum Verdict {
    Dial(SubmittedRecipient),
    Skip(SkippedClient),
    Incomplete(SkippedClient),
}

/// Sorts the input's clients; a phone is dialled once, for its first client.
/// `start` is when dialling would really start: its week is the one the weekly limit counts.
pub(super) fn sort_clients(input: &PreflightInput<'_>, start: DateTime<Utc>) -> Sorted {
    let mut out = Sorted {
        recipients: Vec::with_capacity(input.clients.len()),
        ..Sorted::default()
    };
    let mut seen: HashMap<&str, &Client> = HashMap::with_capacity(input.clients.len());
    for c in input.clients {
        match verdict(input, c, &mut seen, start) {
            Verdict::Dial(r) => out.recipients.push(r),
            Verdict::Skip(s) => out.skipped.push(s),
            Verdict::Incomplete(s) => out.incomplete.push(s),
        }
    }
    out
}

fn verdict<'c>(
    input: &PreflightInput<'c>,
    c: &'c Client,
    seen: &mut HashMap<&'c str, &'c Client>,
    start: DateTime<Utc>,
) -> Verdict {
    let e164 = match &c.phone_e164 {
        Ok(p) => p.as_str(),
        Err(e) => {
            return Verdict::Skip(skip(c, "invalid_phone", format!("teléfono inválido: {e}")));
        }
    };
    if let Some(first) = seen.get(e164) {
        return Verdict::Skip(skip(
            c,
            "duplicate_phone",
            format!("mismo teléfono que {} (se llama una sola vez)", first.name),
        ));
    }
    seen.insert(e164, c);
    if let Some(skipped) = left_out(input, c, e164, start) {
        return Verdict::Skip(skipped);
    }
    let vars = variables::build(c, input.group);
    let missing = variables::missing(input.required_variables, &vars);
    if !missing.is_empty() {
        let mut s = skip(
            c,
            "missing_variables",
            format!("faltan variables que usa el agente: {}", missing.join(", ")),
        );
        s.phone = e164.to_string();
        s.missing = missing.iter().map(|m| m.to_string()).collect();
        return Verdict::Incomplete(s);
    }
    Verdict::Dial(SubmittedRecipient {
        client_id: c.id,
        name: c.name.clone(),
        phone_number: e164.to_string(),
        variables: vars,
        prior_attempts: 0,
    })
}

/// A valid, first-seen phone left out all the same: another country, an opt-out, a
/// contact today, or an answered call in the week of `start`.
fn left_out(
    input: &PreflightInput<'_>,
    c: &Client,
    e164: &str,
    start: DateTime<Utc>,
) -> Option<SkippedClient> {
    if !input.other_countries && !phone::in_region(e164, input.region) {
        return Some(skip(
            c,
            "other_country",
            other_country_reason(e164, input.region),
        ));
    }
    if let Some(why) = input.opted_out.and_then(|o| o.get(e164)) {
        return Some(skip(c, "opted_out", format!("no desea ser llamado: {why}")));
    }
    if input.contacted_today.is_some_and(|t| t.contains(e164)) {
        return Some(skip(
            c,
            "contacted_today",
            "ya fue contactado hoy (máximo un contacto por día)".to_string(),
        ));
    }
    reached_this_week(input, c, e164, start)
}

/// The pack's weekly limit of answered calls, counted in the calendar week of `start`.
fn reached_this_week(
    input: &PreflightInput<'_>,
    c: &Client,
    e164: &str,
    start: DateTime<Utc>,
) -> Option<SkippedClient> {
    let rules = input.rules?;
    let limit = rules.max_successful_contacts_per_week?;
    let reached = input.reached?;
    let (from, to) = rules.week_of(start);
    let answered = reached.count_between(e164, from, to);
    (answered >= limit).then(|| {
        let times = if limit == 1 {
            "una vez".to_string()
        } else {
            format!("{limit} veces")
        };
        skip(
            c,
            "reached_this_week",
            format!(
                "ya fue contactado con éxito esta semana (Ley 2300: máximo {times} por semana, de lunes a domingo)"
            ),
        )
    })
}

/// Why a number of another country is left out, in Spanish.
fn other_country_reason(e164: &str, region: Region) -> String {
    let theirs = phone::calling_code_of(e164)
        .map(|c| format!(" (+{c})"))
        .unwrap_or_default();
    format!(
        "número de otro país{theirs}: este grupo solo llama a números de {} (+{}); cambie el país del grupo (country) o permita otros países en el grupo (otherCountries) o en la configuración (other_countries)",
        region.code(),
        region.calling_code()
    )
}

fn skip(c: &Client, code: &str, reason: String) -> SkippedClient {
    SkippedClient {
        client_id: c.id,
        name: c.name.clone(),
        phone: c.phone.clone(),
        reason,
        code: code.to_string(),
        missing: Vec::new(),
    }
}
