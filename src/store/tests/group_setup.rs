//! A group's own campaign settings in the store: groups stored before them read as having
//! none, the settings survive a reopen, and a new country reads the clients' phones again.

use super::*;
use crate::domain::GroupSetup;

#[test]
fn a_group_stored_before_per_group_settings_has_none() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        // A group as an older callboard wrote it.
        let old = br#"{"id":7,"name":"Viejo","variables":{},"created_at":"2025-08-24T10:00:00Z"}"#;
        store.groups.insert(7u64.to_be_bytes(), &old[..]).unwrap();
        store.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let g = store.group(7).unwrap().unwrap();
    assert_eq!(g.setup, GroupSetup::default());
    assert_eq!(g.setup.country_or(Region::COLOMBIA), Region::COLOMBIA);
}

#[test]
fn settings_survive_a_reopen_and_a_new_country_reads_phones_again() {
    let dir = tempfile::tempdir().unwrap();
    let mx: Region = "MX".parse().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let g = store.add_group("Norte", BTreeMap::new(), None).unwrap();
        store
            .add_clients(g.id, vec![draft("Ana", "55 1234 5678")], Region::COLOMBIA)
            .unwrap();
        assert!(store.clients(g.id).unwrap()[0].phone_e164.is_err());
        let setup = GroupSetup {
            agent_id: Some("agent_x".into()),
            country: Some(mx),
            language: Some("es".into()),
            ..GroupSetup::default()
        };
        let g = store
            .set_group_setup(g.id, setup, false, Region::COLOMBIA)
            .unwrap();
        assert_eq!(g.setup.country, Some(mx));
    }
    let store = Store::open(dir.path()).unwrap();
    let g = store.group_by_name("norte").unwrap().unwrap();
    assert_eq!(g.setup.agent_id.as_deref(), Some("agent_x"));
    assert_eq!(g.setup.country, Some(mx));
    let c = &store.clients(g.id).unwrap()[0];
    assert_eq!(c.phone_e164.as_deref(), Ok("+525512345678"));
    assert_eq!(c.phone, "55 1234 5678", "the phone as given is kept");
}
