//! Everything the sled store holds, read whole: what `callboard store copy` moves into
//! PostgreSQL (see `store::copy`).

use super::{SledStore, decode, values};
use crate::store::cache::IdempotentResponse;
use crate::store::copy::Dump;
use crate::store::error::Result;

impl SledStore {
    pub(crate) fn dump(&self) -> Result<Dump> {
        let groups = self.groups()?;
        let mut clients = Vec::with_capacity(groups.len());
        for g in &groups {
            clients.push((g.id, self.clients(g.id)?));
        }
        let mut idempotency = Vec::new();
        for kv in self.idempotency.iter() {
            let (k, v) = kv?;
            let name = String::from_utf8_lossy(&k).into_owned();
            let resp: IdempotentResponse = decode(&name, &v)?;
            let (scope, key) = split_scope(&name);
            idempotency.push((scope, key, resp));
        }
        Ok(Dump {
            users: self.users()?,
            groups,
            clients,
            batches: self.batches()?,
            conversations: values(self.conversations.iter())?,
            idempotency,
            intents: values(self.journal.iter())?,
            optouts: self.optouts()?,
            audit: self.audit_log(None, usize::MAX)?,
        })
    }
}

/// An idempotency entry's sled key, `{scope}/{key}`, back into its parts. Scopes are
/// `call/{user}/{group}` (`campaign::idempotency`); the key is what follows (it may hold
/// slashes of its own).
fn split_scope(name: &str) -> (String, String) {
    let parts: Vec<&str> = name.splitn(4, '/').collect();
    match parts.as_slice() {
        ["call", user, group, key] => (format!("call/{user}/{group}"), key.to_string()),
        _ => match name.split_once('/') {
            Some((scope, key)) => (scope.to_string(), key.to_string()),
            None => (String::new(), name.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn idempotency_names_split_after_the_call_scope() {
        assert_eq!(
            super::split_scope("call/19/4/k/with/slashes"),
            ("call/19/4".to_string(), "k/with/slashes".to_string())
        );
        assert_eq!(
            super::split_scope("other/k"),
            ("other".to_string(), "k".to_string())
        );
    }
}
