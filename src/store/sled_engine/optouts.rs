//! The do-not-call list (opt-outs), keyed by E.164 phone. An import only adds: nothing
//! ever removes an opt-out except an explicit, audited removal.

use std::collections::HashMap;

use super::{SledStore, encode, get, values};
use crate::store::error::Result;
use crate::store::optouts::OptOut;

impl SledStore {
    /// Adds opt-outs; ones already present are kept as they are. Returns how many were new.
    pub(crate) fn add_optouts(&self, entries: &[OptOut]) -> Result<usize> {
        let mut added = 0;
        for e in entries {
            let res = self.optouts.compare_and_swap(
                e.phone_number.as_bytes(),
                None as Option<&[u8]>,
                Some(encode(e)?),
            )?;
            if res.is_ok() {
                added += 1;
            }
        }
        self.flush()?;
        Ok(added)
    }

    pub(crate) fn optout(&self, phone_e164: &str) -> Result<Option<OptOut>> {
        get(&self.optouts, phone_e164.as_bytes())
    }

    pub(crate) fn optouts(&self) -> Result<Vec<OptOut>> {
        values(self.optouts.iter())
    }

    /// phone → reason, for the pre-flight check.
    pub(crate) fn optout_map(&self) -> Result<HashMap<String, String>> {
        Ok(self
            .optouts()?
            .into_iter()
            .map(|o| (o.phone_number, o.reason))
            .collect())
    }

    /// Removes one opt-out (an explicit decision, to be audited by the caller).
    pub(crate) fn remove_optout(&self, phone_e164: &str) -> Result<bool> {
        let existed = self.optouts.remove(phone_e164.as_bytes())?.is_some();
        self.flush()?;
        Ok(existed)
    }
}
