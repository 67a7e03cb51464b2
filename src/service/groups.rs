//! Groups and their clients: list, create, detail, add clients (JSON) and import (CSV),
//! with the same phone rules and report as `callboard import`.

use crate::api::ErrorCode;
use crate::domain::AuditAction;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiPath};
use super::limits::{check_label, read_csv_body};
use super::ownership::{may_see_owner, owned_group, owner_for_new};
use super::respond::{Ok200, created};
use super::state::AppState;
use crate::api::{ClientView, GroupDetail, GroupSummary, LastBatch};
use crate::domain::import::{DuplicateRow, RejectedRow, parse_clients};
use crate::domain::{Client, ClientDraft, Group, GroupId, UserId, variables};
use crate::store::{NewGroup, Store};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/groups", get(list).post(create))
        .route("/api/groups/{id}", get(detail))
        .route("/api/groups/{id}/owner", put(set_owner))
        .route("/api/groups/{id}/clients", post(add_clients))
        .route("/api/groups/{id}/clients/import", post(import))
}

async fn list(
    caller: Caller,
    State(st): State<AppState>,
) -> Result<Ok200<Vec<GroupSummary>>, ApiError> {
    let store = st.store().clone();
    let groups = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let mut out = Vec::new();
        let visible = store
            .groups()?
            .into_iter()
            .filter(|g| may_see_owner(&caller, g.owner));
        for g in visible {
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
    /// Admin only: the id to give the group (1 to `MAX_EXPLICIT_ID`).
    #[serde(default)]
    id: Option<GroupId>,
    /// Admin only: the user the group belongs to (a user's group is always its own).
    #[serde(default)]
    owner_id: Option<UserId>,
    /// Dial numbers of other countries too (by default only the service's region).
    #[serde(default)]
    other_countries: bool,
}

async fn create(
    caller: Caller,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<CreateGroup>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    if body.name.trim().is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::GroupNameRequired,
            "El grupo necesita un nombre",
        ));
    }
    check_label(&body.name, "name", 120)?;
    if let Some(id) = body.id {
        caller.require_admin_to("elegir el id de un grupo")?;
        if !(1..=crate::domain::MAX_EXPLICIT_ID).contains(&id) {
            return Err(ApiError::unprocessable(
                ErrorCode::InvalidId,
                format!(
                    "El id debe estar entre 1 y {}",
                    crate::domain::MAX_EXPLICIT_ID
                ),
            ));
        }
    }
    check_variables(&body.variables)?;
    let owner = owner_for_new(&st, &caller, body.owner_id)?;
    let g = st.store().create_group(NewGroup {
        name: body.name,
        variables: body.variables,
        id: body.id,
        owner,
        other_countries: body.other_countries,
    })?;
    let s = summary(st.store(), &g, &[])?;
    Ok(created(format!("Grupo «{}» creado", g.name), s))
}

/// A group's or client's own variables: valid names, values of sane size without control
/// characters (tabs and line breaks aside: a value may be a short text).
fn check_variables(vars: &BTreeMap<String, String>) -> Result<(), ApiError> {
    if vars.len() > 100 {
        return Err(ApiError::unprocessable(
            ErrorCode::TooManyVariables,
            "Máximo 100 variables",
        ));
    }
    for (k, v) in vars {
        check_variable_name(k)?;
        if v.chars().count() > 2000 || v.chars().any(|c| c.is_control() && !"\t\n\r".contains(c)) {
            return Err(ApiError::unprocessable(
                ErrorCode::InvalidVariableValue,
                format!(
                    "Valor no válido para «{k}»: máximo 2000 caracteres, sin caracteres de control"
                ),
            ));
        }
    }
    Ok(())
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
            ErrorCode::InvalidVariableName,
            format!(
                "Nombre de variable no válido «{}»: use letras, números, _ o - (sin «system__»)",
                super::error::truncate(k, 64)
            ),
        ))
    }
}

async fn detail(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<GroupId>,
) -> Result<Ok200<GroupDetail>, ApiError> {
    owned_group(&st, &caller, id)?;
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
        owner_id: g.owner,
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
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<GroupId>,
    ApiJson(body): ApiJson<Vec<ClientInput>>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    let g = owned_group(&st, &caller, id)?;
    if body.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::NoClients,
            "La lista de clientes está vacía",
        ));
    }
    let mut drafts = Vec::with_capacity(body.len());
    for c in body {
        check_variables(&c.variables)?;
        check_client_text(&c)?;
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
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<GroupId>,
    body: Body,
) -> Result<Ok200<ImportData>, ApiError> {
    let g = owned_group(&st, &caller, id)?;
    let body = read_csv_body(&st, body).await?;
    let store = st.store().clone();
    let region = st.cfg().region;
    let data = tokio::task::spawn_blocking(move || -> Result<ImportData, ApiError> {
        let parsed = parse_clients(&body, region, |_| {})
            .map_err(|e| ApiError::unprocessable(ErrorCode::InvalidCsv, e.to_string()))?;
        let (rows_read, rejected, duplicates, variable_columns) = (
            parsed.rows_read,
            parsed.rejected.clone(),
            parsed.duplicates.clone(),
            parsed.variable_columns.clone(),
        );
        let s = store.import_clients_into(g.id, parsed)?;
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

/// A client's typed fields: bounded, without control characters.
fn check_client_text(c: &ClientInput) -> Result<(), ApiError> {
    let fields = [
        ("name", Some(c.name.as_str()), 200),
        ("phone", Some(c.phone.as_str()), 40),
        ("email", c.email.as_deref(), 200),
        ("empresa", c.empresa.as_deref(), 200),
        ("cargo", c.cargo.as_deref(), 200),
    ];
    for (field, value, max) in fields {
        let Some(v) = value else { continue };
        if v.chars().count() > max || v.chars().any(super::limits::is_hidden_control) {
            return Err(ApiError::unprocessable(
                ErrorCode::InvalidText,
                format!("{field}: máximo {max} caracteres, sin caracteres de control"),
            ));
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetOwner {
    /// The new owner; null = the admin's only.
    owner_id: Option<UserId>,
}

/// `PUT /api/groups/:id/owner` (admin): gives the group, its clients and its batches to
/// another user, or keeps them for the admin only.
async fn set_owner(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<GroupId>,
    ApiJson(body): ApiJson<SetOwner>,
) -> Result<Ok200<GroupSummary>, ApiError> {
    caller.require_admin_to("cambiar el dueño de un grupo")?;
    owned_group(&st, &caller, id)?;
    let owner = match body.owner_id {
        Some(o) => owner_for_new(&st, &caller, Some(o))?,
        None => None,
    };
    let g = st.store().set_group_owner(id, owner)?;
    super::audit_log::audit(
        &st,
        &caller,
        AuditAction::GroupOwner,
        &format!("group:{id}"),
        serde_json::json!({ "ownerId": owner }),
    );
    let clients = st.store().clients(id)?;
    let s = summary(st.store(), &g, &clients)?;
    Ok(Ok200::new(
        format!("Dueño del grupo «{}» actualizado", g.name),
        s,
    ))
}
