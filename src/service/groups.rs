//! Groups and their clients: list, create, detail, add clients (JSON) and import (CSV),
//! with the same phone rules and report as `callboard import`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiPath};
use super::respond::{Ok200, created};
use super::state::AppState;
use crate::api::{ClientView, GroupDetail, GroupSummary, LastBatch};
use crate::domain::import::{DuplicateRow, RejectedRow, parse_clients};
use crate::domain::{Client, ClientDraft, Group, GroupId, variables};
use crate::store::Store;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/groups", get(list).post(create))
        .route("/api/groups/{id}", get(detail))
        .route("/api/groups/{id}/clients", post(add_clients))
        .route("/api/groups/{id}/clients/import", post(import))
}

async fn list(
    _c: Caller,
    State(st): State<AppState>,
) -> Result<Ok200<Vec<GroupSummary>>, ApiError> {
    let store = st.store().clone();
    let groups = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let mut out = Vec::new();
        for g in store.groups()? {
            let clients = store.clients(g.id)?;
            out.push(summary(&store, &g, &clients)?);
        }
        Ok(out)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(Ok200::new("Grupos obtenidos exitosamente", groups))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateGroup {
    name: String,
    #[serde(default)]
    variables: BTreeMap<String, String>,
    #[serde(default)]
    id: Option<GroupId>,
}

async fn create(
    _c: Caller,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<CreateGroup>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    if body.name.trim().is_empty() {
        return Err(ApiError::unprocessable(
            "group_name_required",
            "El grupo necesita un nombre",
        ));
    }
    for k in body.variables.keys() {
        check_variable_name(k)?;
    }
    let g = st.store().add_group(&body.name, body.variables, body.id)?;
    let s = summary(st.store(), &g, &[])?;
    Ok(created(format!("Grupo «{}» creado", g.name), s))
}

/// Names ElevenLabs accepts for dynamic variables; `system__` is reserved upstream.
pub fn check_variable_name(k: &str) -> Result<(), ApiError> {
    let ok = !k.is_empty()
        && k.len() <= 64
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && !k.starts_with("system__");
    if ok {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            "invalid_variable_name",
            format!(
                "Nombre de variable no válido «{}»: use letras, números, _ o - (sin «system__»)",
                super::error::truncate(k, 64)
            ),
        ))
    }
}

async fn detail(
    _c: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<GroupId>,
) -> Result<Ok200<GroupDetail>, ApiError> {
    let store = st.store().clone();
    let d = tokio::task::spawn_blocking(move || group_detail(&store, id))
        .await
        .map_err(ApiError::internal)??;
    Ok(Ok200::new("Grupo obtenido exitosamente", d))
}

pub fn group_detail(store: &Store, id: GroupId) -> Result<GroupDetail, ApiError> {
    let g = store
        .group(id)?
        .ok_or_else(|| ApiError::group_not_found(id))?;
    let clients = store.clients(id)?;
    Ok(GroupDetail {
        summary: summary(store, &g, &clients)?,
        clients: clients.iter().map(|c| client_view(c, &g)).collect(),
    })
}

pub fn summary(store: &Store, g: &Group, clients: &[Client]) -> Result<GroupSummary, ApiError> {
    let last_batch = store
        .batches_of_group(g.id)?
        .into_iter()
        .next()
        .map(|b| LastBatch {
            batch_id: b.batch_id,
            status: b.last_status.unwrap_or(crate::domain::BatchStatus::Pending),
            created_at: b.created_at.to_rfc3339(),
        });
    Ok(GroupSummary {
        id: g.id,
        name: g.name.clone(),
        variables: g.variables.clone(),
        clients_count: clients.len(),
        valid_phones: clients.iter().filter(|c| c.phone_e164.is_ok()).count(),
        last_batch,
    })
}

