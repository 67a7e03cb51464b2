//! The do-not-call list's routes: the list (the admin's to see), add, remove, import. The
//! writes are `campaign::Campaign`'s (they stop queued calls to the numbers added).

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::json;

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiPath};
use super::respond::Ok200;
use super::state::AppState;
use crate::api::{OptOutImport, OptOutView};
use crate::store::optouts::OptOut;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/optouts", get(list_optouts).post(add_optout))
        .route("/api/optouts/import", post(import_optouts))
        .route("/api/optouts/{phone}", delete(remove_optout))
}

async fn list_optouts(
    caller: Caller,
    State(st): State<AppState>,
) -> Result<Ok200<Vec<OptOutView>>, ApiError> {
    // One list for the whole service: whoever asked not to be called is protected from
    // everyone, but who they are is the admin's to see.
    caller.require_admin_to("ver la lista de no llamar")?;
    Ok(Ok200::new(
        "Lista de no llamar obtenida exitosamente",
        st.store().optouts().await?.into_iter().map(view).collect(),
    ))
}

/// The store's record as the API answers it.
fn view(o: OptOut) -> OptOutView {
    OptOutView {
        phone_number: o.phone_number,
        reason: o.reason,
        source: o.source,
        added_at: o.added_at,
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AddOptOut {
    #[serde(alias = "phone_number", alias = "phoneNumber", alias = "telefono")]
    phone: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn add_optout(
    caller: Caller,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<AddOptOut>,
) -> Result<Ok200<OptOutView>, ApiError> {
    let done = st
        .campaign()
        .add_optout(&caller.actor(), &body.phone, body.reason)
        .await?;
    Ok(Ok200::new(done.message, view(done.data)))
}

async fn remove_optout(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(raw): ApiPath<String>,
) -> Result<Ok200<serde_json::Value>, ApiError> {
    caller.require_admin_to("quitar números de la lista de no llamar")?;
    let done = st.campaign().remove_optout(&caller.actor(), &raw).await?;
    Ok(Ok200::new(
        done.message,
        json!({ "phoneNumber": done.data }),
    ))
}

async fn import_optouts(
    caller: Caller,
    State(st): State<AppState>,
    body: Body,
) -> Result<Ok200<OptOutImport>, ApiError> {
    let body = super::limits::read_csv_body(&st, body).await?;
    let done = st.campaign().import_optouts(&caller.actor(), &body).await?;
    Ok(Ok200::new(done.message, done.data))
}
