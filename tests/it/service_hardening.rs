//! Hostile input against the real service on loopback: every request answered with a 4xx
//! envelope and nothing changed; ids that never wrap or overwrite; no acknowledged write
//! lost under concurrency; tokens rotated, revoked, expired; `--no-auth` closed to other
//! sites; bounded connections, header reads, streams and bodies.

use crate::support::service::*;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What a hostile request could have changed: groups with their clients, users, opt-outs.
async fn snapshot(admin: &Api) -> Value {
    let groups = admin.get("/api/groups").await.body["data"].clone();
    let mut details = Vec::new();
    for g in groups.as_array().unwrap() {
        let d = admin.get(&format!("/api/groups/{}", g["id"])).await;
        details.push(d.body["data"].clone());
    }
    let optouts = admin.get("/api/optouts").await.body["data"].clone();
    json!({ "groups": details, "optouts": optouts })
}

struct Hostile {
    what: &'static str,
    method: reqwest::Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

fn h(
    what: &'static str,
    method: reqwest::Method,
    path: impl Into<String>,
    content_type: Option<&'static str>,
    body: impl Into<Vec<u8>>,
) -> Hostile {
    Hostile {
        what,
        method,
        path: path.into(),
        content_type,
        body: body.into(),
        headers: vec![],
    }
}

fn table(gid: u64, port: u16) -> Vec<Hostile> {
    use reqwest::Method as M;
    let json = Some("application/json");
    let call = format!("/api/groups/{gid}/call");
    let clients = format!("/api/groups/{gid}/clients");
    let import = format!("/api/groups/{gid}/clients/import");
    let big_name = "x".repeat(5000);
    let huge = format!(
        r#"{{"agentPhoneNumberId":"ph","pad":"{}"}}"#,
        "y".repeat(70 * 1024)
    );
    let mut t = vec![
        // Ids.
        h(
            "group id past u64",
            M::GET,
            "/api/groups/18446744073709551616",
            None,
            "",
        ),
        h("negative group id", M::GET, "/api/groups/-1", None, ""),
        h(
            "explicit id u64::MAX",
            M::POST,
            "/api/groups",
            json,
            r#"{"name":"G","id":18446744073709551615}"#,
        ),
        h(
            "explicit id above the bound",
            M::POST,
            "/api/groups",
            json,
            r#"{"name":"G","id":1000000001}"#,
        ),
        h(
            "explicit id 0",
            M::POST,
            "/api/groups",
            json,
            r#"{"name":"G","id":0}"#,
        ),
        h(
            "user id u64::MAX",
            M::POST,
            "/api/users",
            json,
            r#"{"name":"U","id":18446744073709551615}"#,
        ),
        h(
            "batch id with a slash",
            M::GET,
            "/api/batch-calls/a%2Fb/status",
            None,
            "",
        ),
        h(
            "batch id 500 chars",
            M::GET,
            format!("/api/batch-calls/{}/status", "b".repeat(500)),
            None,
            "",
        ),
        h(
            "conversation id unicode",
            M::GET,
            "/api/conversations/%C3%B1%E2%80%AE/audio",
            None,
            "",
        ),
        // Sizes.
        h("JSON past 64 KiB", M::POST, call.clone(), json, huge),
        h(
            "group name of 5000 chars",
            M::POST,
            "/api/groups",
            json,
            format!(r#"{{"name":"{big_name}"}}"#),
        ),
        h("10001 variables", M::POST, "/api/groups", json, {
            let vars: serde_json::Map<String, Value> =
                (0..10_001).map(|i| (format!("v{i}"), json!("x"))).collect();
            json!({"name": "Muchas", "variables": vars}).to_string()
        }),
        h("page limit 0", M::GET, "/api/batch-calls?limit=0", None, ""),
        h(
            "page limit huge",
            M::GET,
            "/api/audit?limit=99999999999999999999",
            None,
            "",
        ),
        h("bad cursor", M::GET, "/api/audit?cursor=zz", None, ""),
        // Unicode and control characters.
        h(
            "NUL in a group name",
            M::POST,
            "/api/groups",
            json,
            r#"{"name":"A\u0000B"}"#,
        ),
        h(
            "bidi override in a name",
            M::POST,
            "/api/groups",
            json,
            r#"{"name":"abc\u202Edef"}"#,
        ),
        h(
            "newline in a client name",
            M::POST,
            clients.clone(),
            json,
            r#"[{"name":"A\nB","phone":"3001234567"}]"#,
        ),
        h(
            "escape in a variable value",
            M::POST,
            clients.clone(),
            json,
            r#"[{"name":"A","phone":"3001234567","variables":{"x":"\u001b[31m"}}]"#,
        ),
        h(
            "system__ variable",
            M::POST,
            "/api/groups",
            json,
            r#"{"name":"S","variables":{"system__x":"1"}}"#,
        ),
        h(
            "invalid UTF-8 body",
            M::POST,
            "/api/groups",
            json,
            vec![b'{', b'"', 0xff, 0xfe, b'"', b'}'],
        ),
        h(
            "unknown field",
            M::POST,
            "/api/groups",
            json,
            r#"{"name":"G","owner":1}"#,
        ),
        h(
            "phone of letters in an opt-out",
            M::POST,
            "/api/optouts",
            json,
            r#"{"phone":"abc"}"#,
        ),
        h("empty client list", M::POST, clients.clone(), json, "[]"),
        // Extreme numbers.
        h(
            "scheduled time past chrono",
            M::POST,
            call.clone(),
            json,
            r#"{"agentPhoneNumberId":"ph","scheduledTimeUnix":8210266876799}"#,
        ),
        h(
            "scheduled time i64::MAX",
            M::POST,
            call.clone(),
            json,
            r#"{"agentPhoneNumberId":"ph","scheduledTimeUnix":9223372036854775807}"#,
        ),
        h(
            "scheduled time i64::MIN",
            M::POST,
            call.clone(),
            json,
            r#"{"agentPhoneNumberId":"ph","scheduledTimeUnix":-9223372036854775808}"#,
        ),
        h(
            "scheduled time 1e300",
            M::POST,
            call.clone(),
            json,
            r#"{"agentPhoneNumberId":"ph","scheduledTimeUnix":1e300}"#,
        ),
        h(
            "scheduled two years ahead",
            M::POST,
            call.clone(),
            json,
            format!(
                r#"{{"agentPhoneNumberId":"ph","scheduledTimeUnix":{}}}"#,
                chrono::Utc::now().timestamp() + 2 * 366 * 86400
            ),
        ),
        h(
            "token expiry of 100 years",
            M::POST,
            "/api/users",
            json,
            r#"{"name":"U","expiresInDays":36500}"#,
        ),
        // Wrong content types.
        h(
            "text/plain call start",
            M::POST,
            call.clone(),
            Some("text/plain"),
            r#"{"agentPhoneNumberId":"ph"}"#,
        ),
        h(
            "form-encoded group",
            M::POST,
            "/api/groups",
            Some("application/x-www-form-urlencoded"),
            "name=G",
        ),
        h(
            "no type on a JSON body",
            M::POST,
            "/api/groups",
            None,
            r#"{"name":"G"}"#,
        ),
        h(
            "text/plain CSV import",
            M::POST,
            import.clone(),
            Some("text/plain"),
            "nombre,telefono\nA,3001234567\n",
        ),
        h(
            "multipart CSV import",
            M::POST,
            import,
            Some("multipart/form-data; boundary=x"),
            "--x\r\n\r\nA\r\n--x--",
        ),
        h(
            "text/plain opt-out import",
            M::POST,
            "/api/optouts/import",
            Some("text/plain"),
            "telefono\n3001234567\n",
        ),
        h(
            "text/plain body on cancel",
            M::POST,
            "/api/batch-calls/btcal_x/cancel",
            Some("text/plain"),
            "x",
        ),
    ];
    // Foreign origins.
    let mut cross = h(
        "cross-site Origin",
        M::POST,
        "/api/groups",
        json,
        r#"{"name":"Ajeno"}"#,
    );
    cross.headers.push(("origin", "http://evil.example".into()));
    t.push(cross);
    let mut other_port = h(
        "Origin of another port",
        M::POST,
        "/api/groups",
        json,
        r#"{"name":"Ajeno"}"#,
    );
    other_port.headers.push((
        "origin",
        format!("http://127.0.0.1:{}", port.wrapping_add(1)),
    ));
    t.push(other_port);
    let mut null = h(
        "Origin null",
        M::POST,
        "/api/optouts",
        json,
        r#"{"phone":"3001234567"}"#,
    );
    null.headers.push(("origin", "null".into()));
    t.push(null);
    let mut site = h(
        "Sec-Fetch-Site cross-site",
        M::DELETE,
        "/api/optouts/3001234567",
        None,
        "",
    );
    site.headers.push(("sec-fetch-site", "cross-site".into()));
    t.push(site);
    t
}

#[tokio::test]
async fn hostile_input_gets_a_4xx_envelope_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), None);
    // The one explicit-id group below gets 10: the seed's ids stay small.
    cfg.service.json_body_limit_bytes = 64 * 1024;
    let svc = serve(cfg, false, false).await;
    let admin = Api::new(svc.url(), Some(ADMIN));
    let u = admin
        .post("/api/users", json!({"name": "Ana", "agentId": "agent_x"}))
        .await;
    let ana = admin.with_token(u.body["data"]["token"].as_str());
    let gid = group(&ana, "Objetivo", 2, 0).await;
    admin
        .post("/api/optouts", json!({"phone": "3001234567"}))
        .await;
    let before = snapshot(&admin).await;
    for x in table(gid, svc.addr.port()) {
        // Writes as the admin (who may do most), reads too; the user's own call start.
        let who = if x.path.contains("/call") {
            &ana
        } else {
            &admin
        };
        let mut r = who.raw(x.method.clone(), &x.path);
        if let Some(ct) = x.content_type {
            r = r.header("content-type", ct);
        }
        for (k, v) in &x.headers {
            r = r.header(*k, v);
        }
        if !x.body.is_empty() {
            r = r.body(x.body.clone());
        }
        let reply = who.send(r).await;
        assert!(
            (400..500).contains(&reply.status),
            "{}: {} {:?}",
            x.what,
            reply.status,
            reply.body
        );
        assert_eq!(reply.body["success"], false, "{}: {:?}", x.what, reply.body);
        assert!(
            reply.body["code"].as_str().is_some_and(|c| !c.is_empty())
                && reply.body["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
            "{}: {:?}",
            x.what,
            reply.body
        );
    }
    assert_eq!(snapshot(&admin).await, before, "nothing changed");
    svc.shutdown().await;
}

