//! The pre-flight check run before every call start: who will be dialled, who is left out
//! and why (invalid phone, duplicate, opted out, missing variables, already contacted
//! today), whether the calling window is open, and what the batch will take.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

use super::model::{Client, Group, SkippedClient, SubmittedRecipient};
use super::phone::{self, Region};
use super::rules::RulePack;
use super::variables;

/// What past batches taught us; defaults are used when there is no history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Average seconds a line is busy per recipient (ringing included).
    pub avg_call_secs: f64,
    /// Share of finished attempts answered by a person.
    pub pickup_rate: f64,
    /// Average cost of an answered call, in credits, when known.
    pub avg_cost: Option<f64>,
    /// How many batches this comes from (0 = defaults).
    pub batches: usize,
}

impl Default for History {
    fn default() -> Self {
        Self {
            avg_call_secs: 90.0,
            pickup_rate: 0.6,
            avg_cost: None,
            batches: 0,
        }
    }
}

/// Seconds a line is taken by a call nobody answers (ringing, voicemail detection).
const UNANSWERED_SECS: f64 = 30.0;

impl History {
    /// From the outcomes of past batches (newest first is not required); the defaults
    /// when none has finished calls.
    pub fn from_outcomes<'o>(outcomes: impl IntoIterator<Item = &'o super::BatchOutcome>) -> Self {
        let (mut batches, mut finished, mut completed) = (0, 0usize, 0usize);
        let (mut talk, mut timed) = (0.0, 0usize);
        let (mut cost, mut costed) = (0.0, 0usize);
        for o in outcomes {
            if o.finished == 0 {
                continue;
            }
            batches += 1;
            finished += o.finished;
            completed += o.completed;
            if let Some(d) = o.avg_duration_secs {
                talk += d * o.completed as f64;
                timed += o.completed;
            }
            if let Some(c) = o.cost_total.filter(|_| o.cost_known_for > 0) {
                cost += c;
                costed += o.cost_known_for;
            }
        }
        if batches == 0 {
            return Self::default();
        }
        let pickup_rate = completed as f64 / finished as f64;
        let talk = if timed > 0 {
            talk / timed as f64
        } else {
            Self::default().avg_call_secs
        };
        Self {
            avg_call_secs: pickup_rate * talk + (1.0 - pickup_rate) * UNANSWERED_SECS,
            pickup_rate,
            avg_cost: (costed > 0).then(|| cost / costed as f64),
            batches,
        }
    }
}

