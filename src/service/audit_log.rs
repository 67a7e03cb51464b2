//! Writing to the audit log from a request: who did it (the caller) and what.

use super::auth::Caller;
use super::state::AppState;
use crate::domain::AuditAction;

/// Who did it, as the audit log writes it.
pub fn actor(caller: &Caller) -> String {
    caller.actor().name().to_string()
}

/// Appends to the audit log; a failure is logged, never hides the action's result.
pub async fn audit(
    st: &AppState,
    caller: &Caller,
    action: AuditAction,
    target: &str,
    details: serde_json::Value,
) {
    st.campaign()
        .audit(&caller.actor(), action, target, details)
        .await;
}
