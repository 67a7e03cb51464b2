//! Ids, whatever the engine: the next one never wraps, an explicit one is in range.

use super::error::{Result, StoreError};

/// The id after `n`, or an error once ids of this kind are used up (never a wrap to 0).
pub(crate) fn next_after(n: u64, kind: &str) -> Result<u64> {
    n.checked_add(1)
        .filter(|n| *n <= crate::domain::MAX_ID)
        .ok_or_else(|| StoreError::Conflict(format!("no quedan identificadores libres ({kind})")))
}

/// An explicit id must be in 1..=MAX_EXPLICIT_ID.
pub(crate) fn check_explicit_id(id: u64, kind: &str) -> Result<()> {
    if id == 0 || id > crate::domain::MAX_EXPLICIT_ID {
        return Err(StoreError::Conflict(format!(
            "id {id} fuera de rango ({kind}): use un número entre 1 y {}",
            crate::domain::MAX_EXPLICIT_ID
        )));
    }
    Ok(())
}
