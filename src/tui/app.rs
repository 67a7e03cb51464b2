//! The one state of the dashboard. `update` changes it, `ui::draw` only reads it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ratatui_textarea::TextArea;
use std::collections::HashSet;
use std::path::PathBuf;

use crate::api::{BatchListItem, GroupSummary, PhoneNumberView};
use crate::config::Lang;
use crate::domain::GroupId;
use crate::domain::preflight::Preflight;
use crate::report::BatchKpis;

use super::action::ConnState;
use super::batch_state::BatchState;
use super::i18n::{Strings, strings};
use super::keymap::Ctx;
use super::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Groups,
    Batches,
    Batch,
    Transcript,
    /// KPIs of the watched batch (and of the one it is compared with).
    Kpi,
}

#[derive(Debug)]
pub enum Overlay {
    Help,
    Confirm(Box<Confirm>),
}

/// A question before anything that dials or stops calls.
#[derive(Debug)]
pub enum Confirm {
    StartCall(Box<CallDialog>),
    Retry {
        batch_id: String,
        name: String,
        count: usize,
    },
    Cancel {
        batch_id: String,
        name: String,
        stop: usize,
        running: usize,
    },
    /// Resubmit, as a new batch, what a stopped batch never dialled.
    Resume {
        batch_id: String,
        name: String,
        count: usize,
    },
    /// Put a recipient's phone on the do-not-call list.
    OptOut {
        phone: String,
        name: String,
    },
}

/// Data asked of the service: on its way, here, or refused (with the reason shown).
#[derive(Debug, Clone, PartialEq)]
pub enum Loadable<T> {
    Loading,
    Ready(T),
    Failed(String),
}

/// What a dry-run depends on: when none of it changed, the last answer still holds.
#[derive(Debug, Clone, PartialEq)]
pub struct PreflightKey {
    pub phone_number_id: String,
    pub scheduled_time_unix: Option<i64>,
    pub force: bool,
    pub retry: RetryChoice,
}

/// The call dialog's automatic retry choice (`a` cycles through them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RetryChoice {
    /// The service's configured policy.
    #[default]
    Default,
    Off,
    /// Up to this many attempts per recipient (failed and voicemail, 30 min apart).
    Attempts(u32),
}

impl RetryChoice {
    pub fn next(self) -> Self {
        match self {
            Self::Default => Self::Off,
            Self::Off => Self::Attempts(2),
            Self::Attempts(n) if n < 3 => Self::Attempts(n + 1),
            Self::Attempts(_) => Self::Default,
        }
    }

    /// What the start sends: None leaves the service's default.
    pub fn policy(self) -> Option<crate::domain::policy::RetryPolicy> {
        use crate::domain::policy::RetryPolicy;
        match self {
            Self::Default => None,
            Self::Off => Some(RetryPolicy {
                max_attempts: 1,
                ..RetryPolicy::default()
            }),
            Self::Attempts(n) => Some(RetryPolicy {
                max_attempts: n,
                ..RetryPolicy::default()
            }),
        }
    }
}

/// The "call this group" dialog.
#[derive(Debug)]
pub struct CallDialog {
    pub group_id: GroupId,
    pub group_name: String,
    /// Clients with a dialable phone.
    pub recipients: usize,
    /// (name, reason) of clients that will not be called.
    pub skipped: Vec<(String, String)>,
    /// Lines from the service's 422 answer: who lacks which variables.
    pub missing: Vec<String>,
    /// Set after a 409: the group already has an active batch.
    pub active_batch: Option<String>,
    pub phone_choice: usize,
    pub schedule: TextArea<'static>,
    /// The schedule field has the keyboard (only after `tab`).
    pub schedule_focus: bool,
    pub skip_incomplete: bool,
    pub force: bool,
    pub retry: RetryChoice,
    pub error: Option<String>,
    /// `y` was pressed; waiting for the service's answer.
    pub submitting: bool,
    /// The service's dry-run for the current choices; None until it can be asked (no
    /// calling number known yet).
    pub preflight: Option<Loadable<Box<Preflight>>>,
    /// Counts dry-runs asked, so an answer to an older choice is ignored.
    pub preflight_gen: u64,
    pub preflight_key: Option<PreflightKey>,
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
}
