//! Serde helpers for a lenient reading of what ElevenLabs sends.

use serde::{Deserialize, Deserializer};

/// `null` reads as the type's default (upstream sends `null` where the schema says `[]`).
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An unknown batch status when the field is missing: never a parse failure.
pub fn unknown_batch_status() -> crate::domain::BatchStatus {
    crate::domain::BatchStatus::Unknown(String::new())
}

pub fn unknown_recipient_status() -> crate::domain::RecipientStatus {
    crate::domain::RecipientStatus::Unknown(String::new())
}
