//! The `ElevenLabs-Signature` scheme of post-call webhooks, both ways: `sign` (the simulator
//! and `callboard webhook test`) and `verify` (the service's receiver), plus the replay
//! guard. The header is `t=<unix seconds>,v0=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed
//! with the webhook secret as UTF-8 bytes, exactly as ElevenLabs' own SDKs check it; unlike
//! them we compare in constant time, refuse timestamps from the future as well as stale
//! ones, and refuse a signature seen before within the tolerance (a replay).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Mutex;
use subtle::ConstantTimeEq;

/// The header's name (HTTP header names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "ElevenLabs-Signature";

/// How far a timestamp may be from now by default: the SDKs' 30 minutes.
pub const DEFAULT_TOLERANCE_SECS: u64 = 30 * 60;

/// Why a signed request is refused (the service logs the variant, never the secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no ElevenLabs-Signature header")]
    Missing,
    #[error("the ElevenLabs-Signature header is not `t=…,v0=…`")]
    Malformed,
    #[error("the signature's timestamp is older than the tolerance")]
    Stale,
    #[error("the signature's timestamp is in the future beyond the tolerance")]
    Future,
    #[error("the signature does not match the body")]
    Mismatch,
    #[error("this signature was already received (a replay)")]
    Replayed,
}

/// `v0=` followed by the lower-case hex HMAC-SHA256 of `"<t>.<body>"`.
pub fn signature_v0(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any size");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// The whole header value for `body` signed at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},{}", signature_v0(secret, timestamp, body))
}

/// The parts of a header: the timestamp and the `v0=…` part (prefix included).
fn parse(header: &str) -> Result<(i64, &str), SignatureError> {
    let mut t = None;
    let mut v0 = None;
    for part in header.split(',').map(str::trim) {
        if let Some(ts) = part.strip_prefix("t=") {
            t = Some(ts.parse::<i64>().map_err(|_| SignatureError::Malformed)?);
        } else if part.starts_with("v0=") {
            v0 = Some(part);
        }
    }
    match (t, v0) {
        (Some(t), Some(v0)) => Ok((t, v0)),
        _ => Err(SignatureError::Malformed),
    }
}

/// Checks the header's form and timestamp only: cheap, before reading a body at all.
pub fn check_timestamp(
    header: Option<&str>,
    now_unix: i64,
    tolerance_secs: u64,
) -> Result<i64, SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let (t, _) = parse(header)?;
    let tol = i64::try_from(tolerance_secs).unwrap_or(i64::MAX);
    if t < now_unix.saturating_sub(tol) {
        return Err(SignatureError::Stale);
    }
    if t > now_unix.saturating_add(tol) {
        return Err(SignatureError::Future);
    }
    Ok(t)
}

/// Verifies `header` against the raw `body`: form, timestamp within `tolerance_secs` of
/// `now_unix` either way, and the HMAC (constant-time). Returns the timestamp and the
/// signature, for the replay guard.
pub fn verify<'h>(
    header: Option<&'h str>,
    body: &[u8],
    secret: &str,
    now_unix: i64,
    tolerance_secs: u64,
) -> Result<(i64, &'h str), SignatureError> {
    let t = check_timestamp(header, now_unix, tolerance_secs)?;
    let (_, given) = parse(header.unwrap_or_default())?;
    let expected = signature_v0(secret, t, body);
    let same =
        given.len() == expected.len() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()));
    if !same {
        return Err(SignatureError::Mismatch);
    }
    Ok((t, given))
}

/// Remembers the signatures accepted within the tolerance: the same signed request sent
/// again is refused. Entries older than the tolerance are dropped (a request that old is
/// refused as stale anyway).
#[derive(Debug, Default)]
pub struct ReplayGuard {
    seen: Mutex<HashMap<String, i64>>,
}

impl ReplayGuard {
    /// Records `signature` (signed at `t`); false when it was already seen.
    pub fn first_time(&self, signature: &str, t: i64, now_unix: i64, tolerance_secs: u64) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let horizon = now_unix.saturating_sub(i64::try_from(tolerance_secs).unwrap_or(i64::MAX));
        if seen.len() > 1024 {
            seen.retain(|_, at| *at >= horizon);
        }
        if seen.contains_key(signature) {
            return false;
        }
        seen.insert(signature.to_string(), t);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_and_refuses_what_differs() {
        let body = br#"{"type":"post_call_transcription"}"#;
        let h = sign("whsec_1", 1_000, body);
        assert!(h.starts_with("t=1000,v0="));
        assert_eq!(
            verify(Some(&h), body, "whsec_1", 1_010, 60).unwrap().0,
            1_000
        );
        assert_eq!(
            verify(Some(&h), body, "whsec_2", 1_010, 60),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&h), b"{}", "whsec_1", 1_010, 60),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&h), body, "whsec_1", 2_000, 60),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(Some(&h), body, "whsec_1", 900, 60),
            Err(SignatureError::Future)
        );
        assert_eq!(
            verify(None, body, "whsec_1", 1_000, 60),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(Some("v0=abc"), body, "whsec_1", 1_000, 60),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn a_signature_is_accepted_once() {
        let g = ReplayGuard::default();
        assert!(g.first_time("v0=aa", 10, 10, 60));
        assert!(!g.first_time("v0=aa", 10, 11, 60));
        assert!(g.first_time("v0=bb", 10, 11, 60));
    }
}
