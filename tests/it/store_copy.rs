//! `callboard store copy`: a sled store that a real `serve` filled (demo data, a call
//! start, an opt-out, enriched conversations, audit) copied into PostgreSQL by the real
//! binary, twice; the database then holds exactly the same records, and a `serve` on it
//! answers for them. Skips loudly without PostgreSQL (fails in CI).

use crate::support::process::*;
use callboard::store::Store;
use callboard::store::pg::testing::fresh_db;
use serde_json::{Value, json};
use std::process::Command;

/// A config file with nothing in it (the defaults), so no user's file is read.
fn empty_config() -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!(
        "callboard-empty-config-{}.toml",
        std::process::id()
    ));
    std::fs::write(&p, "").unwrap();
    p
}

fn copy(from: &std::path::Path, to: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["store", "copy", "--from"])
        .arg(from)
        .args(["--to", to])
        .env("CALLBOARD_CONFIG", empty_config())
        .env_remove("CALLBOARD_DATABASE_URL")
        .output()
        .expect("run callboard");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Everything the store holds that a copy must carry, in a comparable form.
async fn contents(s: &Store, batch_id: &str, conversations: &[String], scope: &str) -> Value {
    let mut clients = Vec::new();
    for g in s.groups().await.unwrap() {
        clients.push(serde_json::to_value(s.clients(g.id).await.unwrap()).unwrap());
    }
    let mut convs = Vec::new();
    for c in conversations {
        let cached = s.conversation(c).await.unwrap();
        assert!(cached.is_some(), "conversation {c} cached");
        convs.push(serde_json::to_value(cached).unwrap());
    }
    let batch = s
        .batch(batch_id)
        .await
        .unwrap()
        .expect("the batch is there");
    let intent = batch.intent_id.clone().expect("the batch's intent");
    json!({
        "users": serde_json::to_value(s.users().await.unwrap()).unwrap(),
        "groups": serde_json::to_value(s.groups().await.unwrap()).unwrap(),
        "clients": clients,
        "batch": serde_json::to_value(&batch).unwrap(),
        "intent": serde_json::to_value(s.intent(&intent).await.unwrap()).unwrap(),
        "conversations": convs,
        "optouts": serde_json::to_value(s.optouts().await.unwrap()).unwrap(),
        "audit": serde_json::to_value(s.audit_log(None, usize::MAX).await.unwrap()).unwrap(),
        "idempotency": serde_json::to_value(s.idempotent(scope, "k-copy").await.unwrap()).unwrap(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_sled_store_is_copied_whole_and_again_without_duplicates() {
    let Some(db) = fresh_db("store_copy::a_used_sled_store").await else {
        return;
    };
    let sim = sim(&["--seed", "21", "--speed", "60"]);
    let dir = tempfile::tempdir().unwrap();
    let mut svc = serve(dir.path(), &sim.url, "");
    let gid = group(&svc.url, "Copia", 6, 6_000_000).await;
    let phone = phone_id(&svc.url).await;
    let (s, started) = call(
        &svc.url,
        reqwest::Method::POST,
        &format!("/api/groups/{gid}/call"),
        Some(json!({"userId": 19, "agentPhoneNumberId": phone})),
        Some("k-copy"),
    )
    .await;
    assert_eq!(s, 200, "{started}");
    let batch_id = started["data"]["batchId"].as_str().unwrap().to_string();
    // Until the batch is final (its conversations enriched and cached).
    let done = until(120, "the batch ends", || async {
        let (_, st) = get(&svc.url, &format!("/api/batch-calls/{batch_id}/status")).await;
        st["data"]["status"]
            .as_str()
            .filter(|s| ["completed", "partially_completed", "failed"].contains(s))
            .map(|_| st.clone())
    })
    .await;
    let conversations: Vec<String> = done["data"]["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "completed")
        .filter_map(|r| r["conversation_id"].as_str().map(String::from))
        .collect();
    assert!(!conversations.is_empty(), "someone answered: {done}");
    // After the end: an opt-out during the batch would stop it and plan the rest again.
    let (s, r) = post(&svc.url, "/api/optouts", json!({"phone": "+573006000003"})).await;
    assert!(s == 200 || s == 201, "{r}");
    svc.kill9();

    let data = dir.path().join("data");
    let (ok, out) = copy(&data, &db.url);
    assert!(ok, "{out}");
    assert!(
        !out.contains(":callboard@"),
        "the password is never shown: {out}"
    );
    assert!(out.contains("clients"), "{out}");
    let (ok, again) = copy(&data, &db.url);
    assert!(ok, "a second copy runs too: {again}");

    let scope = format!("call/19/{gid}");
    let sled = Store::open(&data).unwrap();
    let want = contents(&sled, &batch_id, &conversations, &scope).await;
    drop(sled);
    assert!(!want["idempotency"].is_null() && !want["optouts"].as_array().unwrap().is_empty());
    let pg = Store::connect(&db.url).await.unwrap();
    let got = contents(&pg, &batch_id, &conversations, &scope).await;
    assert_eq!(
        got, want,
        "the database holds the sled store's records, once"
    );

    // New ids come after the copied ones.
    let (u, _) = pg.add_user("Nueva", None, None).await.unwrap();
    assert!(
        want["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["id"].as_u64().unwrap() < u.id)
    );
}

/// What a wrong `--from` or `--to` gets: a clear refusal, and nothing is created.
#[test]
fn a_wrong_source_or_target_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("nada");
    let (ok, out) = copy(&empty, "postgres://u:secreto@127.0.0.1:1/x");
    assert!(!ok && out.contains("no contiene un almacén"), "{out}");
    assert!(!empty.exists(), "no store was made where there was none");
    assert!(!out.contains("secreto"), "{out}");
    let (ok, out) = copy(dir.path(), "mysql://u:secreto@db/x");
    assert!(!ok && out.contains("postgres://"), "{out}");
    assert!(!out.contains("secreto"), "{out}");
}
