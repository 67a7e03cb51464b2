//! `Reached`: the answered calls of past batches, per phone, for the weekly contact limit
//! of rule packs (Ley 2300: a consumer reached is not contacted again that week).

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

/// Phone (E.164) → when each of its answered calls ended (unix seconds).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reached(HashMap<String, Vec<i64>>);

impl Reached {
    /// From the answered calls of finished batches ([`crate::domain::BatchRecord::reached`]),
    /// only those at or after `since` (older ones can no longer count).
    pub fn from_answered<'a>(
        batches: impl IntoIterator<Item = &'a BTreeMap<String, i64>>,
        since: DateTime<Utc>,
    ) -> Self {
        let since = since.timestamp();
        let mut map: HashMap<String, Vec<i64>> = HashMap::new();
        for answered in batches {
            for (phone, at) in answered.iter().filter(|(_, at)| **at >= since) {
                map.entry(phone.clone()).or_default().push(*at);
            }
        }
        Self(map)
    }

    /// Answered calls of `phone` from `from` (included) to `to` (excluded).
    pub fn count_between(&self, phone: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
        let (from, to) = (from.timestamp(), to.timestamp());
        self.0.get(phone).map_or(0, |times| {
            times.iter().filter(|t| (from..to).contains(*t)).count() as u32
        })
    }
}