/// Call starts for groups that do not exist take the group's lock (before anything is
/// read) and leave no lock behind. With ElevenLabs configured, as that is when a start
/// gets as far as the lock.
#[tokio::test]
async fn call_starts_for_missing_groups_leave_no_lock_behind() {
    let sim = sim(600.0, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), true, true).await;
    let api = Api::new(svc.url(), None);
    for id in 1_000..1_050 {
        let r = api
            .post(
                &format!("/api/groups/{id}/call"),
                json!({"userId": 19, "agentPhoneNumberId": "ph"}),
            )
            .await;
        assert_error(&r, 404, "group_not_found");
    }
    let journal = svc.state().hub().unwrap().journal();
    // The last lock asked for stays until the next request prunes it; no more.
    assert!(
        journal.group_lock_count() <= 1,
        "locks pruned: {}",
        journal.group_lock_count()
    );
    svc.shutdown().await;
}

#[tokio::test]
async fn ids_never_wrap_nor_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), None), false, false).await;
    let admin = Api::new(svc.url(), Some(ADMIN));
    let u = admin.post("/api/users", json!({"name": "Ana"})).await;
    let ana = admin.with_token(u.body["data"]["token"].as_str());
    // The issue's attack: a user asks for id u64::MAX. Refused, and it changes nothing.
    assert_error(
        &ana.post(
            "/api/groups",
            json!({"name": "Max", "id": 18446744073709551615u64}),
        )
        .await,
        403,
        "admin_only",
    );
    let a = group(&ana, "Uno", 1, 0).await;
    let b = group(&ana, "Dos", 1, 10).await;
    // The admin takes the next id explicitly; the next plain create skips it.
    let explicit = admin
        .post("/api/groups", json!({"name": "Tres", "id": b + 1}))
        .await;
    assert_eq!(explicit.status, 201, "{:?}", explicit.body);
    let c = group(&ana, "Cuatro", 1, 20).await;
    let ids = [a, b, b + 1, c];
    assert!(c > b + 1, "{ids:?}");
    for (id, name) in [(a, "Uno"), (b, "Dos"), (b + 1, "Tres"), (c, "Cuatro")] {
        let g = admin.get(&format!("/api/groups/{id}")).await;
        assert_eq!(g.body["data"]["name"], name, "group {id} intact");
    }
    assert_error(
        &admin
            .post("/api/groups", json!({"name": "Cinco", "id": a}))
            .await,
        409,
        "conflict",
    );
    assert_error(
        &admin
            .post("/api/users", json!({"name": "Big", "id": 1_000_000_001u64}))
            .await,
        422,
        "invalid_id",
    );
    svc.shutdown().await;
}

