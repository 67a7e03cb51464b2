//! `PreflightInput`: everything the pre-flight check looks at (group, clients, the agent's
//! variables, opt-outs, today's contacts, this week's answered calls, rule pack, start, concurrency, history, region).

use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap, HashSet};

use super::history::History;
use super::reached::Reached;
use crate::domain::model::{Client, Group};
use crate::domain::phone::Region;
use crate::domain::rules::RulePack;

pub struct PreflightInput<'a> {
    pub group: &'a Group,
    pub clients: &'a [Client],
    /// `{{variables}}` the agent's prompt, first message and tools use.
    pub required_variables: &'a BTreeSet<String>,
    /// E.164 numbers on the do-not-call list, with the reason.
    pub opted_out: Option<&'a HashMap<String, String>>,
    /// E.164 numbers already contacted today (rule packs allow one contact a day).
    pub contacted_today: Option<&'a HashSet<String>>,
    /// Answered calls of past batches, for the pack's weekly limit (None: not checked).
    pub reached: Option<&'a Reached>,
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
            reached: None,
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
