//! How the group routes show a group and its clients (`GroupSummary`, `ClientView`).

use super::error::ApiError;
use crate::api::{ClientView, GroupSummary, LastBatch};
use crate::domain::phone::Region;
use crate::domain::{Client, Group, variables};
use crate::store::Store;

/// A group as the lists show it; `region` is the service's (a group without a country of
/// its own reads phones there).
pub async fn summary(
    store: &Store,
    g: &Group,
    clients: &[Client],
    region: Region,
) -> Result<GroupSummary, ApiError> {
    let last_batch = store
        .batches_of_group(g.id)
        .await?
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
        agent_id: g.setup.agent_id.clone(),
        agent_phone_number_id: g.setup.agent_phone_number_id.clone(),
        country: g.setup.country_or(region).code().to_string(),
        first_message: g.setup.first_message.clone(),
        language: g.setup.language.clone(),
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
