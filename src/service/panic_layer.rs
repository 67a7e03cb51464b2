//! Request ids and the last line of defence against a panic in a handler: instead of a
//! connection dropped without an answer, the caller gets the 500 envelope with a request
//! id, and the log gets the panic with the same id, the method and the path (never the
//! query string, which may carry `?access_token=`).

use crate::api::ErrorCode;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Response, StatusCode};
use axum::middleware::Next;
use axum::response::IntoResponse;
use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use tower_http::catch_panic::CatchPanicLayer;

use super::error::ApiError;

/// What the panic said, handed from the inner layer to `request_id`.
#[derive(Clone)]
struct PanicNote(String);

/// What `catch_panic` calls with a panic's payload.
pub type PanicToResponse = fn(Box<dyn Any + Send + 'static>) -> Response<Body>;

/// Turns a panic into a bare 500 carrying the panic's message; `request_id` (outside)
/// writes the envelope and the log line.
pub fn catch_panic() -> CatchPanicLayer<PanicToResponse> {
    CatchPanicLayer::custom(panic_response as fn(_) -> _)
}

fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let note = if let Some(s) = err.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = err.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "panic without a message".to_string()
    };
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    resp.extensions_mut().insert(PanicNote(note));
    resp
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Gives every request an id (`x-request-id` in the answer); a panic below becomes the
/// envelope, logged with that id.
pub async fn request_id(req: Request, next: Next) -> Response<Body> {
    let id = format!("req-{:x}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    if let Some(PanicNote(note)) = resp.extensions_mut().remove::<PanicNote>() {
        tracing::error!(request_id = %id, %method, path = %super::error::truncate(&path, 200), panic = %note, "a handler panicked");
        resp = ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            format!(
                "Error interno del servidor (petición {id}); inténtelo de nuevo o revise el registro del servicio"
            ),
        )
        .with_details(serde_json::json!({ "requestId": id }))
        .into_response();
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panicking_handler_answers_the_envelope_with_a_request_id() {
        let app: Router = Router::new()
            .route(
                "/boom",
                get(|| async {
                    let v: Vec<u8> = Vec::new();
                    // An index out of bounds, as input could cause.
                    #[allow(clippy::indexing_slicing)]
                    let x = v[usize::from(v.is_empty())];
                    x.to_string()
                }),
            )
            .route("/fine", get(|| async { "ok" }))
            .layer(catch_panic())
            .layer(axum::middleware::from_fn(request_id));
        let resp = app
            .clone()
            .oneshot(
                axum::http::Request::builder()
                    .uri("/boom?access_token=secret")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let id = resp.headers()["x-request-id"].to_str().unwrap().to_string();
        let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["success"], false);
        assert_eq!(v["code"], "internal_error");
        assert_eq!(v["details"]["requestId"], id.as_str());
        assert!(v["message"].as_str().unwrap().contains(&id));
        let ok = app
            .oneshot(
                axum::http::Request::builder()
                    .uri("/fine")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        assert!(ok.headers().contains_key("x-request-id"));
    }
}
