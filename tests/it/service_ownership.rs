//! Who sees what: every route of a group and of its batches, tried by its owner, by
//! another user (404, as for something that does not exist), and by the admin; the
//! do-not-call list (any user adds, only the admin lists and removes); handing a group
//! to another user; audio of conversations outside callboard.

use crate::support::service::*;
use serde_json::{Value, json};
use std::time::Duration;

/// The routes of one group and of one of its batches, as (method, path, body).
fn group_routes(gid: u64) -> Vec<(reqwest::Method, String, Option<Value>)> {
    use reqwest::Method;
    let call = json!({"agentPhoneNumberId": "ph"});
    vec![
        (Method::GET, format!("/api/groups/{gid}"), None),
        (
            Method::POST,
            format!("/api/groups/{gid}/clients"),
            Some(json!([{"name": "X", "phone": "3009990000"}])),
        ),
        (
            Method::POST,
            format!("/api/groups/{gid}/prepare-agent"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/api/groups/{gid}/call"),
            Some(call.clone()),
        ),
        (
            Method::POST,
            format!("/api/groups/{gid}/call?dryRun=true"),
            Some(call.clone()),
        ),
        (
            Method::POST,
            format!("/api/groups/{gid}/call/preflight"),
            Some(call),
        ),
    ]
}

fn batch_routes(batch: &str) -> Vec<(reqwest::Method, String)> {
    use reqwest::Method;
    vec![
        (Method::GET, format!("/api/batch-calls/{batch}/status")),
        (
            Method::GET,
            format!("/api/batch-calls/{batch}/status/stream"),
        ),
        (Method::GET, format!("/api/batch-calls/{batch}/report")),
        (
            Method::GET,
            format!("/api/batch-calls/{batch}/report?compare={batch}"),
        ),
        (Method::GET, format!("/api/batch-calls/{batch}/export")),
        (Method::POST, format!("/api/batch-calls/{batch}/retry")),
        (Method::POST, format!("/api/batch-calls/{batch}/cancel")),
        (Method::POST, format!("/api/batch-calls/{batch}/resume")),
    ]
}

async fn send(api: &Api, method: reqwest::Method, path: &str, body: Option<&Value>) -> Reply {
    let mut r = api.raw(method, path);
    if let Some(b) = body {
        r = r.json(b);
    }
    api.send(r).await
}

/// Waits until a call of the batch has its audio; returns its conversation id.
async fn a_conversation(api: &Api, batch: &str) -> String {
    for _ in 0..600 {
        let st = api.get(&format!("/api/batch-calls/{batch}/status")).await;
        let found = st.body["data"]["recipients"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["audio_url"].is_string())
            .find_map(|r| r["conversation_id"].as_str().map(str::to_string));
        if let Some(c) = found {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no conversation in batch {batch}");
}

#[tokio::test]
async fn groups_and_batches_belong_to_their_owner() {
    let sim = sim(600.0, 11).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), false, false).await;
    let admin = Api::new(svc.url(), Some(ADMIN));
    let agent = sim.first_agent_id();
    let mk = |name: &'static str| {
        let admin = admin.clone();
        let agent = agent.clone();
        async move {
            let u = admin
                .post("/api/users", json!({"name": name, "agentId": agent}))
                .await;
            assert_eq!(u.status, 201, "{:?}", u.body);
            (
                u.body["data"]["id"].as_u64().unwrap(),
                admin.with_token(u.body["data"]["token"].as_str()),
            )
        }
    };
    let (ana_id, ana) = mk("Ana").await;
    let (beto_id, beto) = mk("Beto").await;
    let gid = group(&ana, "De Ana", 3, 100).await;
    let phone = phone_id(&ana).await;
    let start = ana
        .post(
            &format!("/api/groups/{gid}/call"),
            json!({"agentPhoneNumberId": phone}),
        )
        .await;
    assert_eq!(start.status, 200, "{:?}", start.body);
    let batch = start.body["data"]["batchId"].as_str().unwrap().to_string();
    let conv = a_conversation(&ana, &batch).await;

    // Another user: every route of the group and of its batch is a 404.
    for (m, path, body) in group_routes(gid) {
        let r = send(&beto, m.clone(), &path, body.as_ref()).await;
        assert_error(&r, 404, "group_not_found");
        assert!(
            !r.body.to_string().contains(&batch),
            "{m} {path}: {:?}",
            r.body
        );
    }
    let csv = "nombre,telefono\nZ,3009990001\n";
    let imp = beto
        .send(
            beto.raw(
                reqwest::Method::POST,
                &format!("/api/groups/{gid}/clients/import"),
            )
            .header("content-type", "text/csv")
            .body(csv),
        )
        .await;
    assert_error(&imp, 404, "group_not_found");
    for (m, path) in batch_routes(&batch) {
        let r = send(&beto, m.clone(), &path, None).await;
        assert_error(&r, 404, "batch_not_found");
    }
    let stream = reqwest::get(format!(
        "{}/api/batch-calls/{batch}/status/stream?access_token={}",
        svc.url(),
        beto.token.as_deref().unwrap()
    ))
    .await
    .unwrap();
    assert_eq!(stream.status().as_u16(), 404, "stream with ?access_token=");
    let audio = beto.get(&format!("/api/conversations/{conv}/audio")).await;
    assert_error(&audio, 404, "audio_not_found");
    let groups = beto.get("/api/groups").await;
    assert_eq!(groups.body["data"], json!([]), "no lastBatch of others");
    let list = beto.get("/api/batch-calls").await;
    assert_eq!(list.body["data"], json!([]));
    let audit = beto.get("/api/audit").await;
    assert!(!audit.body.to_string().contains(&batch), "{:?}", audit.body);
    assert_eq!(beto.get(&format!("/api/users/{ana_id}")).await.status, 404);

    // The owner sees all of it.
    assert_eq!(ana.get(&format!("/api/groups/{gid}")).await.status, 200);
    let groups = ana.get("/api/groups").await;
    assert_eq!(
        groups.body["data"][0]["lastBatch"]["batchId"],
        batch.as_str()
    );
    for path in [
        format!("/api/batch-calls/{batch}/status"),
        format!("/api/batch-calls/{batch}/report"),
        format!("/api/batch-calls/{batch}/export?format=json"),
    ] {
        assert_eq!(ana.get(&path).await.status, 200, "{path}");
    }
    let audio = ana
        .raw(
            reqwest::Method::GET,
            &format!("/api/conversations/{conv}/audio"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(audio.status().as_u16(), 200);
    let list = ana.get("/api/batch-calls").await;
    assert_eq!(list.body["data"][0]["batch_id"], batch.as_str());
    // A 409 names the batch to its owner only.
    let busy = ana
        .post(
            &format!("/api/groups/{gid}/call"),
            json!({"agentPhoneNumberId": phone}),
        )
        .await;
    if busy.status == 409 {
        assert_eq!(busy.body["details"]["batchId"], batch.as_str());
    }

    // Users create only their own groups and never choose ids.
    assert_error(
        &beto
            .post("/api/groups", json!({"name": "Ajeno", "ownerId": ana_id}))
            .await,
        403,
        "forbidden_owner",
    );
    assert_error(
        &beto
            .post("/api/groups", json!({"name": "Id", "id": 7}))
            .await,
        403,
        "admin_only",
    );
    assert_error(
        &beto
            .send(
                beto.raw(reqwest::Method::PUT, &format!("/api/groups/{gid}/owner"))
                    .json(&json!({"ownerId": beto_id})),
            )
            .await,
        403,
        "admin_only",
    );

    // The admin sees everything, and gives the group to Beto: the batch goes with it.
    assert_eq!(admin.get(&format!("/api/groups/{gid}")).await.status, 200);
    assert_eq!(
        admin
            .get(&format!("/api/batch-calls/{batch}/status"))
            .await
            .status,
        200
    );
    let moved = admin
        .send(
            admin
                .raw(reqwest::Method::PUT, &format!("/api/groups/{gid}/owner"))
                .json(&json!({"ownerId": beto_id})),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert_eq!(beto.get(&format!("/api/groups/{gid}")).await.status, 200);
    // The group list says whose each group is.
    let listed = admin.get("/api/groups").await;
    let mine = listed.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == gid)
        .cloned()
        .unwrap();
    assert_eq!(mine["ownerId"], beto_id, "{mine:?}");
    assert_eq!(
        beto.get(&format!("/api/batch-calls/{batch}/status"))
            .await
            .status,
        200
    );
    assert_error(
        &ana.get(&format!("/api/groups/{gid}")).await,
        404,
        "group_not_found",
    );
    assert_error(
        &ana.get(&format!("/api/batch-calls/{batch}/status")).await,
        404,
        "batch_not_found",
    );
    // An admin's group (no owner) is nobody else's.
    let own = admin
        .post("/api/groups", json!({"name": "Del admin"}))
        .await;
    let own_id = own.body["data"]["id"].as_u64().unwrap();
    assert_error(
        &ana.get(&format!("/api/groups/{own_id}")).await,
        404,
        "group_not_found",
    );
    // The admin may create a group for a user.
    let given = admin
        .post(
            "/api/groups",
            json!({"name": "Para Ana", "ownerId": ana_id}),
        )
        .await;
    let given_id = given.body["data"]["id"].as_u64().unwrap();
    assert_eq!(
        ana.get(&format!("/api/groups/{given_id}")).await.status,
        200
    );
    svc.shutdown().await;
}

#[tokio::test]
async fn audio_outside_callboard_is_the_admins_only() {
    let sim = sim(600.0, 12).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), false, false).await;
    let admin = Api::new(svc.url(), Some(ADMIN));
    let u = admin
        .post(
            "/api/users",
            json!({"name": "Ana", "agentId": sim.first_agent_id()}),
        )
        .await;
    let ana = admin.with_token(u.body["data"]["token"].as_str());
    // A batch submitted straight to ElevenLabs, not through callboard.
    let phone = phone_id(&admin).await;
    let http = reqwest::Client::new();
    let submitted: Value = http
        .post(format!("{}/v1/convai/batch-calling/submit", sim.url()))
        .header("xi-api-key", "sk_test_never_shown_0123456789")
        .json(&json!({
            "call_name": "Fuera de callboard",
            "agent_id": sim.first_agent_id(),
            "agent_phone_number_id": phone,
            "recipients": (0..8)
                .map(|i| json!({
                    "phone_number": format!("+57300111223{i}"),
                    "conversation_initiation_client_data": {"dynamic_variables": {
                        "name": "X", "email": "x@y.co", "empresa": "E", "cargo": "C",
                        "especialidad": "M", "ciudad": "B", "sede": "S", "producto": "P",
                    }},
                }))
                .collect::<Vec<_>>(),
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let batch = submitted["id"].as_str().expect("sim batch id").to_string();
    // Batches outside callboard are not enriched: find a call with audio by asking.
    let mut conv = None;
    for _ in 0..600 {
        let st = admin.get(&format!("/api/batch-calls/{batch}/status")).await;
        for r in st.body["data"]["recipients"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let Some(c) = r["conversation_id"].as_str() else {
                continue;
            };
            let audio = admin
                .raw(
                    reqwest::Method::GET,
                    &format!("/api/conversations/{c}/audio"),
                )
                .send()
                .await
                .unwrap();
            if audio.status().as_u16() == 200 {
                conv = Some(c.to_string());
                break;
            }
        }
        if conv.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let last = admin.get(&format!("/api/batch-calls/{batch}/status")).await;
    let conv = conv.unwrap_or_else(|| panic!("no audio: {submitted} {:?}", last.body));
    assert_error(
        &ana.get(&format!("/api/conversations/{conv}/audio")).await,
        404,
        "audio_not_found",
    );
    assert_error(
        &ana.get(&format!("/api/batch-calls/{batch}/status")).await,
        404,
        "batch_not_found",
    );
    svc.shutdown().await;
}

#[tokio::test]
async fn do_not_call_list_any_user_adds_only_the_admin_reads() {
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), None), false, false).await;
    let admin = Api::new(svc.url(), Some(ADMIN));
    let u = admin.post("/api/users", json!({"name": "Ana"})).await;
    let ana = admin.with_token(u.body["data"]["token"].as_str());
    let add = ana
        .post("/api/optouts", json!({"phone": "3001234567"}))
        .await;
    assert_eq!(add.status, 200, "{:?}", add.body);
    let csv = "telefono\n3001234568\n";
    let imp = ana
        .send(
            ana.raw(reqwest::Method::POST, "/api/optouts/import")
                .header("content-type", "text/csv")
                .body(csv),
        )
        .await;
    assert_eq!(imp.status, 200, "{:?}", imp.body);
    assert_error(&ana.get("/api/optouts").await, 403, "admin_only");
    assert_error(
        &ana.send(ana.raw(reqwest::Method::DELETE, "/api/optouts/3001234567"))
            .await,
        403,
        "admin_only",
    );
    let list = admin.get("/api/optouts").await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 2);
    let del = admin
        .send(admin.raw(reqwest::Method::DELETE, "/api/optouts/3001234567"))
        .await;
    assert_eq!(del.status, 200);
    svc.shutdown().await;
}
