//! The one state of the dashboard. `update` changes it, `view::draw` only reads it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::HashSet;
use std::path::PathBuf;

use crate::api::{BatchListItem, GroupSummary, PhoneNumberView};
use crate::domain::Lang;
use crate::domain::{BatchStatus, GroupId};
use crate::report::BatchKpis;

use crate::tui::action::{ConnState, Failure};
use crate::tui::effect::Effect;

use super::batch::BatchState;
use super::dialog::Overlay;
use super::loadable::Loadable;
use crate::tui::bindings::Ctx;
use crate::tui::text::lang::strings;
use crate::tui::text::strings::Strings;
use crate::tui::view::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Groups,
    Batches,
    Batch,
    Transcript,
    /// KPIs of the watched batch (and of the one it is compared with).
    Kpi,
}

/// The batch the watched one is compared with in the KPI pane.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub batch_id: String,
    pub name: String,
    pub kpis: Loadable<Box<BatchKpis>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
    /// A note, not a result: shown without the ✓ of a success.
    pub plain: bool,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptView {
    pub recipient_id: String,
    pub scroll: u16,
}

#[derive(Debug)]
pub struct App {
    pub strings: &'static Strings,
    pub theme: Theme,
    pub tz: Tz,
    /// Service URL, or "directo".
    pub source_label: String,
    pub now: DateTime<Utc>,
    /// Set when the clock runs faster than the wall's (the demo): the header says so.
    pub clock_speed: Option<f64>,
    pub conn: ConnState,
    pub last_update: Option<DateTime<Utc>>,
    pub groups: Vec<GroupSummary>,
    pub groups_loaded: bool,
    pub groups_sel: usize,
    pub batches: Vec<BatchListItem>,
    pub batches_loaded: bool,
    pub batches_sel: usize,
    pub phone_numbers: Vec<PhoneNumberView>,
    pub batch: Option<BatchState>,
    pub focus: Pane,
    pub transcript: Option<TranscriptView>,
    /// The KPI pane replaces the batch pane on the right (`i`).
    pub kpi_open: bool,
    pub compare: Option<Comparison>,
    /// E.164 phones on the do-not-call list (marked in the recipients table).
    pub optouts: HashSet<String>,
    pub overlay: Option<Overlay>,
    /// `/` was pressed: keys edit the filter until enter or esc.
    pub filter_editing: bool,
    pub notice: Option<Notice>,
    /// `c` was pressed on this group; its detail is being loaded.
    pub pending_call: Option<GroupId>,
    pub export_dir: PathBuf,
    /// Sent as `userId` when starting calls (direct mode acts with the admin token).
    pub acting_user: Option<u64>,
    pub quit: bool,
    /// Something on screen changed since the last draw.
    pub dirty: bool,
}

impl App {
    pub fn new(lang: Lang, source_label: impl Into<String>, now: DateTime<Utc>) -> Self {
        Self {
            strings: strings(lang),
            theme: Theme::plain(),
            tz: chrono_tz::America::Bogota,
            source_label: source_label.into(),
            now,
            clock_speed: None,
            conn: ConnState::Idle,
            last_update: None,
            groups: Vec::new(),
            groups_loaded: false,
            groups_sel: 0,
            batches: Vec::new(),
            batches_loaded: false,
            batches_sel: 0,
            phone_numbers: Vec::new(),
            batch: None,
            focus: Pane::Groups,
            transcript: None,
            kpi_open: false,
            compare: None,
            optouts: HashSet::new(),
            overlay: None,
            filter_editing: false,
            notice: None,
            pending_call: None,
            export_dir: PathBuf::from("."),
            acting_user: None,
            quit: false,
            dirty: true,
        }
    }

    /// Which bindings apply now.
    pub fn ctx(&self) -> Ctx {
        match &self.overlay {
            Some(Overlay::Help) => Ctx::Help,
            Some(Overlay::Confirm(_)) => Ctx::Confirm,
            None => match self.focus {
                Pane::Groups => Ctx::Groups,
                Pane::Batches => Ctx::Batches,
                Pane::Batch => Ctx::Batch,
                Pane::Transcript => Ctx::Transcript,
                Pane::Kpi => Ctx::Kpi,
            },
        }
    }

    pub fn es(&self) -> bool {
        self.strings.lang == Lang::Es
    }

    /// A result: something was done (shown with ✓, fades).
    pub fn info(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
            plain: false,
            at: self.now,
        });
    }

    /// A note: why nothing was done, or where to do it (no ✓, fades).
    pub fn note(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
            plain: true,
            at: self.now,
        });
    }

    /// A request failed: its message, as an error.
    pub fn failed(&mut self, f: &Failure) {
        self.error(f.message.clone());
        self.dirty = true;
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: true,
            plain: false,
            at: self.now,
        });
    }

    pub fn local_time(&self, t: DateTime<Utc>) -> DateTime<Tz> {
        t.with_timezone(&self.tz)
    }

    /// Whether `batch_id` is the batch in the batch pane.
    pub fn watching(&self, batch_id: &str) -> bool {
        self.batch.as_ref().is_some_and(|b| b.id == batch_id)
    }

    /// Start following `batch_id` in the batch pane: the effect that follows it, unless
    /// it is already the one followed.
    pub fn watch(&mut self, batch_id: &str, name: &str) -> Option<Effect> {
        self.focus = Pane::Batch;
        self.transcript = None;
        self.kpi_open = false;
        if self.watching(batch_id) {
            return None;
        }
        // A batch is not compared with itself.
        if self
            .compare
            .as_ref()
            .is_some_and(|c| c.batch_id == batch_id)
        {
            self.compare = None;
        }
        let mut b = BatchState::new(batch_id);
        b.name = name.to_string();
        b.status = BatchStatus::Pending;
        self.batch = Some(b);
        self.conn = ConnState::Connecting;
        self.last_update = None;
        Some(Effect::Watch(batch_id.to_string()))
    }

    /// Lists again; the comparison's other side too while the KPI pane shows it.
    pub fn refresh_effects(&self) -> Vec<Effect> {
        let mut fx = vec![Effect::LoadGroups, Effect::LoadBatches];
        if self.kpi_open
            && let Some(c) = &self.compare
        {
            fx.push(Effect::LoadReport(c.batch_id.clone()));
        }
        fx
    }
}