pub fn client_view(c: &Client, g: &Group) -> ClientView {
    ClientView {
        id: c.id,
        name: c.name.clone(),
        email: c.email.clone(),
        empresa: c.empresa.clone(),
        cargo: c.cargo.clone(),
        phone: c.phone.clone(),
        phone_number: c.phone_e164.as_ref().ok().cloned(),
        phone_error: c.phone_e164.as_ref().err().map(|e| e.to_string()),
        variables: variables::build(c, g),
    }
}

/// A client as the API accepts it: the seed's fields plus its own `variables`.
#[derive(Debug, Deserialize)]
struct ClientInput {
    #[serde(default, alias = "nombre")]
    name: String,
    #[serde(alias = "telefono", alias = "phone_number", alias = "phoneNumber")]
    phone: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    empresa: Option<String>,
    #[serde(default)]
    cargo: Option<String>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AddClientsData {
    group_id: GroupId,
    added: usize,
    invalid_phones: usize,
    clients: Vec<ClientView>,
}

async fn add_clients(
    _c: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<GroupId>,
    ApiJson(body): ApiJson<Vec<ClientInput>>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    let g = st
        .store()
        .group(id)?
        .ok_or_else(|| ApiError::group_not_found(id))?;
    if body.is_empty() {
        return Err(ApiError::unprocessable(
            "no_clients",
            "La lista de clientes está vacía",
        ));
    }
    let mut drafts = Vec::with_capacity(body.len());
    for c in body {
        for k in c.variables.keys() {
            check_variable_name(k)?;
        }
        drafts.push(ClientDraft {
            name: c.name,
            email: c.email,
            empresa: c.empresa,
            cargo: c.cargo,
            phone: c.phone,
            extra: c.variables,
        });
    }
    let store = st.store().clone();
    let region = st.cfg().region;
    let added = tokio::task::spawn_blocking(move || store.add_clients(id, drafts, region))
        .await
        .map_err(ApiError::internal)??;
    let clients: Vec<ClientView> = added.iter().map(|c| client_view(c, &g)).collect();
    let invalid = clients.iter().filter(|c| c.phone_error.is_some()).count();
    let data = AddClientsData {
        group_id: id,
        added: clients.len(),
        invalid_phones: invalid,
        clients,
    };
    let msg = if invalid > 0 {
        format!(
            "{} clientes agregados; {invalid} con teléfono no válido (no se llamarán)",
            data.added
        )
    } else {
        format!("{} clientes agregados", data.added)
    };
    Ok((StatusCode::CREATED, Ok200::new(msg, data)))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ImportData {
    group_id: GroupId,
    rows_read: u64,
    created: usize,
    updated: usize,
    rejected: Vec<RejectedRow>,
    duplicates: Vec<DuplicateRow>,
    variable_columns: Vec<String>,
}

async fn import(
    _c: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<GroupId>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Ok200<ImportData>, ApiError> {
    let body = body.map_err(|e| super::error::from_bytes_status(e.status()))?;
    let g = st
        .store()
        .group(id)?
        .ok_or_else(|| ApiError::group_not_found(id))?;
    let store = st.store().clone();
    let region = st.cfg().region;
    let data = tokio::task::spawn_blocking(move || -> Result<ImportData, ApiError> {
        let parsed = parse_clients(&body, region, |_| {})
            .map_err(|e| ApiError::unprocessable("invalid_csv", e.to_string()))?;
        let (rows_read, rejected, duplicates, variable_columns) = (
            parsed.rows_read,
            parsed.rejected.clone(),
            parsed.duplicates.clone(),
            parsed.variable_columns.clone(),
        );
        let s = store.import_clients(&g.name, parsed)?;
        Ok(ImportData {
            group_id: s.group_id,
            rows_read,
            created: s.created,
            updated: s.updated,
            rejected,
            duplicates,
            variable_columns,
        })
    })
    .await
    .map_err(ApiError::internal)??;
    let msg = format!(
        "{} filas leídas, {} clientes nuevos, {} actualizados, {} rechazadas, {} duplicadas fusionadas",
        data.rows_read,
        data.created,
        data.updated,
        data.rejected.len(),
        data.duplicates.len()
    );
    Ok(Ok200::new(msg, data))
}
