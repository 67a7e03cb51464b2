//! The service without ElevenLabs: auth, groups, users, validations, envelopes, limits.

use crate::support::service::*;
use callboard::domain::{BatchRecord, BatchStatus};
use serde_json::json;

#[tokio::test]
async fn auth_users_groups_and_envelopes() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), None);
    cfg.service.body_limit_bytes = 64 * 1024;
    let svc = serve(cfg, false, false).await;
    let anon = Api::new(svc.url(), None);
    let admin = anon.with_token(Some(ADMIN));

    // No token, a broken header, a wrong token.
    assert_error(&anon.get("/api/groups").await, 401, "missing_token");
    let r = anon
        .send(
            anon.raw(reqwest::Method::GET, "/api/groups")
                .header("authorization", "Basic x"),
        )
        .await;
    assert_error(&r, 401, "invalid_authorization");
    assert_error(
        &anon.with_token(Some("cb_nope")).get("/api/groups").await,
        401,
        "invalid_token",
    );
    // Health and the page need no token.
    let h = anon.get("/health").await;
    assert_eq!(
        (h.status, h.body["data"]["auth"].clone()),
        (200, json!(true))
    );
    assert_eq!(h.body["data"]["elevenlabs"], false);

    // Users: admin only, token shown once, users see only themselves.
    let u = admin
        .post(
            "/api/users",
            json!({"name": "Ana", "agentId": "agent_x", "id": 19}),
        )
        .await;
    assert_eq!(u.status, 201, "{:?}", u.body);
    let ana_token = u.body["data"]["token"].as_str().unwrap().to_string();
    let ana = anon.with_token(Some(&ana_token));
    let u2 = admin.post("/api/users", json!({"name": "Beto"})).await;
    let beto = anon.with_token(u2.body["data"]["token"].as_str());
    assert_error(
        &admin
            .post("/api/users", json!({"name": "Dup", "id": 19}))
            .await,
        409,
        "user_exists",
    );
    assert_error(
        &ana.post("/api/users", json!({"name": "Eve"})).await,
        403,
        "admin_only",
    );
    let me = ana.get("/api/users/19").await;
    assert_eq!(me.body["data"]["name"], "Ana");
    assert!(
        me.body["data"].get("token").is_none(),
        "token never shown again"
    );
    assert_error(&beto.get("/api/users/19").await, 404, "user_not_found");
    assert_error(&ana.get("/api/users/abc").await, 400, "invalid_path");

    // Groups: create, add clients with an invalid phone, import CSV, detail.
    let g = ana
        .post(
            "/api/groups",
            json!({"name": "Médicos Test", "variables": {"especialidad": "Cardiología"}}),
        )
        .await;
    assert_eq!(g.status, 201, "{:?}", g.body);
    let gid = g.body["data"]["id"].as_u64().unwrap();
    assert_error(
        &ana.post("/api/groups", json!({"name": "medicos test"}))
            .await,
        409,
        "conflict",
    );
    assert_error(
        &ana.post(
            "/api/groups",
            json!({"name": "X", "variables": {"system__x": "1"}}),
        )
        .await,
        422,
        "invalid_variable_name",
    );
    let add = ana
        .post(
            &format!("/api/groups/{gid}/clients"),
            json!([{"name": "Dr. García", "phone": "300-123-4567"}, {"name": "Mal", "phone": "12"}]),
        )
        .await;
    assert_eq!(
        (add.status, add.body["data"]["invalidPhones"].clone()),
        (201, json!(1)),
        "{:?}",
        add.body
    );
    let csv = "nombre;telefono;ciudad\nDra. Pérez;(300) 444-5556;Cali\nSin Tel;;\nDra. Pérez bis;+57 300 444 5556;\n";
    let imp = ana
        .send(
            ana.raw(
                reqwest::Method::POST,
                &format!("/api/groups/{gid}/clients/import"),
            )
            .header("content-type", "text/csv")
            .body(csv),
        )
        .await;
    assert_eq!(imp.status, 200, "{:?}", imp.body);
    assert_eq!(imp.body["data"]["created"], 1);
    assert_eq!(imp.body["data"]["rejected"].as_array().unwrap().len(), 1);
    assert_eq!(imp.body["data"]["duplicates"].as_array().unwrap().len(), 1);
    let bad_csv = ana
        .send(
            ana.raw(
                reqwest::Method::POST,
                &format!("/api/groups/{gid}/clients/import"),
            )
            .body("nombre\nAna\n"),
        )
        .await;
    assert_error(&bad_csv, 415, "csv_content_type_required");
    let bad_csv = ana
        .send(
            ana.raw(
                reqwest::Method::POST,
                &format!("/api/groups/{gid}/clients/import"),
            )
            .header("content-type", "text/csv")
            .body("nombre\nAna\n"),
        )
        .await;
    assert_error(&bad_csv, 422, "invalid_csv");
    let d = ana.get(&format!("/api/groups/{gid}")).await;
    assert_eq!(d.body["data"]["clientsCount"], 3);
    assert_eq!(d.body["data"]["validPhones"], 2);
    let clients = d.body["data"]["clients"].as_array().unwrap();
    let mal = clients.iter().find(|c| c["name"] == "Mal").unwrap();
    assert!(
        mal["phoneError"].as_str().unwrap().contains("corto"),
        "{mal:?}"
    );
    let garcia = clients.iter().find(|c| c["name"] == "Dr. García").unwrap();
    assert_eq!(garcia["phoneNumber"], "+573001234567");
    assert_eq!(garcia["variables"]["especialidad"], "Cardiología");
    let list = ana.get("/api/groups").await;
    assert_eq!(list.body["data"][0]["name"], "Médicos Test");
    assert_error(&ana.get("/api/groups/999").await, 404, "group_not_found");

    // Call validations that need no upstream.
    let call = format!("/api/groups/{gid}/call");
    assert_error(
        &ana.post(&call, json!({"userId": 20, "agentPhoneNumberId": "ph"}))
            .await,
        403,
        "forbidden_user",
    );
    assert_error(
        &ana.post(&call, json!({"userId": 19})).await,
        422,
        "phone_number_required",
    );
    assert_error(
        &ana.post(&call, json!({"agentPhoneNumberId": "  "})).await,
        422,
        "phone_number_required",
    );
    assert_error(
        &admin.post(&call, json!({"agentPhoneNumberId": "ph"})).await,
        422,
        "user_id_required",
    );
    assert_error(
        &beto.post(&call, json!({"agentPhoneNumberId": "ph"})).await,
        422,
        "user_without_agent",
    );
    assert_error(
        &ana.post("/api/groups/999/call", json!({"agentPhoneNumberId": "ph"}))
            .await,
        404,
        "group_not_found",
    );
    let empty = ana.post("/api/groups", json!({"name": "Vacío"})).await;
    let empty_id = empty.body["data"]["id"].as_u64().unwrap();
    assert_error(
        &ana.post(
            &format!("/api/groups/{empty_id}/call"),
            json!({"agentPhoneNumberId": "ph"}),
        )
        .await,
        422,
        "group_empty",
    );
    let past = chrono::Utc::now().timestamp() - 3600;
    assert_error(
        &ana.post(
            &call,
            json!({"agentPhoneNumberId": "ph", "scheduledTimeUnix": past}),
        )
        .await,
        422,
        "scheduled_in_past",
    );
    let invalid_only = ana.post("/api/groups", json!({"name": "Inválidos"})).await;
    let inv = invalid_only.body["data"]["id"].as_u64().unwrap();
    ana.post(
        &format!("/api/groups/{inv}/clients"),
        json!([{"name": "X", "phone": "abc"}]),
    )
    .await;
    let r = ana
        .post(
            &format!("/api/groups/{inv}/call"),
            json!({"agentPhoneNumberId": "ph"}),
        )
        .await;
    assert_error(&r, 422, "no_valid_phones");
    assert_eq!(r.body["details"]["skipped"][0]["code"], "invalid_phone");
    // No ElevenLabs key: the upstream step says so, in the envelope.
    let r = ana.post(&call, json!({"agentPhoneNumberId": "ph"})).await;
    assert_error(&r, 503, "elevenlabs_not_configured");
    assert_error(
        &ana.get("/api/phone-numbers").await,
        503,
        "elevenlabs_not_configured",
    );

    // Bodies: not JSON, wrong type, wrong shape, too large.
    let r = ana
        .send(
            ana.raw(reqwest::Method::POST, &call)
                .header("content-type", "application/json")
                .body("{nope"),
        )
        .await;
    assert_error(&r, 400, "invalid_json");
    let r = ana
        .send(ana.raw(reqwest::Method::POST, &call).body("{}"))
        .await;
    assert_error(&r, 415, "json_content_type_required");
    assert_error(
        &ana.post(&call, json!({"userId": "diecinueve"})).await,
        422,
        "invalid_body",
    );
    let big = "x".repeat(100 * 1024);
    let r = ana.post(&call, json!({"agentPhoneNumberId": big})).await;
    assert_error(&r, 413, "body_too_large");
    assert_error(&ana.get("/api/nothing-here").await, 404, "route_not_found");
    let r = ana
        .send(ana.raw(reqwest::Method::DELETE, "/api/groups"))
        .await;
    assert_error(&r, 405, "method_not_allowed");

    // Batches belong to their user: others get 404, as for a batch that does not exist.
    let store = svc.state().store().clone();
    store
        .put_batch(&BatchRecord {
            batch_id: "btcal_ana".into(),
            group_id: gid,
            group_name: "Médicos Test".into(),
            user_id: 19,
            agent_id: "agent_x".into(),
            phone_number_id: "ph".into(),
            call_name: "Llamada".into(),
            created_at: chrono::Utc::now(),
            scheduled_time_unix: None,
            recipients: vec![],
            skipped: vec![],
            last_status: Some(BatchStatus::InProgress),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_error(
        &beto.get("/api/batch-calls/btcal_ana/status").await,
        404,
        "batch_not_found",
    );
    assert_error(
        &beto.post_empty("/api/batch-calls/btcal_ana/cancel").await,
        404,
        "batch_not_found",
    );
    assert_error(
        &ana.get("/api/batch-calls/btcal_ana/status/stream").await,
        503,
        "elevenlabs_not_configured",
    );
    assert_error(
        &beto.get("/api/batch-calls/bad%20id/status").await,
        404,
        "batch_not_found",
    );
    let mine = ana.get("/api/batch-calls").await;
    assert_eq!(mine.body["data"][0]["batch_id"], "btcal_ana");
    assert_eq!(beto.get("/api/batch-calls").await.body["data"], json!([]));
    // An active batch blocks a second call for the group (before any upstream step).
    let r = ana.post(&call, json!({"agentPhoneNumberId": "ph"})).await;
    assert_error(&r, 409, "batch_active");
    assert_eq!(r.body["details"]["batchId"], "btcal_ana");

    svc.shutdown().await;
}

#[tokio::test]
async fn no_auth_only_on_loopback_and_page_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), None);
    let err = callboard::service::start(
        cfg.service_options(),
        callboard::service::ServeOptions {
            addr: Some("0.0.0.0:0".parse().unwrap()),
            no_auth: true,
            demo_data: false,
            clock: None,
        },
    )
    .await
    .err()
    .expect("refused");
    assert!(err.to_string().contains("loopback"), "{err}");

    let svc = serve(cfg, true, true).await;
    let api = Api::new(svc.url(), None);
    let groups = api.get("/api/groups").await;
    assert_eq!(groups.status, 200);
    let names: Vec<_> = groups.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].clone())
        .collect();
    // The demo workspace: "Médicos Test", two groups lacking data, the demo's live group.
    assert_eq!(names.len(), 4, "{names:?}");
    let g55 = api.get("/api/groups/55").await;
    assert_eq!(g55.body["data"]["name"], "Médicos Test");
    assert_eq!(g55.body["data"]["clientsCount"], 15);
    assert_eq!(g55.body["data"]["validPhones"], 14);
    let page = api.get("/").await;
    let html = page.body.as_str().unwrap();
    assert!(html.contains("id=\"call-group-btn\"") && html.contains("id=\"batch-progress\""));
    let seed = api.get("/seed.js").await;
    assert!(
        seed.body
            .as_str()
            .unwrap()
            .contains("new EventSource(`/api/batch-calls/${batchId}/status/stream`)")
    );
    let doc = api.get("/api/openapi.json").await;
    assert_eq!(doc.body["openapi"], "3.0.3");
    assert!(doc.body["paths"]["/api/groups/{id}/call"]["post"].is_object());
    svc.shutdown().await;
}
