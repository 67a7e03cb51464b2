//! Opt-outs (added only by imports, never overwritten) and the audit log (in order).

use super::*;

use crate::store::audit::AuditEntry;
use crate::store::optouts::OptOut;

on_every_engine! {
    #[tokio::test]
    async fn optouts_are_only_added_by_imports_and_audit_is_chronological(store, guard) {
        let o = |p: &str, r: &str| OptOut {
            phone_number: p.into(),
            reason: r.into(),
            source: "import:rne.csv".into(),
            added_at: chrono::Utc::now(),
        };
        assert_eq!(
            store
                .add_optouts(&[o("+573001", "RNE"), o("+573002", "RNE")])
                .await
                .unwrap(),
            2
        );
        // A second import with the same phone neither duplicates nor overwrites.
        assert_eq!(store.add_optouts(&[o("+573001", "otro")]).await.unwrap(), 0);
        assert_eq!(
            store.optout("+573001").await.unwrap().unwrap().reason,
            "RNE"
        );
        assert_eq!(store.optout_map().await.unwrap().len(), 2);
        assert!(store.remove_optout("+573002").await.unwrap());
        assert!(!store.remove_optout("+573002").await.unwrap());

        for (i, action) in ["batch.start", "batch.retry", "batch.cancel"]
            .iter()
            .enumerate()
        {
            store
                .audit(&AuditEntry {
                    at: chrono::Utc::now() + chrono::Duration::milliseconds(i as i64),
                    actor: "user:19".into(),
                    action: action.to_string(),
                    target: if i == 1 {
                        "btcal_b".into()
                    } else {
                        "btcal_a".into()
                    },
                    details: serde_json::json!({}),
                })
                .await
                .unwrap();
        }
        let store = reopen(store, &guard).await;
        let log = store.audit_log(None, 10).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, vec!["batch.start", "batch.retry", "batch.cancel"]);
        assert_eq!(store.audit_log(Some("btcal_a"), 10).await.unwrap().len(), 2);
        assert_eq!(
            store.audit_log(None, 1).await.unwrap()[0].action,
            "batch.cancel"
        );
    }
}
