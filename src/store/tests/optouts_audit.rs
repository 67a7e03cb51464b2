//! Opt-outs (added only by imports, never overwritten) and the audit log (in order).

use super::*;

#[test]
fn optouts_are_only_added_by_imports_and_audit_is_chronological() {
    use crate::store::audit::AuditEntry;
    use crate::store::optouts::OptOut;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let o = |p: &str, r: &str| OptOut {
        phone_number: p.into(),
        reason: r.into(),
        source: "import:rne.csv".into(),
        added_at: chrono::Utc::now(),
    };
    assert_eq!(
        store
            .add_optouts(&[o("+573001", "RNE"), o("+573002", "RNE")])
            .unwrap(),
        2
    );
    // A second import with the same phone neither duplicates nor overwrites.
    assert_eq!(store.add_optouts(&[o("+573001", "otro")]).unwrap(), 0);
    assert_eq!(store.optout("+573001").unwrap().unwrap().reason, "RNE");
    assert_eq!(store.optout_map().unwrap().len(), 2);
    assert!(store.remove_optout("+573002").unwrap());
    assert!(!store.remove_optout("+573002").unwrap());

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
            .unwrap();
    }
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    let log = store.audit_log(None, 10).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["batch.start", "batch.retry", "batch.cancel"]);
    assert_eq!(store.audit_log(Some("btcal_a"), 10).unwrap().len(), 2);
    assert_eq!(store.audit_log(None, 1).unwrap()[0].action, "batch.cancel");
}