#[tokio::test]
async fn concurrent_adds_and_imports_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), None), false, false).await;
    let admin = Api::new(svc.url(), Some(ADMIN));
    let u = admin.post("/api/users", json!({"name": "Ana"})).await;
    let ana = admin.with_token(u.body["data"]["token"].as_str());
    let gid = group(&ana, "Concurrida", 1, 9_000_000).await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let ana = ana.clone();
        tasks.push(tokio::spawn(async move {
            ana.post(
                &format!("/api/groups/{gid}/clients"),
                json!([{"name": format!("A{i}"), "phone": format!("301{:07}", i)}]),
            )
            .await
            .status
        }));
    }
    for k in 0..5 {
        let ana = ana.clone();
        tasks.push(tokio::spawn(async move {
            let mut csv = String::from("nombre,telefono\n");
            for j in 0..20 {
                csv.push_str(&format!("I{k}-{j},302{:07}\n", k * 100 + j));
            }
            ana.send(
                ana.raw(
                    reqwest::Method::POST,
                    &format!("/api/groups/{gid}/clients/import"),
                )
                .header("content-type", "text/csv")
                .body(csv),
            )
            .await
            .status
        }));
    }
    for t in tasks {
        let status = t.await.unwrap();
        assert!(status == 200 || status == 201, "{status}");
    }
    let d = ana.get(&format!("/api/groups/{gid}")).await;
    assert_eq!(
        d.body["data"]["clientsCount"], 201,
        "1 + 100 adds + 5 × 20 imported"
    );
    let ids: std::collections::BTreeSet<u64> = d.body["data"]["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), 201, "client ids unique");
    svc.shutdown().await;
}

