//! What keeps a browser on another site from using the service, above all one started with
//! `--no-auth` (any page the supervisor visits could otherwise reach it on loopback):
//!
//! - open (`--no-auth`): only loopback `Host` values (`localhost`, `127.0.0.1`, `[::1]`)
//!   are served, so a page that rebinds its own name to 127.0.0.1 gets nothing;
//! - every write (POST, PUT, PATCH, DELETE) from a browser must come from the service's own
//!   origin: `Sec-Fetch-Site` must be `same-origin` (or `none`), and `Origin`, when sent,
//!   must be the very host and port the request was sent to. Clients that are not
//!   browsers (the CLI, the TUI, curl) send neither and are not affected;
//! - every write that carries a body declares its type: JSON routes need
//!   `application/json`, the CSV imports `text/csv`. A `text/plain` or form body, which a
//!   page on any site can send without asking, is refused before any handler runs.

use crate::api::ErrorCode;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::state::AppState;

/// Paths whose body is CSV.
fn is_csv_route(path: &str) -> bool {
    path.ends_with("/clients/import") || path == "/api/optouts/import"
}

/// Media types accepted for CSV (Windows browsers label `.csv` files as Excel's).
const CSV_TYPES: &[&str] = &["text/csv", "application/csv", "application/vnd.ms-excel"];

pub async fn guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    match check(&st, req.method(), req.uri(), req.headers()) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

fn check(
    st: &AppState,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let host = request_host(uri, headers);
    if st.no_auth() && !host.as_deref().is_some_and(is_loopback_host) {
        return Err(ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            ErrorCode::HostNotAllowed,
            "Sin autenticación (--no-auth) el servicio solo atiende peticiones a localhost, 127.0.0.1 o [::1]",
        ));
    }
    let write = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !write {
        return Ok(());
    }
    check_same_origin(headers, host.as_deref())?;
    check_content_type(uri.path(), headers)
}

/// `host[:port]` the request was addressed to, lower-cased.
fn request_host(uri: &axum::http::Uri, headers: &HeaderMap) -> Option<String> {
    let from_header = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    from_header
        .or_else(|| uri.authority().map(|a| a.as_str().to_string()))
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
}

/// `localhost`, `127.x.y.z` or `[::1]`, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, tail)) if tail.is_empty() || is_port(tail) => ip,
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(&format!(":{port}")) => name,
            Some(_) => return false,
            None => host,
        }
    };
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn is_port(tail: &str) -> bool {
    tail.strip_prefix(':')
        .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

fn cross_origin() -> ApiError {
    ApiError::forbidden(
        ErrorCode::CrossOrigin,
        "Petición de otro sitio rechazada: las escrituras solo se aceptan desde la página del propio servicio",
    )
}

fn check_same_origin(headers: &HeaderMap, host: Option<&str>) -> Result<(), ApiError> {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or_default().trim();
        if !site.eq_ignore_ascii_case("same-origin") && !site.eq_ignore_ascii_case("none") {
            return Err(cross_origin());
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin
        .to_str()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .filter(|a| !a.is_empty() && !a.contains('/'));
    // Behind a reverse proxy the page's host may reach us as `X-Forwarded-Host` (a header
    // no page on another site can set without a CORS preflight, which we never grant).
    let forwarded = headers
        .get("x-forwarded-host")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match authority {
        Some(a) if host == Some(a) || forwarded.as_deref() == Some(a) => Ok(()),
        _ => Err(cross_origin()),
    }
}

fn check_content_type(path: &str, headers: &HeaderMap) -> Result<(), ApiError> {
    let has_body = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() != "0")
        || headers.contains_key(header::TRANSFER_ENCODING);
    if !has_body {
        return Ok(());
    }
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if is_csv_route(path) {
        if CSV_TYPES.contains(&media.as_str()) {
            return Ok(());
        }
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::CsvContentTypeRequired,
            "Envíe el archivo CSV con la cabecera Content-Type: text/csv",
        ));
    }
    if media == "application/json" {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::JsonContentTypeRequired,
        "Envíe el cuerpo como JSON con la cabecera Content-Type: application/json",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for ok in [
            "localhost",
            "localhost:8080",
            "127.0.0.1",
            "127.0.0.1:1",
            "127.1.2.3:80",
            "[::1]",
            "[::1]:8080",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "10.0.0.1:80",
            "[::2]:80",
            "localhost:",
            "localhost:80:80",
            "[::1]x",
            "",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn same_origin_only() {
        let host = Some("127.0.0.1:8080");
        assert!(check_same_origin(&headers(&[]), host).is_ok());
        assert!(check_same_origin(&headers(&[("origin", "http://127.0.0.1:8080")]), host).is_ok());
        assert!(check_same_origin(&headers(&[("sec-fetch-site", "same-origin")]), host).is_ok());
        for (k, v) in [
            ("origin", "http://evil.example"),
            ("origin", "http://127.0.0.1:9999"),
            ("origin", "null"),
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-site", "same-site"),
        ] {
            let e = check_same_origin(&headers(&[(k, v)]), host).unwrap_err();
            assert_eq!(e.code, "cross_origin", "{k}: {v}");
        }
    }

    #[test]
    fn bodies_declare_their_type() {
        let json = headers(&[("content-length", "2"), ("content-type", "text/plain")]);
        assert_eq!(
            check_content_type("/api/groups", &json).unwrap_err().code,
            "json_content_type_required"
        );
        let ok = headers(&[
            ("content-length", "2"),
            ("content-type", "application/json; charset=utf-8"),
        ]);
        assert!(check_content_type("/api/groups", &ok).is_ok());
        assert!(check_content_type("/api/batch-calls/x/cancel", &headers(&[])).is_ok());
        let csv = headers(&[("content-length", "9"), ("content-type", "text/plain")]);
        assert_eq!(
            check_content_type("/api/optouts/import", &csv)
                .unwrap_err()
                .code,
            "csv_content_type_required"
        );
        let csv = headers(&[
            ("transfer-encoding", "chunked"),
            ("content-type", "text/csv"),
        ]);
        assert!(check_content_type("/api/groups/1/clients/import", &csv).is_ok());
    }
}