pub struct PreflightInput<'a> {
    pub group: &'a Group,
    pub clients: &'a [Client],
    /// `{{variables}}` the agent's prompt and first message use.
    pub required_variables: &'a BTreeSet<String>,
    /// E.164 numbers on the do-not-call list, with the reason.
    pub opted_out: Option<&'a HashMap<String, String>>,
    /// E.164 numbers already contacted today (rule packs allow one contact a day).
    pub contacted_today: Option<&'a HashSet<String>>,
    pub rules: Option<&'a RulePack>,
    pub now: DateTime<Utc>,
    /// Requested start; None = now.
    pub scheduled: Option<DateTime<Utc>>,
    pub concurrency: usize,
    pub history: History,
    /// The country the group dials in (numbers of others are left out)...
    pub region: Region,
    /// ...unless the group or the configuration allows other countries.
    pub other_countries: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowCheck {
    /// Whether the requested start is inside the calling window.
    pub open_at_start: bool,
    /// Why not, in Spanish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When dialling would really start (the next opening when closed).
    pub start_at: DateTime<Utc>,
    /// When that window closes; calls not placed by then wait for the next one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<DateTime<Utc>>,
    /// Rule pack used, or None when calling windows are off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_pack: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    pub duration_secs: u64,
    pub finish_at: DateTime<Utc>,
    /// Whether the batch will likely run past the window's close.
    pub exceeds_window: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_max: Option<f64>,
    /// Batches the estimate is based on (0 = defaults).
    pub based_on_batches: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preflight {
    pub recipients: Vec<SubmittedRecipient>,
    /// Left out for good: invalid phone, duplicate, opted out, contacted today.
    pub skipped: Vec<SkippedClient>,
    /// Lacking a variable the agent uses: refused unless the caller asks to skip them.
    pub incomplete: Vec<SkippedClient>,
    pub agent_variables: Vec<String>,
    pub window: WindowCheck,
    pub estimate: Estimate,
    /// The automatic retry policy the batch would get (the service fills it in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<super::policy::RetryPolicy>,
}

/// Why a number of another country is left out, in Spanish.
fn other_country_reason(e164: &str, region: Region) -> String {
    let theirs = phone::calling_code_of(e164)
        .map(|c| format!(" (+{c})"))
        .unwrap_or_default();
    format!(
        "número de otro país{theirs}: este grupo solo llama a números de {} (+{}); permita otros países en el grupo (otherCountries) o en la configuración (other_countries)",
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

impl<'a> PreflightInput<'a> {
    /// The plain check: phones, duplicates and variables; no opt-outs, no calling window.
    pub fn new(
        group: &'a Group,
        clients: &'a [Client],
        required_variables: &'a BTreeSet<String>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            group,
            clients,
            required_variables,
            opted_out: None,
            contacted_today: None,
            rules: None,
            now,
            scheduled: None,
            concurrency: 1,
            history: History::default(),
            region: Region::default(),
            other_countries: group.other_countries,
        }
    }
}

pub fn run(input: &PreflightInput<'_>) -> Preflight {
    let mut recipients = Vec::with_capacity(input.clients.len());
    let mut skipped = Vec::new();
    let mut incomplete = Vec::new();
    let mut seen: HashMap<&str, &Client> = HashMap::with_capacity(input.clients.len());
    for c in input.clients {
        let e164 = match &c.phone_e164 {
            Ok(p) => p.as_str(),
            Err(e) => {
                skipped.push(skip(c, "invalid_phone", format!("teléfono inválido: {e}")));
                continue;
            }
        };
        if let Some(first) = seen.get(e164) {
            skipped.push(skip(
                c,
                "duplicate_phone",
                format!("mismo teléfono que {} (se llama una sola vez)", first.name),
            ));
            continue;
        }
        seen.insert(e164, c);
        if !input.other_countries && !phone::in_region(e164, input.region) {
            skipped.push(skip(
                c,
                "other_country",
                other_country_reason(e164, input.region),
            ));
            continue;
        }
        if let Some(why) = input.opted_out.and_then(|o| o.get(e164)) {
            skipped.push(skip(c, "opted_out", format!("no desea ser llamado: {why}")));
            continue;
        }
        if input.contacted_today.is_some_and(|t| t.contains(e164)) {
            skipped.push(skip(
                c,
                "contacted_today",
                "ya fue contactado hoy (máximo un contacto por día)".to_string(),
            ));
            continue;
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
            incomplete.push(s);
            continue;
        }
        recipients.push(SubmittedRecipient {
            client_id: c.id,
            name: c.name.clone(),
            phone_number: e164.to_string(),
            variables: vars,
            prior_attempts: 0,
        });
    }
    let requested = input.scheduled.unwrap_or(input.now).max(input.now);
    let window = match input.rules {
        None => WindowCheck {
            open_at_start: true,
            reason: None,
            start_at: requested,
            closes_at: None,
            rule_pack: None,
        },
        Some(rules) => {
            let start_at = rules.next_opening(requested).unwrap_or(requested);
            WindowCheck {
                open_at_start: rules.is_open(requested),
                reason: rules.closed_reason(requested),
                start_at,
                closes_at: rules.close_of_window(start_at),
                rule_pack: Some(rules.name.clone()),
            }
        }
    };
    let n = recipients.len();
    let h = input.history;
    let rounds = n.div_ceil(input.concurrency.max(1));
    let duration_secs = (rounds as f64 * h.avg_call_secs).ceil() as u64;
    // Checked: a start near the end of what dates can hold must not panic.
    let finish_at = i64::try_from(duration_secs)
        .ok()
        .and_then(|d| window.start_at.checked_add_signed(Duration::seconds(d)))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let exceeds_window = window.closes_at.is_some_and(|c| finish_at > c);
    // Cost: every answered call costs about the average; pick-up varies ±20 points.
    let (cost_min, cost_max) = match h.avg_cost {
        Some(avg) => {
            let low = (h.pickup_rate - 0.2).clamp(0.0, 1.0);
            let high = (h.pickup_rate + 0.2).clamp(0.0, 1.0);
            (Some(n as f64 * low * avg), Some(n as f64 * high * avg))
        }
        None => (None, None),
    };
    Preflight {
        recipients,
        skipped,
        incomplete,
        agent_variables: input.required_variables.iter().cloned().collect(),
        window,
        estimate: Estimate {
            duration_secs,
            finish_at,
            exceeds_window,
            cost_min,
            cost_max,
            based_on_batches: h.batches,
        },
        retry_policy: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::phone::{Region, normalize};
    use chrono::TimeZone;
    use std::collections::BTreeMap;

    fn group() -> Group {
        Group {
            id: 55,
            name: "Médicos Test".into(),
            variables: BTreeMap::from([("ciudad".into(), "Cali".into())]),
            created_at: Utc::now(),
            owner: None,
            other_countries: false,
        }
    }

    fn client(id: u64, name: &str, phone: &str, especialidad: Option<&str>) -> Client {
        Client {
            id,
            group_id: 55,
            name: name.into(),
            email: None,
            empresa: None,
            cargo: None,
            phone: phone.into(),
            phone_e164: normalize(phone, Region::COLOMBIA),
            extra: especialidad
                .map(|e| BTreeMap::from([("especialidad".to_string(), e.to_string())]))
                .unwrap_or_default(),
        }
    }

    fn bogota(d: u32, h: u32) -> DateTime<Utc> {
        chrono_tz::America::Bogota
            .with_ymd_and_hms(2026, 11, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn every_reason_to_skip_is_reported() {
        let clients = vec![
            client(1, "Ana", "3001234567", Some("Cardiología")),
            client(2, "Beto", "300-123-4567", Some("Pediatría")),
            client(3, "Carla", "12", Some("x")),
            client(4, "David", "3001234568", None),
            client(5, "Eva", "3001234569", Some("x")),
            client(6, "Fabio", "3001234570", Some("x")),
            client(7, "Gina", "+12125550123", Some("x")),
            client(8, "Hugo", "+34612345678", Some("x")),
        ];
        let required = BTreeSet::from(["name".to_string(), "especialidad".into(), "ciudad".into()]);
        let opted = HashMap::from([("+573001234569".to_string(), "RNE".to_string())]);
        let today = HashSet::from(["+573001234570".to_string()]);
        let rules = RulePack::colombia();
        let p = run(&PreflightInput {
            group: &group(),
            clients: &clients,
            required_variables: &required,
            opted_out: Some(&opted),
            contacted_today: Some(&today),
            rules: Some(&rules),
            now: bogota(25, 10),
            scheduled: None,
            concurrency: 10,
            history: History::default(),
            region: Region::COLOMBIA,
            other_countries: false,
        });
        assert_eq!(p.recipients.len(), 1);
        assert_eq!(p.recipients[0].variables["ciudad"], "Cali");
        let codes: Vec<&str> = p.skipped.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(
            codes,
            vec![
                "duplicate_phone",
                "invalid_phone",
                "opted_out",
                "contacted_today",
                "other_country",
                "other_country"
            ]
        );
        let foreign = &p.skipped[4];
        assert!(
            foreign.reason.contains("otro país (+1)") && foreign.reason.contains("(+57)"),
            "{}",
            foreign.reason
        );
        assert_eq!(p.incomplete.len(), 1);
        assert!(p.incomplete[0].reason.contains("especialidad"));
        assert_eq!(p.incomplete[0].missing, vec!["especialidad"]);
        assert!(p.window.open_at_start);
        assert_eq!(p.window.closes_at, Some(bogota(25, 19)));
        assert_eq!(p.estimate.duration_secs, 90);
    }

    #[test]
    fn closed_window_moves_the_start_and_estimates_past_close() {
        let clients: Vec<Client> = (0..200)
            .map(|i| client(i, "X", &format!("300{:07}", i), Some("x")))
            .collect();
        let rules = RulePack::colombia();
        let p = run(&PreflightInput {
            group: &group(),
            clients: &clients,
            required_variables: &BTreeSet::new(),
            opted_out: None,
            contacted_today: None,
            rules: Some(&rules),
            now: bogota(28, 16), // Saturday after 15:00
            scheduled: None,
            concurrency: 2,
            history: History {
                avg_call_secs: 600.0,
                pickup_rate: 0.5,
                avg_cost: Some(100.0),
                batches: 3,
            },
            region: Region::COLOMBIA,
            other_countries: false,
        });
        assert!(!p.window.open_at_start);
        assert!(p.window.reason.as_deref().unwrap().contains("08:00–15:00"));
        assert_eq!(p.window.start_at, bogota(30, 7));
        assert_eq!(p.estimate.duration_secs, 100 * 600);
        assert!(p.estimate.exceeds_window);
        assert_eq!(p.estimate.cost_min, Some(200.0 * 0.3 * 100.0));
        assert_eq!(p.estimate.cost_max, Some(200.0 * 0.7 * 100.0));
    }

    #[test]
    fn without_rules_the_start_is_the_request() {
        let at = bogota(29, 3);
        let p = run(&PreflightInput {
            group: &group(),
            clients: &[],
            required_variables: &BTreeSet::new(),
            opted_out: None,
            contacted_today: None,
            rules: None,
            now: at,
            scheduled: None,
            concurrency: 0,
            history: History::default(),
            region: Region::COLOMBIA,
            other_countries: false,
        });
        assert!(p.window.open_at_start);
        assert_eq!(p.window.start_at, at);
        assert_eq!(p.estimate.duration_secs, 0);
    }

    #[test]
    fn history_comes_from_finished_batches_only() {
        use crate::domain::BatchOutcome;
        assert_eq!(History::from_outcomes(&[]), History::default());
        let empty = BatchOutcome::default();
        assert_eq!(History::from_outcomes([&empty]), History::default());
        let a = BatchOutcome {
            finished: 10,
            completed: 5,
            avg_duration_secs: Some(100.0),
            cost_total: Some(50.0),
            cost_known_for: 5,
        };
        let b = BatchOutcome {
            finished: 10,
            completed: 3,
            avg_duration_secs: Some(60.0),
            cost_total: None,
            cost_known_for: 0,
        };
        let h = History::from_outcomes([&a, &b, &empty]);
        assert_eq!(h.batches, 2);
        assert!((h.pickup_rate - 0.4).abs() < 1e-9);
        // Talk: (5×100 + 3×60) / 8 = 85 s; line time 0.4×85 + 0.6×30 = 52 s.
        assert!((h.avg_call_secs - 52.0).abs() < 1e-9, "{h:?}");
        assert_eq!(h.avg_cost, Some(10.0));
    }

    #[test]
    fn other_countries_only_when_allowed() {
        let clients = vec![
            client(1, "Ana", "+12125550123", Some("x")),
            client(2, "Beto", "+34612345678", Some("x")),
            client(3, "Carla", "3001234567", Some("x")),
        ];
        let none = BTreeSet::new();
        let mut g = group();
        let p = run(&PreflightInput::new(&g, &clients, &none, Utc::now()));
        assert_eq!(p.recipients.len(), 1);
        assert_eq!(p.skipped.len(), 2);
        g.other_countries = true;
        let p = run(&PreflightInput::new(&g, &clients, &none, Utc::now()));
        assert_eq!(p.recipients.len(), 3, "{:?}", p.skipped);
        let p = run(&PreflightInput {
            other_countries: true,
            ..PreflightInput::new(&group(), &clients, &none, Utc::now())
        });
        assert_eq!(p.recipients.len(), 3);
    }

    #[test]
    fn a_start_at_the_end_of_time_does_not_panic() {
        let clients = vec![client(1, "Ana", "3001234567", Some("x"))];
        let none = BTreeSet::new();
        let g = group();
        let p = run(&PreflightInput {
            scheduled: Some(DateTime::<Utc>::MAX_UTC),
            rules: Some(&RulePack::colombia()),
            concurrency: 1,
            ..PreflightInput::new(&g, &clients, &none, Utc::now())
        });
        assert_eq!(p.recipients.len(), 1);
    }
}
