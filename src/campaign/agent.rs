//! Which agent and caller number a group's calls use: the group's own when it names them
//! (`agentId`, `agentPhoneNumberId`), else the acting user's agent and the number the
//! request names. A request's number still wins over the group's: it is the supervisor's
//! choice for this one start (the TUI's call dialog preselects the group's).

use crate::api::ErrorCode;
use crate::api::{ApiError, truncate};
use crate::domain::{Group, User, UserId};
use crate::elevenlabs::ElevenLabsClient;

use super::Campaign;

/// The agent a start uses, and whether it is the group's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentChoice {
    pub agent_id: String,
    pub from_group: bool,
}

/// The acting user, who must exist and have an agent.
pub async fn user_with_agent(st: &Campaign, id: UserId) -> Result<(User, String), ApiError> {
    let user = existing_user(st, id).await?;
    let agent = own_agent(&user).ok_or_else(|| without_agent(id))?;
    Ok((user, agent))
}

/// The acting user (who must exist) and the agent that calls `group`: the group's own,
/// else the user's. `group` is None when it is not known (yet) or not the user's to see:
/// then only the user's agent counts, and nothing about the group leaks.
pub async fn agent_for(
    st: &Campaign,
    id: UserId,
    group: Option<&Group>,
) -> Result<(User, AgentChoice), ApiError> {
    let user = existing_user(st, id).await?;
    if let Some(a) = group.and_then(|g| g.setup.agent_id.clone()) {
        return Ok((
            user,
            AgentChoice {
                agent_id: a,
                from_group: true,
            },
        ));
    }
    let agent_id = own_agent(&user).ok_or_else(|| without_agent(id))?;
    Ok((
        user,
        AgentChoice {
            agent_id,
            from_group: false,
        },
    ))
}

/// The caller number: the request's, else the group's. Returns whether it is the group's.
pub fn phone_number_for(
    asked: Option<&str>,
    group: Option<&Group>,
) -> Result<(String, bool), ApiError> {
    if let Some(p) = asked.map(str::trim).filter(|p| !p.is_empty()) {
        return Ok((p.to_string(), false));
    }
    match group.and_then(|g| g.setup.agent_phone_number_id.clone()) {
        Some(p) => Ok((p, true)),
        None => Err(ApiError::unprocessable(
            ErrorCode::PhoneNumberRequired,
            "El ID del número telefónico del agente (agentPhoneNumberId) es requerido: envíelo o asígnele un número al grupo",
        )),
    }
}

/// ElevenLabs does not know the agent: say whose it is and what to do.
pub fn agent_not_found(agent: &AgentChoice, group: &Group) -> ApiError {
    let id = truncate(&agent.agent_id, 80);
    let message = if agent.from_group {
        format!(
            "El agente {id} del grupo «{}» no existe en ElevenLabs; corrija el agentId del grupo (PATCH /api/groups/{}) o quítelo para usar el del usuario",
            group.name, group.id
        )
    } else {
        format!("El agente {id} del usuario no existe en ElevenLabs")
    };
    ApiError::unprocessable(ErrorCode::AgentNotFound, message)
}

/// The group's caller number must be one of the workspace's: a number removed from
/// ElevenLabs since it was set is said plainly, before anything is submitted.
pub async fn ensure_group_number(
    client: &ElevenLabsClient,
    number: &str,
    group: &Group,
) -> Result<(), ApiError> {
    if number_exists(client, number).await? {
        return Ok(());
    }
    Err(ApiError::unprocessable(
        ErrorCode::PhoneNumberNotFound,
        format!(
            "El número {} del grupo «{}» no existe en ElevenLabs; elija otro (agentPhoneNumberId) en el grupo o en la llamada",
            truncate(number, 80),
            group.name
        ),
    ))
}

/// Whether the workspace has this caller number.
pub async fn number_exists(client: &ElevenLabsClient, number: &str) -> Result<bool, ApiError> {
    let numbers = client
        .list_phone_numbers()
        .await
        .map_err(|e| ApiError::from_upstream(&e))?;
    Ok(numbers.iter().any(|p| p.phone_number_id == number))
}

async fn existing_user(st: &Campaign, id: UserId) -> Result<User, ApiError> {
    st.store().user(id).await?.ok_or_else(|| {
        ApiError::not_found(
            ErrorCode::UserNotFound,
            format!("Usuario {id} no encontrado"),
        )
    })
}

fn own_agent(user: &User) -> Option<String> {
    user.agent_id.clone().filter(|a| !a.trim().is_empty())
}

fn without_agent(id: UserId) -> ApiError {
    ApiError::unprocessable(
        ErrorCode::UserWithoutAgent,
        format!("El usuario {id} no tiene un agente asignado (ni el grupo uno propio)"),
    )
}
