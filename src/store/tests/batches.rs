//! Batch records: listed newest first, statuses set, pages of the batch list read from
//! the time index.

use super::*;

on_every_engine! {
    #[tokio::test]
    async fn batches_are_listed_newest_first(store, guard) {
        for (i, id) in ["btcal_a", "btcal_b"].iter().enumerate() {
            store
                .put_batch(&BatchRecord {
                    batch_id: id.to_string(),
                    group_id: 55,
                    group_name: "G".into(),
                    user_id: 19,
                    agent_id: "agent".into(),
                    phone_number_id: "ph".into(),
                    call_name: "Llamada".into(),
                    created_at: chrono::Utc::now() + chrono::Duration::seconds(i as i64),
                    scheduled_time_unix: None,
                    recipients: vec![],
                    skipped: vec![],
                    last_status: None,
                    ..Default::default()
                })
                .await
                .unwrap();
        }
        let all = store.batches().await.unwrap();
        assert_eq!(all[0].batch_id, "btcal_b");
        store
            .set_batch_status("btcal_a", &crate::domain::BatchStatus::Completed)
            .await
            .unwrap();
        assert_eq!(
            store.batch("btcal_a").await.unwrap().unwrap().last_status,
            Some(crate::domain::BatchStatus::Completed)
        );
        assert_eq!(store.batches_of_group(55).await.unwrap().len(), 2);
        assert!(store.batch("nope").await.unwrap().is_none());
    }
}

on_every_engine! {
    #[tokio::test]
    async fn the_batch_list_reads_pages_newest_first(store, guard) {
        let t0 = chrono::Utc::now();
        for i in 0..5i64 {
            store
                .put_batch(&BatchRecord {
                    batch_id: format!("btcal_{i}"),
                    group_id: (i % 2) as u64,
                    created_at: t0 + chrono::Duration::seconds(i),
                    ..Default::default()
                })
                .await
                .unwrap();
        }
        let ids = |page: &[(String, BatchListHead)]| {
            page.iter()
                .map(|(_, h)| h.batch_id.clone())
                .collect::<Vec<_>>()
        };
        let first = store.batch_list_page(None, 2, |_| Ok(true)).await.unwrap();
        assert_eq!(ids(&first), ["btcal_4", "btcal_3"]);
        let next = store
            .batch_list_page(Some(&first[1].0), 2, |_| Ok(true))
            .await
            .unwrap();
        assert_eq!(ids(&next), ["btcal_2", "btcal_1"]);
        // Only what `keep` accepts fills the page.
        let even = store
            .batch_list_page(None, 10, |h| Ok(h.group_id == 0))
            .await
            .unwrap();
        assert_eq!(ids(&even), ["btcal_4", "btcal_2", "btcal_0"]);
    }
}
