//! Groups and their clients: list, create, detail, add clients (JSON) and import (CSV),
//! with the same phone rules and report as `callboard import`.

use crate::api::ErrorCode;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiPath};
use super::group_checks::check_variables;
use super::group_setup::SetupInput;
use super::group_views::{client_view, summary};
use super::limits::{check_label, read_csv_body};
use super::ownership::{may_see_owner, owned_group, owner_for_new};
use super::respond::{Ok200, created};
use super::state::AppState;
use crate::api::{ClientView, GroupDetail, GroupSummary};
use crate::domain::import::{DuplicateRow, RejectedRow, parse_clients};
use crate::domain::phone::Region;
use crate::domain::{ClientDraft, GroupId, GroupSetup, UserId};
use crate::store::{NewGroup, Store};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/groups", get(list).post(create))
        .route(
            "/api/groups/{id}",
            get(detail).patch(super::group_setup::update),
        )
        .route("/api/groups/{id}/owner", put(super::group_setup::set_owner))
        .route("/api/groups/{id}/clients", post(add_clients))
        .route("/api/groups/{id}/clients/import", post(import))
}

async fn list(
    caller: Caller,
    State(st): State<AppState>,
) -> Result<Ok200<Vec<GroupSummary>>, ApiError> {
    let store = st.store().clone();
    let region = st.cfg().region;
    let rt = tokio::runtime::Handle::current();
    let groups = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        rt.block_on(async {
            let mut out = Vec::new();
            let visible = store
                .groups()
                .await?
                .into_iter()
                .filter(|g| may_see_owner(&caller, g.owner));
            for g in visible {
                let clients = store.clients(g.id).await?;
                out.push(summary(&store, &g, &clients, region).await?);
            }
            Ok(out)
        })
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
    /// Dial numbers of other countries too (by default only the group's country).
    #[serde(default)]
    other_countries: bool,
    /// The group's own agent, caller number, country, first message and language.
    #[serde(default)]
    agent_id: Option<String>,
    #[serde(default)]
    agent_phone_number_id: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    first_message: Option<String>,
    #[serde(default)]
    language: Option<String>,
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
    let owner = owner_for_new(&st, &caller, body.owner_id).await?;
    let input = SetupInput {
        agent_id: Some(body.agent_id),
        agent_phone_number_id: Some(body.agent_phone_number_id),
        country: Some(body.country),
        first_message: Some(body.first_message),
        language: Some(body.language),
    };
    let setup = super::group_setup::resolve(&st, &GroupSetup::default(), input).await?;
    let g = st
        .store()
        .create_group(NewGroup {
            name: body.name,
            variables: body.variables,
            id: body.id,
            owner,
            other_countries: body.other_countries,
            setup,
        })
        .await?;
    let s = summary(st.store(), &g, &[], st.cfg().region).await?;
    Ok(created(format!("Grupo «{}» creado", g.name), s))
}

async fn detail(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<GroupId>,
) -> Result<Ok200<GroupDetail>, ApiError> {
    owned_group(&st, &caller, id).await?;
    let store = st.store().clone();
    let region = st.cfg().region;
    let rt = tokio::runtime::Handle::current();
    let d = tokio::task::spawn_blocking(move || rt.block_on(group_detail(&store, id, region)))
        .await
        .map_err(ApiError::internal)??;
    Ok(Ok200::new("Grupo obtenido exitosamente", d))
}

pub async fn group_detail(
    store: &Store,
    id: GroupId,
    region: Region,
) -> Result<GroupDetail, ApiError> {
    let g = store
        .group(id)
        .await?
        .ok_or_else(|| ApiError::group_not_found(id))?;
    let clients = store.clients(id).await?;
    Ok(GroupDetail {
        summary: summary(store, &g, &clients, region).await?,
        clients: clients.iter().map(|c| client_view(c, &g)).collect(),
    })
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
    let g = owned_group(&st, &caller, id).await?;
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
    let region = g.setup.country_or(st.cfg().region);
    let rt = tokio::runtime::Handle::current();
    let added =
        tokio::task::spawn_blocking(move || rt.block_on(store.add_clients(id, drafts, region)))
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
    let g = owned_group(&st, &caller, id).await?;
    let body = read_csv_body(&st, body).await?;
    let store = st.store().clone();
    let region = g.setup.country_or(st.cfg().region);
    let rt = tokio::runtime::Handle::current();
    let data = tokio::task::spawn_blocking(move || -> Result<ImportData, ApiError> {
        let parsed = parse_clients(&body, region, |_| {})
            .map_err(|e| ApiError::unprocessable(ErrorCode::InvalidCsv, e.to_string()))?;
        let (rows_read, rejected, duplicates, variable_columns) = (
            parsed.rows_read,
            parsed.rejected.clone(),
            parsed.duplicates.clone(),
            parsed.variable_columns.clone(),
        );
        let s = rt.block_on(store.import_clients_into(g.id, parsed))?;
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
