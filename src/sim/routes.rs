//! The router: upstream's paths, a gate in front of them (counters, faults, `xi-api-key`),
//! and the admin endpoints `/_sim/faults` and `/_sim/counters`.

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use std::sync::Arc;
use std::time::Duration;

use super::faults::{Fault, FaultConfig};
use super::reply;
use super::state::{SimState, St, lock};

mod batches;
mod others;
mod settings;
mod submit;
mod validate;

pub(crate) fn router(state: Arc<SimState>) -> Router {
    let api = Router::new()
        .route(
            "/v1/convai/batch-calling/submit",
            axum::routing::post(submit::submit),
        )
        .route("/v1/convai/batch-calling/workspace", get(batches::list))
        .route(
            "/v1/convai/batch-calling/{batch_id}",
            get(batches::get_one).delete(batches::delete),
        )
        .route(
            "/v1/convai/batch-calling/{batch_id}/cancel",
            axum::routing::post(batches::cancel),
        )
        .route(
            "/v1/convai/batch-calling/{batch_id}/retry",
            axum::routing::post(batches::retry),
        )
        .route(
            "/v1/convai/conversations/{conversation_id}",
            get(others::conversation),
        )
        .route(
            "/v1/convai/conversations/{conversation_id}/audio",
            get(others::audio),
        )
        .route("/v1/convai/agents", get(others::list_agents))
        .route(
            "/v1/convai/agents/{agent_id}",
            get(others::get_agent).patch(others::patch_agent),
        )
        .route("/v1/convai/phone-numbers", get(others::list_phones))
        .route(
            "/v1/workspace/webhooks",
            get(settings::list_webhooks).post(settings::create_webhook),
        )
        .route(
            "/v1/convai/settings",
            get(settings::get_settings).patch(settings::patch_settings),
        )
        .route(
            "/v1/convai/phone-numbers/{phone_number_id}",
            get(others::get_phone),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), gate));
    Router::new()
        .merge(api)
        .route("/_sim/faults", get(get_faults).post(set_faults))
        .route("/_sim/counters", get(counters))
        // FastAPI's own 404 body: a plain-string `detail`.
        .fallback(|| async {
            (
                axum::http::StatusCode::NOT_FOUND,
                axum::Json(serde_json::json!({ "detail": "Not Found" })),
            )
        })
        .with_state(state)
}

/// Counts, injects faults, checks the key, then lets the request through.
async fn gate(State(st): St, matched: Option<MatchedPath>, req: Request, next: Next) -> Response {
    let template = matched
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let endpoint = format!("{} {}", req.method(), template);
    st.count(&endpoint);
    let (fault, latency, retry_after) = {
        let mut f = lock(&st.faults);
        let cfg: &FaultConfig = &f.config;
        let (latency, retry_after) = (cfg.latency_ms, cfg.retry_after_secs);
        let spent = cfg.max_faults.is_some_and(|m| f.injected >= m);
        let fault = if cfg.applies_to(&endpoint) && !spent {
            let cfg = cfg.clone();
            cfg.draw(&mut f.rng)
        } else {
            Fault::None
        };
        if fault != Fault::None {
            f.injected += 1;
        }
        let latency = if f.config.applies_to(&endpoint) {
            latency
        } else {
            0
        };
        (fault, latency, retry_after)
    };
    if let Fault::Reject(status, code) = fault {
        let kind = if status == 429 {
            "rate_limit_error"
        } else {
            "internal_error"
        };
        let mut resp = reply::error(status, kind, code, "Simulated upstream fault");
        if let Some(secs) = retry_after.filter(|_| status == 429 || status == 503)
            && let Ok(v) = secs.to_string().parse()
        {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        return resp;
    }
    if let Some(resp) = check_key(&st, &req) {
        return resp;
    }
    let resp = next.run(req).await;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    match fault {
        Fault::Drop => {
            // The work is done; the answer never arrives whole.
            let broken = futures::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("sim: connection dropped"))
            });
            (resp.status(), Body::from_stream(broken)).into_response()
        }
        Fault::Late502 => reply::error(
            502,
            "internal_error",
            "bad_gateway",
            "Simulated upstream fault",
        ),
        _ => resp,
    }
}

fn check_key(st: &SimState, req: &Request) -> Option<Response> {
    let given = req
        .headers()
        .get("xi-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    match (given, st.opts.api_key.as_deref()) {
        (None, _) => Some(reply::error(
            401,
            "authentication_error",
            "missing_api_key",
            "Missing API key. Provide it in the xi-api-key header.",
        )),
        (Some(k), Some(expected)) if !constant_eq(k.as_bytes(), expected.as_bytes()) => {
            Some(reply::error(
                401,
                "authentication_error",
                "invalid_api_key",
                "Invalid API key",
            ))
        }
        _ => None,
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

async fn get_faults(State(st): St) -> Response {
    reply::json_ok(&lock(&st.faults).config)
}

async fn set_faults(State(st): St, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultConfig>(&body) {
        Ok(cfg) => {
            let mut f = lock(&st.faults);
            f.config = cfg;
            f.injected = 0;
            reply::json_ok(&f.config)
        }
        Err(e) => reply::unprocessable(vec![reply::invalid_item(
            "value_error",
            &[serde_json::json!("body")],
            &e.to_string(),
            serde_json::Value::Null,
        )]),
    }
}

async fn counters(State(st): St) -> Response {
    let map: std::collections::BTreeMap<String, u64> = lock(&st.counters)
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    reply::json_ok(&map)
}
