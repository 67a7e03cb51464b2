//! Gzip for large JSON answers that are rendered once and sent many times (a 1,000-recipient
//! status is about a megabyte and shrinks about twentyfold): the simulator's batch views and
//! the service's status snapshots.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Whether the request accepts a gzipped answer.
pub fn accepted(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|e| e.trim().starts_with("gzip")))
}

/// `plain` gzipped at the fast level (the answer is cached, so speed matters more than the
/// last few percent of size). Empty if compression fails, which only an allocator can do.
pub fn compress(plain: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(plain.len() / 8),
        flate2::Compression::fast(),
    );
    std::io::Write::write_all(&mut enc, plain)
        .and_then(|_| enc.finish())
        .map(Bytes::from)
        .unwrap_or_default()
}

/// An already gzipped JSON body.
pub fn json_response(gzipped: Bytes) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
            (header::VARY, HeaderValue::from_static("accept-encoding")),
        ],
        gzipped,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn round_trips_and_reads_the_header() {
        let plain = br#"{"success":true,"data":[1,2,3]}"#.repeat(100);
        let gz = compress(&plain);
        assert!(gz.len() < plain.len() / 5);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, plain);
        let mut h = HeaderMap::new();
        assert!(!accepted(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br, gzip;q=0.8"),
        );
        assert!(accepted(&h));
    }
}
