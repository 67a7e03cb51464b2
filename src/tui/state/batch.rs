//! The watched batch as the dashboard holds it: the recipients of the last snapshot, a
//! sorted and filtered index into them (recomputed only when data, sort or filter change,
//! never per frame), counts per status, marks, and the status history seen live.

use crate::domain::StopCode;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};

use crate::api::{AutoRetryView, BatchStatusView, RecipientView, StopReason};
use crate::domain::{BatchStatus, GroupId, RecipientStatus};
use crate::report::{self, BatchKpis};

use super::recipient::status_rank;
pub use super::sort::SortKey;

#[derive(Debug)]
pub struct BatchState {
    pub id: String,
    pub name: String,
    pub status: BatchStatus,
    pub group_id: Option<GroupId>,
    pub group_name: Option<String>,
    pub created_at_unix: i64,
    pub last_updated_at_unix: i64,
    pub retry_count: u32,
    pub agent_id: String,
    pub scheduled_time_unix: i64,
    pub stop_reason: Option<StopReason>,
    pub auto_retry: Option<AutoRetryView>,
    /// The batch that took over this one's undialled recipients.
    pub continued_by: Option<String>,
    /// The batch this one continues.
    pub continues: Option<String>,
    /// A stop told by the stream (`circuit_breaker`, `window_closed`) before a snapshot
    /// carries it: (code, message).
    pub alert: Option<(StopCode, String)>,
    /// KPIs of the last snapshot (computed once per snapshot, never per frame).
    pub kpis: Option<BatchKpis>,
    pub rows: Vec<RecipientView>,
    /// Indices into `rows`, filtered and sorted: what the table shows.
    pub view: Vec<u32>,
    /// Per status, in lifecycle order (unknown values last).
    pub counts: Vec<(RecipientStatus, usize)>,
    /// Minute (unix / 60) in which each finished call was last updated, sorted.
    pub done_minutes: Vec<i64>,
    pub sort: SortKey,
    pub sort_desc: bool,
    pub filter: String,
    pub marked: HashSet<String>,
    /// Selected position in `view`.
    pub selected: usize,
    /// First visible row; written by the table when it draws (like ratatui's `TableState`),
    /// so scrolling keeps its place without `update` knowing the screen height.
    pub offset: Cell<usize>,
    /// Status changes seen while watching: recipient id -> (unix, status).
    pub history: HashMap<String, Vec<(i64, RecipientStatus)>>,
    /// Each row's place in name order, kept across snapshots while the recipients stay
    /// the same (names do not change), so a name sort costs an integer sort.
    pub(super) name_rank: Vec<u32>,
    /// A snapshot has arrived (until then the pane says "loading").
    pub loaded: bool,
}

