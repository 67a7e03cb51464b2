//! The service's public address, for links it hands out (`audio_url`): the configured
//! `public_url` (behind a reverse proxy or a tunnel), else the address the request came to
//! (its `Host`). Status bodies and SSE frames are rendered once per snapshot with relative
//! links, then once per public base with absolute ones (a service is reached under one or
//! two names), and shared by every request that came that way.

use axum::body::Bytes;
use axum::http::{HeaderMap, header};

use super::state::AppState;
use crate::monitor::{BaseRendering, Snapshot};

/// How many renderings (kind × base) a snapshot keeps; past that it starts over.
const MAX_RENDERINGS: usize = 16;

/// The base URL links in this request's answer start with (no trailing slash), if any can
/// be told: a `Host` that is not a plain host name (and port) is not echoed.
pub fn base(st: &AppState, headers: &HeaderMap) -> Option<String> {
    if let Some(u) = &st.cfg().service.public_url {
        return Some(u.trim_end_matches('/').to_string());
    }
    let host = headers.get(header::HOST)?.to_str().ok()?.trim();
    let plain = !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_:[]".contains(c));
    plain.then(|| format!("http://{host}"))
}

/// The snapshot's status body with absolute audio links under `base` (an empty base: the
/// relative links as they are), and its gzip, made once per base.
pub fn rendering(snap: &Snapshot, base: &str, relative: impl FnOnce() -> Bytes) -> BaseRendering {
    cached(snap, base, || match base {
        "" => relative(),
        _ => absolute(&relative(), base),
    })
}

/// One of the snapshot's SSE frames (`kind`: full, resync, delta) with absolute audio links
/// under `base`, made once per kind and base and shared by every viewer that came that way.
pub fn frame(snap: &Snapshot, kind: &str, base: &str, relative: Bytes) -> Bytes {
    cached(snap, &format!("{kind} {base}"), || {
        absolute(&relative, base)
    })
    .body
}

fn cached(snap: &Snapshot, key: &str, make: impl FnOnce() -> Bytes) -> BaseRendering {
    let mut cache = snap.per_base.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, r)) = cache.iter().find(|(k, _)| k == key) {
        return r.clone();
    }
    if cache.len() >= MAX_RENDERINGS {
        cache.clear();
    }
    let r = BaseRendering {
        body: make(),
        gzip: Default::default(),
    };
    cache.push((key.to_string(), r.clone()));
    r
}

/// `"audio_url":"/api/…"` → `"audio_url":"BASE/api/…"` in a JSON body.
pub fn absolute(body: &[u8], base: &str) -> Bytes {
    const NEEDLE: &[u8] = b"\"audio_url\":\"/api/";
    let cut = NEEDLE.len() - "/api/".len();
    let mut out = Vec::with_capacity(body.len() + 64 * base.len());
    let mut rest = body;
    while let Some(i) = memchr::memmem::find(rest, NEEDLE) {
        out.extend_from_slice(&rest[..i + cut]);
        out.extend_from_slice(base.as_bytes());
        rest = &rest[i + cut..];
    }
    out.extend_from_slice(rest);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::absolute;

    #[test]
    fn audio_links_get_the_base_and_nothing_else_changes() {
        let body = br#"{"a":"/api/x","audio_url":"/api/conversations/c1/audio","b":[{"audio_url":null},{"audio_url":"/api/conversations/c2/audio"}]}"#;
        let out = absolute(body, "https://calls.example.co");
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"a":"/api/x","audio_url":"https://calls.example.co/api/conversations/c1/audio","b":[{"audio_url":null},{"audio_url":"https://calls.example.co/api/conversations/c2/audio"}]}"#
        );
    }
}
