//! The recipients table over a [`BatchState`]: which rows it shows (filter), in what order
//! (sort), which one is selected, and which are marked for export.

use crate::api::RecipientView;

use super::batch::BatchState;
use super::filter::Matcher;
use super::recipient::{display_name, duration, status_rank};
use super::sort::SortKey;

/// Each row's place when sorted by name, case-insensitively (ties keep the service's
/// order).
fn name_ranks(rows: &[RecipientView]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    order.sort_by_cached_key(|i| display_name(&rows[*i as usize]).to_lowercase());
    let mut rank = vec![0u32; rows.len()];
    for (place, i) in order.into_iter().enumerate() {
        rank[i as usize] = place as u32;
    }
    rank
}

impl BatchState {
    pub(super) fn select_id(&mut self, id: Option<&str>) {
        if let Some(id) = id
            && let Some(pos) = self
                .view
                .iter()
                .position(|i| self.rows[*i as usize].id == id)
        {
            self.selected = pos;
        }
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
    }

    pub fn set_sort(&mut self, key: SortKey, desc: bool) {
        let keep = self.selected_row().map(|r| r.id.clone());
        self.sort = key;
        self.sort_desc = desc;
        self.reindex();
        self.select_id(keep.as_deref());
    }

    pub fn set_filter(&mut self, text: &str) {
        let keep = self.selected_row().map(|r| r.id.clone());
        self.filter = text.to_string();
        self.reindex();
        self.select_id(keep.as_deref());
    }

    /// Rebuild `view` from `rows`, the filter and the sort.
    pub(super) fn reindex(&mut self) {
        let matcher = Matcher::new(&self.filter);
        let mut view: Vec<u32> = (0..self.rows.len() as u32)
            .filter(|i| matcher.matches(&self.rows[*i as usize]))
            .collect();
        if self.sort == SortKey::Name && self.name_rank.len() != self.rows.len() {
            self.name_rank = name_ranks(&self.rows);
        }
        let rows = &self.rows;
        let row = |i: &u32| &rows[*i as usize];
        match self.sort {
            SortKey::Original => {}
            SortKey::Name => view.sort_unstable_by_key(|i| self.name_rank[*i as usize]),
            SortKey::Status => view.sort_by_key(|i| status_rank(&row(i).status)),
            SortKey::Duration => view.sort_by_key(|i| duration(row(i)).unwrap_or(0)),
            SortKey::Updated => view.sort_by_key(|i| row(i).updated_at_unix),
        }
        if self.sort_desc {
            view.reverse();
        }
        self.view = view;
    }

    pub fn toggle_mark(&mut self) {
        if let Some(id) = self.selected_row().map(|r| r.id.clone())
            && !self.marked.remove(&id)
        {
            self.marked.insert(id);
        }
    }

    /// Rows to export: the marked ones if any, else what the table shows.
    pub fn export_rows(&self) -> Vec<&RecipientView> {
        let shown = self.view.iter().map(|i| &self.rows[*i as usize]);
        if self.marked.is_empty() {
            shown.collect()
        } else {
            shown.filter(|r| self.marked.contains(&r.id)).collect()
        }
    }
}
