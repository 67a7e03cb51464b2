//! One route table: every route the service's router declares is in the OpenAPI document
//! it serves, and every documented route exists, with the same methods. The router's
//! routes are read from `src/service/*.rs` (the `.route("PATH", get(..).post(..))` calls);
//! the document is fetched from a running `serve`.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::service::{Api, config, serve};

/// `(method, path)` with every `{param}` written `{}` (names differ: `{batchId}` in the
/// seed's style, `{batch_id}` in handlers).
type Route = (String, String);

fn normalise(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// The API routes the router declares (pages and scripts of the web page aside).
fn routed() -> BTreeSet<Route> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/service");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for part in code.split(".route(").skip(1) {
            // Only literal paths; the webhook receiver's comes from the settings (below).
            let Some(path) = part.trim_start().strip_prefix('"') else {
                continue;
            };
            let path = path.split('"').next().unwrap_or_default();
            if !(path.starts_with("/api/") || path == "/health") {
                continue;
            }
            // The handlers chain: `get(a).post(b)` up to the call's closing parenthesis.
            let after = &part[part.find(',').unwrap_or(0) + 1..];
            let mut depth = 1;
            let end = after
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .unwrap_or(after.len());
            let chain = &after[..end];
            for method in ["get", "post", "put", "delete", "patch"] {
                let called = chain
                    .match_indices(&format!("{method}("))
                    .any(|(i, _)| i == 0 || !chain[..i].ends_with(char::is_alphanumeric));
                let starts = chain.trim_start().starts_with(&format!("{method}("));
                if called || starts {
                    out.insert((method.to_string(), normalise(path)));
                }
            }
        }
    }
    // `webhooks::routes` routes `[webhooks] path`, checked for real in the test below.
    out.insert((
        "post".to_string(),
        normalise(callboard::service::DEFAULT_WEBHOOK_PATH),
    ));
    out
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes_the_router_serves() {
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), None), true, false).await;
    let doc = Api::new(svc.url(), None).get("/api/openapi.json").await;
    // The receiver is routed where the settings say (401 unsigned, not 404).
    let unsigned = Api::new(svc.url(), None)
        .post(
            callboard::service::DEFAULT_WEBHOOK_PATH,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(unsigned.status, 401, "{:?}", unsigned.body);
    let mut documented = BTreeSet::new();
    for (path, ops) in doc.body["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.insert((method.clone(), normalise(path)));
        }
    }
    let routes = routed();
    assert!(
        routes.len() > 20,
        "the router's routes were read: {routes:?}"
    );
    let undocumented: Vec<_> = routes.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routes).collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "routed but not in /api/openapi.json: {undocumented:?}\ndocumented but not routed: {unrouted:?}"
    );
    svc.shutdown().await;
}
