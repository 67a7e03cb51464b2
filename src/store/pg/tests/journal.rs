//! The journal's rule in the database: one pending intent per group.

use super::*;
use crate::domain::BatchRecord;
use crate::domain::intent::{IntentKind, IntentState, SubmitIntent};
use crate::store::error::StoreError;

fn intent(id: &str, group: u64, state: IntentState) -> SubmitIntent {
    SubmitIntent {
        id: id.into(),
        kind: IntentKind::Start,
        group_id: group,
        user_id: 1,
        call_name: "Llamada".into(),
        agent_id: "agent".into(),
        phones_digest: String::new(),
        phone_count: 0,
        created_at: chrono::Utc::now(),
        due_unix: None,
        parent: None,
        key: None,
        timezone: "America/Bogota".into(),
        retry_count_before: None,
        state,
        record: BatchRecord {
            group_id: group,
            ..Default::default()
        },
    }
}

#[tokio::test]
async fn a_group_has_at_most_one_pending_intent() {
    let Some((store, _db)) = fresh_pg("one_pending_intent").await else {
        return;
    };
    let first = intent("int_1", 5, IntentState::Pending);
    store.put_intent(&first).await.unwrap();
    // Rewriting the same intent is no second one.
    store.put_intent(&first).await.unwrap();
    let err = store
        .put_intent(&intent("int_2", 5, IntentState::Pending))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(err.to_string().contains("sin confirmar"), "{err}");
    // Planned rounds and other groups are not held back.
    store
        .put_intent(&intent("int_3", 5, IntentState::Planned))
        .await
        .unwrap();
    store
        .put_intent(&intent("int_4", 6, IntentState::Pending))
        .await
        .unwrap();
    // Once the first is settled, the group may submit again.
    let record = BatchRecord {
        batch_id: "btcal_1".into(),
        group_id: 5,
        ..Default::default()
    };
    store.settle_intent(&first, &record).await.unwrap();
    store
        .put_intent(&intent("int_2", 5, IntentState::Pending))
        .await
        .unwrap();
    let open: Vec<String> = store
        .open_intents_of_group(5)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(open, ["int_2", "int_3"]);
    assert_eq!(
        store
            .intent("int_1")
            .await
            .unwrap()
            .unwrap()
            .settled_batch(),
        Some("btcal_1")
    );
    assert_eq!(store.batch("btcal_1").await.unwrap().unwrap().group_id, 5);
    // A planned round becoming pending while another is pending is refused too.
    let mut due = intent("int_3", 5, IntentState::Planned);
    due.state = IntentState::Pending;
    assert!(store.put_intent(&due).await.is_err());
    store.abandon_intent(&due, "no").await.unwrap();
    assert_eq!(store.prune_intents(i64::MAX).await.unwrap(), 2);
}
