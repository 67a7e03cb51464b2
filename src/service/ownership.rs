//! Who may see what. A group, its clients, its batches (with their status, stream,
//! report, export and audio) belong to the group's owner: the user who created it, or the
//! one the admin named. Anyone else gets the same 404 as for something that does not
//! exist, so ids of others' groups and batches are not even confirmed. The admin (and
//! `--no-auth` on loopback) sees everything; a group without an owner is the admin's only.
//! The do-not-call list is one for the whole service: any user adds to it, only the admin
//! lists it or removes from it (see `campaign.rs`).

use super::auth::Caller;
use super::error::ApiError;
use super::state::AppState;
use crate::api::ErrorCode;
use crate::domain::{Group, GroupId, UserId};

/// May `caller` see a group owned by `owner`?
pub fn may_see_owner(caller: &Caller, owner: Option<UserId>) -> bool {
    caller.actor().may_see_owner(owner)
}

/// The group, if it exists and the caller may see it; a 404 otherwise.
pub async fn owned_group(st: &AppState, caller: &Caller, id: GroupId) -> Result<Group, ApiError> {
    st.campaign().owned_group(&caller.actor(), id).await
}

/// The owner a new group gets: a user's own group is theirs; the admin may name one
/// (an existing user) or keep it for itself.
pub async fn owner_for_new(
    st: &AppState,
    caller: &Caller,
    requested: Option<UserId>,
) -> Result<Option<UserId>, ApiError> {
    match (caller, requested) {
        (Caller::User(u), None) => Ok(Some(u.id)),
        (Caller::User(u), Some(id)) if id == u.id => Ok(Some(id)),
        (Caller::User(_), Some(_)) => Err(ApiError::forbidden(
            ErrorCode::ForbiddenOwner,
            "Solo el administrador puede crear grupos para otro usuario",
        )),
        (_, None) => Ok(None),
        (_, Some(id)) => {
            if st.store().user(id).await?.is_none() {
                return Err(ApiError::unprocessable(
                    ErrorCode::OwnerNotFound,
                    format!("El usuario {id} (ownerId) no existe"),
                ));
            }
            Ok(Some(id))
        }
    }
}

/// Checks that the caller may see the batch `id`. A batch we submitted belongs to its
/// group's owner; a batch started outside callboard (no record) is the admin's only.
pub async fn visible_batch(st: &AppState, caller: &Caller, id: &str) -> Result<(), ApiError> {
    st.campaign().visible_batch(&caller.actor(), id).await
}

/// The owner of a group, for callers that hold only its id (batch records).
pub async fn group_owner(st: &AppState, group: GroupId) -> Result<Option<UserId>, ApiError> {
    Ok(st.store().group(group).await?.and_then(|g| g.owner))
}
