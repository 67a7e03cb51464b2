//! A group's settings: its owner (`PUT /api/groups/:id/owner`, admin) and its campaign: its own agent (`agentId`), caller number
//! (`agentPhoneNumberId`), country (`country`), and what prepare-agent gives the agent
//! (`firstMessage`, `language`). Set when a group is created (`POST /api/groups`) or later
//! (`PATCH /api/groups/:id`); the agent and the number are checked against ElevenLabs when
//! it is configured (else at call time). A new country reads every client's phone again.

use axum::extract::State;
use serde::{Deserialize, Deserializer};

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiPath};
use super::ownership::owned_group;
use super::ownership::owner_for_new;
use super::respond::Ok200;
use super::state::AppState;
use crate::api::{ErrorCode, GroupSummary};
use crate::domain::group_setup::{SetupError, clean_first_message, clean_id, clean_language};
use crate::domain::phone::Region;
use crate::domain::{AuditAction, GroupId, GroupSetup, UserId};

/// The settings a request names: absent = unchanged, `null` or `""` = cleared.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupInput {
    #[serde(default, deserialize_with = "present")]
    pub agent_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub agent_phone_number_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub country: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub first_message: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub language: Option<Option<String>>,
}

/// A field that is present, even as `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct UpdateGroup {
    #[serde(default, deserialize_with = "present")]
    agent_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    agent_phone_number_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    country: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    first_message: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    language: Option<Option<String>>,
    #[serde(default)]
    other_countries: Option<bool>,
}

/// `PATCH /api/groups/:id`: changes the named settings, keeps the others.
pub(super) async fn update(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<GroupId>,
    ApiJson(body): ApiJson<UpdateGroup>,
) -> Result<Ok200<GroupSummary>, ApiError> {
    let g = owned_group(&st, &caller, id).await?;
    let input = SetupInput {
        agent_id: body.agent_id,
        agent_phone_number_id: body.agent_phone_number_id,
        country: body.country,
        first_message: body.first_message,
        language: body.language,
    };
    let setup = resolve(&st, &g.setup, input).await?;
    let other_countries = body.other_countries.unwrap_or(g.other_countries);
    let store = st.store().clone();
    let region = st.cfg().region;
    let saved = setup.clone();
    let rt = tokio::runtime::Handle::current();
    let g = tokio::task::spawn_blocking(move || {
        rt.block_on(store.set_group_setup(id, saved, other_countries, region))
    })
    .await
    .map_err(ApiError::internal)??;
    super::audit_log::audit(
        &st,
        &caller,
        AuditAction::GroupSetup,
        &format!("group:{id}"),
        serde_json::json!({ "setup": setup, "otherCountries": other_countries }),
    )
    .await;
    let clients = st.store().clients(id).await?;
    let s = super::group_views::summary(st.store(), &g, &clients, region).await?;
    Ok(Ok200::new(
        format!("Configuración del grupo «{}» actualizada", g.name),
        s,
    ))
}

/// The settings after the request's changes, checked: ids and codes well formed, and the
/// agent and the number known to ElevenLabs (when it is configured).
pub async fn resolve(
    st: &AppState,
    base: &GroupSetup,
    input: SetupInput,
) -> Result<GroupSetup, ApiError> {
    let mut s = base.clone();
    let bad = |e: SetupError| {
        let code = match e {
            SetupError::BadLanguage(_) => ErrorCode::InvalidLanguage,
            SetupError::BadId { .. } | SetupError::BadFirstMessage => ErrorCode::InvalidText,
        };
        ApiError::unprocessable(code, e.to_string())
    };
    if let Some(v) = input.agent_id {
        s.agent_id = clean_id(v.as_deref(), "agentId").map_err(bad)?;
    }
    if let Some(v) = input.agent_phone_number_id {
        s.agent_phone_number_id = clean_id(v.as_deref(), "agentPhoneNumberId").map_err(bad)?;
    }
    if let Some(v) = input.first_message {
        s.first_message = clean_first_message(v.as_deref()).map_err(bad)?;
    }
    if let Some(v) = input.language {
        s.language = clean_language(v.as_deref()).map_err(bad)?;
    }
    if let Some(v) = input.country {
        s.country = country(v.as_deref())?;
    }
    check_upstream(st, base, &s).await?;
    Ok(s)
}

fn country(v: Option<&str>) -> Result<Option<Region>, ApiError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    v.parse().map(Some).map_err(|_| {
        ApiError::unprocessable(
            ErrorCode::InvalidCountry,
            format!(
                "País no válido «{}»: use un código ISO de dos letras como CO o MX",
                super::error::truncate(v, 20)
            ),
        )
    })
}

/// A new agent or number must exist in the workspace. Without ElevenLabs configured the
/// check waits for the call start, which says the same.
async fn check_upstream(st: &AppState, base: &GroupSetup, s: &GroupSetup) -> Result<(), ApiError> {
    if !st.upstream_configured() {
        return Ok(());
    }
    let client = st.client()?;
    if let Some(a) = s
        .agent_id
        .as_deref()
        .filter(|a| base.agent_id.as_deref() != Some(*a))
    {
        client.get_agent(a).await.map_err(|e| {
            if e.is_not_found() {
                ApiError::unprocessable(
                    ErrorCode::AgentNotFound,
                    format!("El agente {a} (agentId) no existe en ElevenLabs; GET /api/agents lista los del espacio de trabajo"),
                )
            } else {
                ApiError::from_upstream(&e)
            }
        })?;
    }
    if let Some(p) = s
        .agent_phone_number_id
        .as_deref()
        .filter(|p| base.agent_phone_number_id.as_deref() != Some(*p))
        && !crate::campaign::number_exists(client, p).await?
    {
        return Err(ApiError::unprocessable(
            ErrorCode::PhoneNumberNotFound,
            format!(
                "El número {p} (agentPhoneNumberId) no existe en ElevenLabs; GET /api/phone-numbers lista los del espacio de trabajo"
            ),
        ));
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct SetOwner {
    /// The new owner; null = the admin's only.
    owner_id: Option<UserId>,
}

/// `PUT /api/groups/:id/owner` (admin): gives the group, its clients and its batches to
/// another user, or keeps them for the admin only.
pub(super) async fn set_owner(
    caller: Caller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<GroupId>,
    ApiJson(body): ApiJson<SetOwner>,
) -> Result<Ok200<GroupSummary>, ApiError> {
    caller.require_admin_to("cambiar el dueño de un grupo")?;
    owned_group(&st, &caller, id).await?;
    let owner = match body.owner_id {
        Some(o) => owner_for_new(&st, &caller, Some(o)).await?,
        None => None,
    };
    let g = st.store().set_group_owner(id, owner).await?;
    super::audit_log::audit(
        &st,
        &caller,
        AuditAction::GroupOwner,
        &format!("group:{id}"),
        serde_json::json!({ "ownerId": owner }),
    )
    .await;
    let clients = st.store().clients(id).await?;
    let s = super::group_views::summary(st.store(), &g, &clients, st.cfg().region).await?;
    Ok(Ok200::new(
        format!("Dueño del grupo «{}» actualizado", g.name),
        s,
    ))
}
