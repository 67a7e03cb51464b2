//! A group's own campaign settings in the store: the settings survive a reopen, and a new
//! country reads the clients' phones again.

use super::*;
use crate::domain::GroupSetup;

on_every_engine! {
    #[tokio::test]
    async fn settings_survive_a_reopen_and_a_new_country_reads_phones_again(store, guard) {
        let mx: Region = "MX".parse().unwrap();
        {
            let g = store
                .add_group("Norte", BTreeMap::new(), None)
                .await
                .unwrap();
            store
                .add_clients(g.id, vec![draft("Ana", "55 1234 5678")], Region::COLOMBIA)
                .await
                .unwrap();
            assert!(store.clients(g.id).await.unwrap()[0].phone_e164.is_err());
            let setup = GroupSetup {
                agent_id: Some("agent_x".into()),
                country: Some(mx),
                language: Some("es".into()),
                ..GroupSetup::default()
            };
            let g = store
                .set_group_setup(g.id, setup, false, Region::COLOMBIA)
                .await
                .unwrap();
            assert_eq!(g.setup.country, Some(mx));
        }
        let store = reopen(store, &guard).await;
        let g = store.group_by_name("norte").await.unwrap().unwrap();
        assert_eq!(g.setup.agent_id.as_deref(), Some("agent_x"));
        assert_eq!(g.setup.country, Some(mx));
        let c = &store.clients(g.id).await.unwrap()[0];
        assert_eq!(c.phone_e164.as_deref(), Ok("+525512345678"));
        assert_eq!(c.phone, "55 1234 5678", "the phone as given is kept");
    }
}
