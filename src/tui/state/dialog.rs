//! The overlays on top of the panes: help, and the confirm dialogs asked before anything
//! that dials or stops calls (the call dialog's choices included).

use ratatui_textarea::TextArea;

use crate::domain::GroupId;
use crate::domain::preflight::Preflight;
use crate::tui::action::Failure;

use super::loadable::Loadable;

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
    /// The group's own agent and calling number (the number is preselected).
    pub group_agent: Option<String>,
    pub group_phone: Option<String>,
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

impl CallDialog {
    /// Preselects the group's own calling number, when the workspace's list has it.
    pub fn preselect(&mut self, numbers: &[crate::api::PhoneNumberView]) {
        let Some(want) = &self.group_phone else {
            return;
        };
        if let Some(i) = numbers.iter().position(|p| &p.phone_number_id == want) {
            self.phone_choice = i;
        }
    }
}

/// The call dialog, when it is the overlay.
pub fn call_dialog(overlay: &mut Option<Overlay>) -> Option<&mut CallDialog> {
    match overlay.as_mut() {
        Some(Overlay::Confirm(c)) => match c.as_mut() {
            Confirm::StartCall(d) => Some(d),
            _ => None,
        },
        _ => None,
    }
}

/// The call dialog, when it is the overlay (to read).
pub fn current_call_dialog(overlay: &Option<Overlay>) -> Option<&CallDialog> {
    match overlay.as_ref()? {
        Overlay::Confirm(c) => match c.as_ref() {
            Confirm::StartCall(d) => Some(d),
            _ => None,
        },
        _ => None,
    }
}

/// The active batch a 409 names (empty when it names none: the dialog still offers `f`).
pub fn active_batch_of(f: &Failure) -> Option<String> {
    f.details
        .as_ref()
        .and_then(|v| {
            ["batchId", "batch_id", "activeBatchId"]
                .iter()
                .find_map(|k| v.get(*k).and_then(|x| x.as_str()).map(str::to_string))
        })
        .or_else(|| Some(String::new()))
}