#[tokio::test]
async fn tokens_rotate_revoke_expire_and_compare_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), None);
    cfg.service.admin_token = Some(callboard::secret::Secret::new(format!("  {ADMIN}  ")));
    let now = std::sync::Arc::new(std::sync::Mutex::new(chrono::Utc::now()));
    let clock_now = now.clone();
    let svc = callboard::service::start(
        cfg.service_options(),
        callboard::service::ServeOptions {
            addr: Some("127.0.0.1:0".parse().unwrap()),
            clock: Some(callboard::monitor::Clock::from_fn(move || {
                *clock_now.lock().unwrap()
            })),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let admin = Api::new(svc.url(), Some(ADMIN));
    assert_eq!(
        admin.get("/api/groups").await.status,
        200,
        "admin token trimmed"
    );
    let u = admin.post("/api/users", json!({"name": "Ana"})).await;
    let id = u.body["data"]["id"].as_u64().unwrap();
    let old = u.body["data"]["token"].as_str().unwrap().to_string();
    let ana = admin.with_token(Some(&old));
    assert_eq!(ana.get("/api/groups").await.status, 200);
    // In the query string, blanks around the token are ignored as in the header.
    let stream = reqwest::get(format!(
        "{}/api/batch-calls/btcal_x/status/stream?access_token=%20{old}%20",
        svc.url()
    ))
    .await
    .unwrap();
    assert_ne!(stream.status().as_u16(), 401, "query token trimmed");
    assert_error(
        &ana.post_empty(&format!("/api/users/{id}/token")).await,
        403,
        "admin_only",
    );
    let rot = admin.post_empty(&format!("/api/users/{id}/token")).await;
    assert_eq!(rot.status, 200, "{:?}", rot.body);
    let new = rot.body["data"]["token"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_error(&ana.get("/api/groups").await, 401, "invalid_token");
    let ana = admin.with_token(Some(&new));
    assert_eq!(ana.get("/api/groups").await.status, 200);
    let rev = admin
        .send(admin.raw(reqwest::Method::DELETE, &format!("/api/users/{id}/token")))
        .await;
    assert_eq!(rev.status, 200);
    assert_eq!(rev.body["data"]["hasToken"], false);
    assert_error(&ana.get("/api/groups").await, 401, "invalid_token");
    // A token valid for a day works today, not two days later.
    let rot = admin
        .post(
            &format!("/api/users/{id}/token"),
            json!({"expiresInDays": 1}),
        )
        .await;
    assert!(
        rot.body["data"]["tokenExpiresAt"].is_string(),
        "{:?}",
        rot.body
    );
    let ana = admin.with_token(rot.body["data"]["token"].as_str());
    assert_eq!(ana.get("/api/groups").await.status, 200);
    *now.lock().unwrap() += chrono::Duration::days(2);
    assert_error(&ana.get("/api/groups").await, 401, "token_expired");
    svc.shutdown().await;

    // A short admin token: serve refuses to start, and says why.
    cfg.service.admin_token = Some(callboard::secret::Secret::new("short-admin-token"));
    let err = callboard::service::start(
        cfg.service_options(),
        callboard::service::ServeOptions {
            addr: Some("127.0.0.1:0".parse().unwrap()),
            ..Default::default()
        },
    )
    .await
    .err()
    .expect("refused");
    assert!(err.to_string().contains("32"), "{err}");
}

#[tokio::test]
async fn streams_are_capped_in_all_even_without_auth() {
    let sim = sim(1.0, 5).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), Some(&sim.url()));
    cfg.service.max_streams_total = 2;
    let svc = serve(cfg, true, false).await;
    let api = Api::new(svc.url(), None);
    let phone = phone_id(&api).await;
    let submitted: Value = reqwest::Client::new()
        .post(format!("{}/v1/convai/batch-calling/submit", sim.url()))
        .header("xi-api-key", "sk_test_never_shown_0123456789")
        .json(&json!({
            "call_name": "Larga",
            "agent_id": sim.first_agent_id(),
            "agent_phone_number_id": phone,
            "recipients": [{"phone_number": "+573001112233"}, {"phone_number": "+573001112234"}],
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let batch = submitted["id"].as_str().unwrap().to_string();
    let a = open_stream(&api, &batch).await;
    let b = open_stream(&api, &batch).await;
    let third = api
        .get(&format!("/api/batch-calls/{batch}/status/stream"))
        .await;
    assert_error(&third, 503, "too_many_streams_total");
    drop((a, b));
    svc.shutdown().await;
}

#[tokio::test]
async fn no_auth_serves_only_loopback_hosts_and_same_origin_writes() {
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), None), true, false).await;
    let api = Api::new(svc.url(), None);
    let port = svc.addr.port();
    // DNS rebinding: the page's own name pointed at 127.0.0.1.
    let r = api
        .send(
            api.raw(reqwest::Method::GET, "/api/groups")
                .header("host", format!("evil.example:{port}")),
        )
        .await;
    assert_error(&r, 421, "host_not_allowed");
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let r = api
            .send(
                api.raw(reqwest::Method::GET, "/api/groups")
                    .header("host", host.as_str()),
            )
            .await;
        assert_eq!(r.status, 200, "{host}");
    }
    // A simple cross-site POST (no preflight): text/plain, or a form.
    let r = api
        .send(
            api.raw(reqwest::Method::POST, "/api/groups")
                .header("origin", "http://evil.example")
                .header("content-type", "text/plain")
                .body(r#"{"name":"Ajeno"}"#),
        )
        .await;
    assert_error(&r, 403, "cross_origin");
    let r = api
        .send(
            api.raw(reqwest::Method::POST, "/api/groups")
                .header("content-type", "text/plain")
                .body(r#"{"name":"Ajeno"}"#),
        )
        .await;
    assert_error(&r, 415, "json_content_type_required");
    // The page's own writes pass.
    let r = api
        .send(
            api.raw(reqwest::Method::POST, "/api/groups")
                .header("origin", format!("http://127.0.0.1:{port}"))
                .header("sec-fetch-site", "same-origin")
                .json(&json!({"name": "Propio"})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let groups = api.get("/api/groups").await;
    assert_eq!(groups.body["data"].as_array().unwrap().len(), 1);
    svc.shutdown().await;
}

/// Reads until the peer closes; true when it did within `limit` (generous: a closed
/// connection, not a duration, is what is checked).
async fn closed_by_peer(s: &mut tokio::net::TcpStream, limit: Duration) -> (bool, String) {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (true, String::from_utf8_lossy(&got).into()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (false, String::from_utf8_lossy(&got).into()),
        }
    }
}

#[tokio::test]
async fn half_sent_headers_are_closed_and_connections_capped() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), None);
    cfg.service.header_read_timeout_secs = 5;
    cfg.service.max_connections = 5;
    let svc = serve(cfg, false, false).await;
    let mut slow = Vec::new();
    for _ in 0..5 {
        let mut s = tokio::net::TcpStream::connect(svc.addr).await.unwrap();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
            .await
            .unwrap();
        slow.push(s);
    }
    // Over the cap (the five were accepted first): answered 503 with the envelope, closed.
    let mut extra = tokio::net::TcpStream::connect(svc.addr).await.unwrap();
    let _ = extra
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await;
    let (closed, text) = closed_by_peer(&mut extra, Duration::from_secs(30)).await;
    assert!(closed && text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("too_many_connections"), "{text}");
    // Every half-sent header is closed by the server.
    for s in &mut slow {
        let (closed, _) = closed_by_peer(s, Duration::from_secs(60)).await;
        assert!(closed, "half-sent header still open");
    }
    // Slots are free again.
    let api = Api::new(svc.url(), None);
    assert_eq!(api.get("/health").await.status, 200);
    svc.shutdown().await;
}

#[tokio::test]
async fn body_limits_are_per_route() {
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), None), false, false).await;
    let admin = Api::new(svc.url(), Some(ADMIN));
    let g = admin.post("/api/groups", json!({"name": "Grande"})).await;
    let gid = g.body["data"]["id"].as_u64().unwrap();
    // A 1 MiB CSV is fine for an import...
    let mut csv = String::from("nombre,telefono,nota\n");
    let note = "n".repeat(1100);
    for i in 0..1000 {
        csv.push_str(&format!("C{i},304{:07},{note}\n", i));
    }
    assert!(csv.len() > 1024 * 1024);
    let r = admin
        .send(
            admin
                .raw(
                    reqwest::Method::POST,
                    &format!("/api/groups/{gid}/clients/import"),
                )
                .header("content-type", "text/csv")
                .body(csv),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body["message"]);
    // ...but JSON is held to 64 KiB.
    let clients: Vec<Value> = (0..2000)
        .map(|i| json!({"name": format!("J{i}"), "phone": format!("305{:07}", i)}))
        .collect();
    let r = admin
        .post(&format!("/api/groups/{gid}/clients"), json!(clients))
        .await;
    assert_error(&r, 413, "body_too_large");
    svc.shutdown().await;
}
