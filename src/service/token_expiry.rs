//! When a token given now expires: 1 to ten years' worth of days, or never.

use super::error::ApiError;
use crate::api::ErrorCode;

/// The longest a token may be given for: ten years.
pub const MAX_EXPIRY_DAYS: u32 = 3650;

/// When a token given now for `days` expires; refuses 0 and more than ten years.
pub fn expiry(
    now: chrono::DateTime<chrono::Utc>,
    days: Option<u32>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    match days {
        None => Ok(None),
        Some(d) if (1..=MAX_EXPIRY_DAYS).contains(&d) => {
            Ok(now.checked_add_signed(chrono::Duration::days(i64::from(d))))
        }
        Some(_) => Err(ApiError::unprocessable(
            ErrorCode::InvalidExpiry,
            format!("expiresInDays va de 1 a {MAX_EXPIRY_DAYS}"),
        )),
    }
}
