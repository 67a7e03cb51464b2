//! `/health`, `/api/openapi.json` and the web page (`assets/web/`, compiled in so the
//! binary is all a deployment needs).

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};

use super::state::AppState;

const INDEX_HTML: &str = include_str!("../../assets/web/index.html");
const APP_JS: &str = include_str!("../../assets/web/app.js");
const SEED_JS: &str = include_str!("../../assets/web/seed.js");
const STYLE_CSS: &str = include_str!("../../assets/web/style.css");
const GROUPS_JS: &str = include_str!("../../assets/web/groups.js");
const PREFLIGHT_JS: &str = include_str!("../../assets/web/preflight.js");
const BATCH_JS: &str = include_str!("../../assets/web/batch.js");
const KPIS_JS: &str = include_str!("../../assets/web/kpis.js");
const OPTOUTS_JS: &str = include_str!("../../assets/web/optouts.js");
const AUDIT_JS: &str = include_str!("../../assets/web/audit.js");
const AUTH_JS: &str = include_str!("../../assets/web/auth.js");
const STREAM_JS: &str = include_str!("../../assets/web/stream.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/api/openapi.json", get(openapi))
        .route("/", get(|| page(INDEX_HTML, "text/html; charset=utf-8")))
        .route(
            "/app.js",
            get(|| page(APP_JS, "text/javascript; charset=utf-8")),
        )
        .route(
            "/seed.js",
            get(|| page(SEED_JS, "text/javascript; charset=utf-8")),
        )
        .route(
            "/style.css",
            get(|| page(STYLE_CSS, "text/css; charset=utf-8")),
        )
        .route("/groups.js", get(|| script(GROUPS_JS)))
        .route("/preflight.js", get(|| script(PREFLIGHT_JS)))
        .route("/batch.js", get(|| script(BATCH_JS)))
        .route("/kpis.js", get(|| script(KPIS_JS)))
        .route("/optouts.js", get(|| script(OPTOUTS_JS)))
        .route("/audit.js", get(|| script(AUDIT_JS)))
        .route("/auth.js", get(|| script(AUTH_JS)))
        .route("/stream.js", get(|| script(STREAM_JS)))
}

async fn script(body: &'static str) -> impl IntoResponse {
    page(body, "text/javascript; charset=utf-8").await
}

async fn page(body: &'static str, content_type: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
}

async fn health(State(st): State<AppState>) -> impl IntoResponse {
    axum::Json(json!({
        "success": true,
        "message": "Servicio en funcionamiento",
        "data": {
            "status": "ok",
            "version": env!("CARGO_PKG_VERSION"),
            "auth": !st.no_auth(),
            "elevenlabs": st.upstream_configured(),
            // The page shows times in the campaign's zone, and says which.
            "timezone": st.cfg().timezone.name(),
        }
    }))
}

