//! The calling window at the requested start: open or not and why, when dialling would
//! really start, and when that window closes.

use super::findings::WindowCheck;
use super::input::PreflightInput;

/// The window check for the input's start (now when none is asked, never in the past).
pub(super) fn check_window(input: &PreflightInput<'_>) -> WindowCheck {
    let requested = input.scheduled.unwrap_or(input.now).max(input.now);
    match input.rules {
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
    }
}