impl BatchState {
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: String::new(),
            status: BatchStatus::Pending,
            group_id: None,
            group_name: None,
            created_at_unix: 0,
            last_updated_at_unix: 0,
            retry_count: 0,
            agent_id: String::new(),
            scheduled_time_unix: 0,
            stop_reason: None,
            auto_retry: None,
            continued_by: None,
            continues: None,
            alert: None,
            kpis: None,
            rows: Vec::new(),
            view: Vec::new(),
            counts: Vec::new(),
            done_minutes: Vec::new(),
            sort: SortKey::Original,
            sort_desc: false,
            filter: String::new(),
            marked: HashSet::new(),
            selected: 0,
            offset: Cell::new(0),
            history: HashMap::new(),
            name_rank: Vec::new(),
            loaded: false,
        }
    }

    /// Replace the data with a newer snapshot, keeping sort, filter, marks and the
    /// selected recipient; record every status change in the history.
    pub fn apply(&mut self, snap: BatchStatusView, now_unix: i64) {
        let keep = self.selected_row().map(|r| r.id.clone());
        self.kpis = Some(report::kpis(&snap));
        let old = std::mem::replace(&mut self.rows, snap.recipients);
        if !self.record_changes(&old, now_unix) {
            self.name_rank.clear();
        }
        // Freeing 10,000 recipients (a few hundred thousand small allocations) is the
        // most expensive part of a snapshot; it is done off the UI thread.
        drop_later(old);
        self.name = snap.name;
        self.status = snap.status;
        self.group_id = snap.group_id.or(self.group_id);
        self.group_name = snap.group_name.or(self.group_name.take());
        self.created_at_unix = snap.created_at_unix;
        self.last_updated_at_unix = snap.last_updated_at_unix;
        self.retry_count = snap.retry_count;
        self.agent_id = snap.agent_id;
        self.scheduled_time_unix = snap.scheduled_time_unix;
        if snap.stop_reason.is_some() {
            // The service's own account replaces what the stream said in passing.
            self.alert = None;
        }
        self.stop_reason = snap.stop_reason;
        self.auto_retry = snap.auto_retry;
        self.continued_by = snap.continued_by;
        self.continues = snap.continues;
        self.loaded = true;
        self.recount();
        self.reindex();
        self.select_id(keep.as_deref());
    }

    /// Returns whether the recipients are the same, in the same order, as before.
    fn record_changes(&mut self, old: &[RecipientView], now_unix: i64) -> bool {
        // The service sends recipients in the same order every time: compare by
        // position, and look ids up only where the order differs.
        let mut by_id: Option<HashMap<&str, &RecipientStatus>> = None;
        let mut same = old.len() == self.rows.len();
        for (i, r) in self.rows.iter().enumerate() {
            let before = match old.get(i) {
                Some(o) if o.id == r.id => Some(&o.status),
                _ => {
                    same = false;
                    by_id
                        .get_or_insert_with(|| {
                            old.iter().map(|o| (o.id.as_str(), &o.status)).collect()
                        })
                        .get(r.id.as_str())
                        .copied()
                }
            };
            if before == Some(&r.status) {
                continue;
            }
            let at = if r.updated_at_unix > 0 {
                r.updated_at_unix
            } else {
                now_unix
            };
            self.history
                .entry(r.id.clone())
                .or_default()
                .push((at, r.status.clone()));
        }
        same
    }

    fn recount(&mut self) {
        let mut counts: Vec<(RecipientStatus, usize)> = RecipientStatus::KNOWN
            .iter()
            .map(|s| (s.clone(), 0))
            .collect();
        let mut done = Vec::new();
        for r in &self.rows {
            let i = status_rank(&r.status);
            match counts.get_mut(i) {
                Some(c) if i < RecipientStatus::KNOWN.len() => c.1 += 1,
                _ => match counts.iter_mut().find(|(s, _)| *s == r.status) {
                    Some(c) => c.1 += 1,
                    None => counts.push((r.status.clone(), 1)),
                },
            }
            if r.status.is_final()
                && r.status != RecipientStatus::Cancelled
                && r.updated_at_unix > 0
            {
                done.push(r.updated_at_unix.div_euclid(60));
            }
        }
        done.sort_unstable();
        self.counts = counts;
        self.done_minutes = done;
    }

    pub fn count(&self, s: &RecipientStatus) -> usize {
        self.counts
            .iter()
            .find(|(k, _)| k == s)
            .map_or(0, |(_, n)| *n)
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }

    /// Recipients whose call is over (any final status).
    pub fn finished(&self) -> usize {
        self.counts
            .iter()
            .filter(|(s, _)| s.is_final())
            .map(|(_, n)| n)
            .sum()
    }

    pub fn retryable(&self) -> usize {
        self.rows.iter().filter(|r| r.status.is_retryable()).count()
    }

    /// Recipients a stopped batch never dialled (what `resume` resubmits).
    pub fn undialled(&self) -> usize {
        self.rows.iter().filter(|r| r.never_dialled()).count()
    }

    pub fn not_started(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.status.is_not_started())
            .count()
    }

    pub fn running(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| {
                matches!(
                    r.status,
                    RecipientStatus::Initiated | RecipientStatus::InProgress
                )
            })
            .count()
    }

    /// Finished calls per minute for the `n` minutes ending at `now_unix`, oldest first.
    pub fn per_minute(&self, now_unix: i64, n: usize) -> Vec<u64> {
        let end = now_unix.div_euclid(60);
        let mut out = vec![0u64; n];
        let from = end - n as i64 + 1;
        let start = self.done_minutes.partition_point(|m| *m < from);
        for m in &self.done_minutes[start..] {
            if let Some(slot) = usize::try_from(m - from).ok().and_then(|i| out.get_mut(i)) {
                *slot += 1;
            }
        }
        out
    }

    pub fn selected_row(&self) -> Option<&RecipientView> {
        let i = *self.view.get(self.selected)? as usize;
        self.rows.get(i)
    }

    pub fn row_by_id(&self, id: &str) -> Option<&RecipientView> {
        self.rows.iter().find(|r| r.id == id)
    }
}

/// Drops big values on a background thread so the UI thread never waits for the
/// allocator. Falls back to dropping here if that thread cannot be started.
fn drop_later(rows: Vec<RecipientView>) {
    use std::sync::OnceLock;
    use std::sync::mpsc::{Sender, channel};
    static DROPPER: OnceLock<Option<Sender<Vec<RecipientView>>>> = OnceLock::new();
    if rows.len() < 512 {
        return;
    }
    let tx = DROPPER.get_or_init(|| {
        let (tx, rx) = channel::<Vec<RecipientView>>();
        std::thread::Builder::new()
            .name("callboard-drop".into())
            .spawn(move || while rx.recv().is_ok() {})
            .ok()
            .map(|_| tx)
    });
    if let Some(tx) = tx {
        let _ = tx.send(rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures;
    use crate::tui::state::recipient::display_name;

    fn names(b: &BatchState) -> Vec<String> {
        b.view
            .iter()
            .map(|i| display_name(&b.rows[*i as usize]).to_string())
            .collect()
    }

    fn sorted(mut v: Vec<String>) -> Vec<String> {
        v.sort_by_key(|n| n.to_lowercase());
        v
    }

    /// The name order kept across snapshots is rebuilt when the recipients change, even
    /// when their number does not.
    #[test]
    fn the_kept_name_order_follows_new_recipients() {
        let mut b = BatchState::new("b");
        b.apply(fixtures::batch_view("b", 30, 1_000), 1_000);
        b.set_sort(SortKey::Name, false);
        let first = names(&b);
        assert_eq!(first, sorted(first.clone()));
        // Same count, other people (names reversed against their ids).
        let mut v = fixtures::batch_view("b", 30, 1_000);
        let n = v.recipients.len();
        for (i, r) in v.recipients.iter_mut().enumerate() {
            r.id = format!("other_{i}");
            r.name = Some(format!("{} {}", char::from(b'a' + (n - i) as u8 % 26), i));
        }
        b.apply(v, 1_001);
        let second = names(&b);
        assert_eq!(second, sorted(second.clone()));
        assert_ne!(first, second);
        // The same people again: the kept order still holds.
        b.apply(
            {
                let mut v = fixtures::batch_view("b", 30, 1_000);
                for (i, r) in v.recipients.iter_mut().enumerate() {
                    r.id = format!("other_{i}");
                    r.name = Some(format!("{} {}", char::from(b'a' + (n - i) as u8 % 26), i));
                }
                v
            },
            1_002,
        );
        assert_eq!(names(&b), second);
    }
}