/// Every route: method, path, summary, whether it needs a body.
const ROUTES: &[(&str, &str, &str, &str)] = &[
    ("get", "/health", "Estado del servicio", "meta"),
    ("get", "/api/openapi.json", "Este documento", "meta"),
    (
        "get",
        "/api/groups",
        "Lista de grupos (GroupSummary[])",
        "groups",
    ),
    (
        "post",
        "/api/groups",
        "Crear grupo {name, variables?, id?, ownerId?, otherCountries?, agentId?, agentPhoneNumberId?, country?, firstMessage?, language?}",
        "groups",
    ),
    (
        "get",
        "/api/groups/{id}",
        "Grupo con sus clientes (GroupDetail)",
        "groups",
    ),
    (
        "patch",
        "/api/groups/{id}",
        "Configurar la campaña del grupo {agentId?, agentPhoneNumberId?, country?, firstMessage?, language?, otherCountries?}; null o \"\" quita el valor",
        "groups",
    ),
    (
        "post",
        "/api/groups/{id}/clients",
        "Agregar clientes (arreglo JSON)",
        "groups",
    ),
    (
        "post",
        "/api/groups/{id}/clients/import",
        "Importar clientes desde CSV (cuerpo text/csv)",
        "groups",
    ),
    (
        "post",
        "/api/groups/{id}/prepare-agent",
        "Preparar el agente del grupo (o del usuario) con las variables, el primer mensaje y el idioma del grupo {userId}",
        "calls",
    ),
    (
        "post",
        "/api/groups/{id}/call",
        "Iniciar llamadas en masa {userId, agentPhoneNumberId (opcional si el grupo tiene número), scheduledTimeUnix?, skipIncomplete?, force?, retryPolicy?}; ?dryRun=true solo verifica; cabecera Idempotency-Key opcional",
        "calls",
    ),
    (
        "post",
        "/api/groups/{id}/call/preflight",
        "Verificación previa: lo mismo que ?dryRun=true; no marca a nadie",
        "calls",
    ),
    (
        "get",
        "/api/batch-calls",
        "Lista de batch calls (BatchListItem[], más reciente primero)",
        "calls",
    ),
    (
        "get",
        "/api/batch-calls/{batchId}/status",
        "Estado enriquecido (BatchStatusView)",
        "calls",
    ),
    (
        "get",
        "/api/batch-calls/{batchId}/status/stream",
        "SSE: connected, status-update, batch-completed, error, timeout; acepta ?access_token=; ?view=delta: solo los cambios (status-delta, con id; Last-Event-ID o ?lastEventId= para retomar)",
        "calls",
    ),
    (
        "post",
        "/api/batch-calls/{batchId}/retry",
        "Reintentar llamadas fallidas o con buzón de voz",
        "calls",
    ),
    (
        "post",
        "/api/batch-calls/{batchId}/cancel",
        "Cancelar llamadas pendientes",
        "calls",
    ),
    (
        "post",
        "/api/batch-calls/{batchId}/resume",
        "Reenviar en un batch nuevo los destinatarios sin marcar de un batch detenido",
        "calls",
    ),
    (
        "get",
        "/api/phone-numbers",
        "Números de ElevenLabs",
        "elevenlabs",
    ),
    ("get", "/api/agents", "Agentes de ElevenLabs", "elevenlabs"),
    (
        "get",
        "/api/conversations/{id}/audio",
        "Audio de una conversación (proxy); acepta ?access_token=",
        "elevenlabs",
    ),
    (
        "post",
        "/api/users",
        "Crear usuario (solo admin); devuelve el token una vez",
        "users",
    ),
    ("get", "/api/users/{id}", "Ver usuario", "users"),
    (
        "post",
        "/api/users/{id}/token",
        "Renovar el token de un usuario (solo admin; expiresInDays opcional); devuelve el nuevo una vez",
        "users",
    ),
    (
        "delete",
        "/api/users/{id}/token",
        "Revocar el token de un usuario (solo admin)",
        "users",
    ),
    (
        "put",
        "/api/groups/{id}/owner",
        "Cambiar el dueño de un grupo, sus clientes y sus batches (solo admin)",
        "groups",
    ),
    (
        "get",
        "/api/batch-calls/{batchId}/report",
        "Indicadores del lote (BatchKpis), con comparación opcional ?compare=ID",
        "batches",
    ),
    (
        "get",
        "/api/batch-calls/{batchId}/export",
        "Exportar el lote: ?format=csv|json",
        "batches",
    ),
    (
        "get",
        "/api/optouts",
        "Lista de no llamar (solo admin)",
        "optouts",
    ),
    (
        "post",
        "/api/optouts",
        "Agregar un teléfono a la lista de no llamar {phone, reason?}",
        "optouts",
    ),
    (
        "post",
        "/api/optouts/import",
        "Importar la lista de no llamar desde un CSV (solo agrega)",
        "optouts",
    ),
    (
        "delete",
        "/api/optouts/{phone}",
        "Quitar un teléfono de la lista de no llamar (solo admin)",
        "optouts",
    ),
    (
        "get",
        "/api/audit",
        "Registro de auditoría: ?target=&limit=&cursor=",
        "audit",
    ),
    (
        "get",
        "/api/rules",
        "Reglas de llamada activas (RulesView): horario por día y festivos de un año; ?year=AAAA, ?lang=en o Accept-Language",
        "rules",
    ),
    (
        "post",
        super::settings::DEFAULT_WEBHOOK_PATH,
        "Webhooks post-llamada de ElevenLabs (sin token: firma ElevenLabs-Signature); ruta según [webhooks] path",
        "webhooks",
    ),
];

async fn openapi(State(st): State<AppState>) -> impl IntoResponse {
    let mut doc = openapi_document();
    // The webhook receiver listens where the settings say.
    let path = &st.cfg().webhooks.path;
    if let Some(paths) = doc["paths"].as_object_mut()
        && let Some(op) = paths.remove(super::settings::DEFAULT_WEBHOOK_PATH)
    {
        paths.insert(path.clone(), op);
    }
    axum::Json(doc)
}

pub fn openapi_document() -> Value {
    let envelope = json!({
        "type": "object",
        "required": ["success", "message"],
        "properties": {
            "success": {"type": "boolean"},
            "message": {"type": "string", "description": "En español, para el supervisor"},
            "code": {"type": "string", "description": "Código de error legible por máquina"},
            "data": {},
            "details": {}
        }
    });
    let mut paths = serde_json::Map::new();
    for (method, path, summary, tag) in ROUTES {
        let mut op = json!({
            "summary": summary,
            "tags": [tag],
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}}},
                "default": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}}}
            }
        });
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        let bodiless = ["/retry", "/cancel", "/resume"];
        let with_body = *method == "post" || *method == "patch";
        if with_body && !bodiless.iter().any(|b| path.ends_with(b)) {
            let ct = if path.ends_with("/import") {
                "text/csv"
            } else {
                "application/json"
            };
            op["requestBody"] = json!({"required": true, "content": {ct: {"schema": {"type": if ct == "text/csv" {"string"} else {"object"}}}}});
        }
        if *tag == "webhooks" {
            // Signed by ElevenLabs, not by a bearer token.
            op["security"] = json!([]);
            op["parameters"] = json!([{"name": "ElevenLabs-Signature", "in": "header", "required": true, "schema": {"type": "string"}, "description": "t=<unix>,v0=<hex HMAC-SHA256 de \"t.cuerpo\">"}]);
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "callboard — llamadas en masa",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "La API del documento «Llamadas en Masa (Batch Calling)», sobre ElevenLabs."
        },
        "components": {
            "schemas": {"Envelope": envelope},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        },
        "security": [{"bearer": []}],
        "paths": paths
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_seed_path() {
        let doc = super::openapi_document();
        for p in [
            "/api/groups/{id}/call",
            "/api/groups/{id}/prepare-agent",
            "/api/batch-calls/{batchId}/status/stream",
            "/api/batch-calls/{batchId}/retry",
        ] {
            assert!(doc["paths"][p].is_object(), "{p} missing");
        }
        assert!(doc["paths"]["/api/groups"]["get"].is_object());
        assert!(doc["paths"]["/api/groups"]["post"].is_object());
    }
}
