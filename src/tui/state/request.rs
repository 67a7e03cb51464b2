//! The request the call dialog's choices make: the dry-run and the real start send the
//! same one.

use crate::api::StartCallRequest;

use super::app::App;
use super::dialog::CallDialog;
use super::schedule::{InvalidTime, parse_schedule};

/// The start (or dry-run) request for the dialog's current choices.
pub fn start_request(app: &App, d: &CallDialog) -> Result<StartCallRequest, InvalidTime> {
    let text = d.schedule.lines().join(" ");
    let scheduled_time_unix = parse_schedule(&text, app.tz, app.now)?;
    Ok(StartCallRequest {
        user_id: app.acting_user,
        agent_phone_number_id: app
            .phone_numbers
            .get(d.phone_choice)
            .map(|p| p.phone_number_id.clone())
            // Before the workspace's numbers are known, the group's own.
            .or_else(|| d.group_phone.clone()),
        scheduled_time_unix,
        skip_incomplete: d.skip_incomplete,
        force: d.force,
        retry_policy: d.retry.policy(),
    })
}
