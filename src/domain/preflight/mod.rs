//! The pre-flight check run before every call start: who will be dialled, who is left out
//! and why (invalid phone, duplicate, opted out, missing variables, already contacted
//! today, already reached this week), whether the calling window is open, and what the batch will take.

mod estimate;
mod findings;
mod history;
mod input;
mod reached;
mod recipients;
mod window;

#[cfg(test)]
mod tests;

pub use findings::{Estimate, Preflight, WindowCheck};
pub use history::History;
pub use input::PreflightInput;
pub use reached::Reached;

/// Runs the check.
pub fn run(input: &PreflightInput<'_>) -> Preflight {
    let window = window::check_window(input);
    let sorted = recipients::sort_clients(input, window.start_at);
    let estimate = estimate::estimate(
        sorted.recipients.len(),
        input.concurrency,
        input.history,
        &window,
    );
    Preflight {
        recipients: sorted.recipients,
        skipped: sorted.skipped,
        incomplete: sorted.incomplete,
        agent_variables: input.required_variables.iter().cloned().collect(),
        window,
        estimate,
        retry_policy: None,
    }
}
