//! Campaigns set per group, against the simulator: a group's own agent and caller number
//! win over the user's agent and make the call's `agentPhoneNumberId` optional; a group's
//! country decides how its clients' phones are read and which are left out; prepare-agent
//! gives the agent the group's first message and language and says what it changed.

use crate::support::process::upstream;
use crate::support::service::*;
use serde_json::{Value, json};

struct Setup {
    sim: callboard::sim::SimHandle,
    _svc: callboard::service::ServiceHandle,
    _dir: tempfile::TempDir,
    api: Api,
    user: u64,
}

/// A service on the simulator, and a user whose agent is the medical one (it needs
/// `especialidad` and `ciudad`).
async fn setup(seed: u64) -> Setup {
    let sim = sim(600.0, seed).await;
    let dir = tempfile::tempdir().unwrap();
    let svc = serve(config(dir.path(), Some(&sim.url())), false, false).await;
    let admin = Api::new(svc.url(), Some(ADMIN));
    let u = admin
        .post(
            "/api/users",
            json!({"name": "Sup", "agentId": sim.first_agent_id()}),
        )
        .await;
    assert_eq!(u.status, 201, "{:?}", u.body);
    let user = u.body["data"]["id"].as_u64().unwrap();
    Setup {
        sim,
        _svc: svc,
        _dir: dir,
        api: admin,
        user,
    }
}

async fn clients(api: &Api, gid: u64, list: &[(&str, &str)]) -> Reply {
    let body: Vec<Value> = list
        .iter()
        .map(|(n, p)| json!({"name": n, "phone": p}))
        .collect();
    let r = api
        .post(&format!("/api/groups/{gid}/clients"), json!(body))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r
}

async fn patch(api: &Api, gid: u64, body: Value) -> Reply {
    api.send(
        api.raw(reqwest::Method::PATCH, &format!("/api/groups/{gid}"))
            .json(&body),
    )
    .await
}

#[tokio::test]
async fn a_groups_own_agent_and_number_win_and_the_body_needs_no_number() {
    let s = setup(11).await;
    let (api, sim) = (&s.api, &s.sim);
    // The reminders agent only needs {{name}}: the user's medical agent would refuse
    // these clients (no especialidad, no ciudad).
    let reminders = sim.agent_ids()[2].clone();
    let numbers = sim.phone_number_ids();
    let g = api
        .post(
            "/api/groups",
            json!({"name": "Recordatorios", "agentId": reminders, "agentPhoneNumberId": numbers[1]}),
        )
        .await;
    assert_eq!(g.status, 201, "{:?}", g.body);
    assert_eq!(g.body["data"]["agentId"], reminders.as_str());
    assert_eq!(g.body["data"]["agentPhoneNumberId"], numbers[1].as_str());
    assert_eq!(g.body["data"]["country"], "CO");
    let gid = g.body["data"]["id"].as_u64().unwrap();
    clients(api, gid, &[("Ana", "3001112233"), ("Luis", "3004445566")]).await;
    let shown = api.get(&format!("/api/groups/{gid}")).await;
    assert_eq!(shown.body["data"]["agentId"], reminders.as_str());
    let listed = api.get("/api/groups").await;
    assert_eq!(
        listed.body["data"][0]["agentPhoneNumberId"],
        numbers[1].as_str()
    );

    // No agentPhoneNumberId in the body: the group's number and agent are used.
    let r = api
        .post(
            &format!("/api/groups/{gid}/call"),
            json!({"userId": s.user}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["data"]["agentId"], reminders.as_str());
    assert_eq!(r.body["data"]["recipientsCount"], 2);
    let batch_id = r.body["data"]["batchId"].as_str().unwrap();
    let up = upstream(&sim.url(), &format!("/v1/convai/batch-calling/{batch_id}")).await;
    assert_eq!(up["agent_id"], reminders.as_str());
    assert_eq!(up["phone_number_id"], numbers[1].as_str());

    // Without the group's number, the body must name one again.
    let cleared = patch(api, gid, json!({"agentPhoneNumberId": null})).await;
    assert_eq!(cleared.status, 200, "{:?}", cleared.body);
    assert!(cleared.body["data"].get("agentPhoneNumberId").is_none());
    assert_eq!(cleared.body["data"]["agentId"], reminders.as_str(), "kept");
    let r = api
        .post(
            &format!("/api/groups/{gid}/call?dryRun=true"),
            json!({"userId": s.user}),
        )
        .await;
    assert_error(&r, 422, "phone_number_required");
    // A number in the body wins over the group's.
    patch(api, gid, json!({"agentPhoneNumberId": numbers[1]})).await;
    let r = api
        .post(
            &format!("/api/groups/{gid}/call?dryRun=true"),
            json!({"userId": s.user, "agentPhoneNumberId": numbers[0], "force": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    // Without the group's agent, the user's medical agent refuses these clients.
    patch(api, gid, json!({"agentId": ""})).await;
    let r = api
        .post(
            &format!("/api/groups/{gid}/call?dryRun=true"),
            json!({"userId": s.user, "force": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["data"]["recipients"], json!([]), "{:?}", r.body);
    assert_eq!(r.body["data"]["incomplete"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_groups_agent_and_number_are_checked_against_elevenlabs() {
    let s = setup(12).await;
    let api = &s.api;
    let gid = group(api, "Revisado", 1, 10).await;
    let r = patch(api, gid, json!({"agentId": "agent_no_existe"})).await;
    assert_error(&r, 422, "agent_not_found");
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("agent_no_existe"),
        "{:?}",
        r.body
    );
    let r = patch(api, gid, json!({"agentPhoneNumberId": "phnum_no_existe"})).await;
    assert_error(&r, 422, "phone_number_not_found");
    let r = patch(api, gid, json!({"country": "Narnia"})).await;
    assert_error(&r, 422, "invalid_country");
    let r = patch(api, gid, json!({"language": "español"})).await;
    assert_error(&r, 422, "invalid_language");
    let r = patch(api, gid, json!({"color": "rojo"})).await;
    assert_eq!(r.status, 422, "unknown fields are refused: {:?}", r.body);
    let r = api
        .post(
            "/api/groups",
            json!({"name": "Otro", "agentId": "agent_no_existe"}),
        )
        .await;
    assert_error(&r, 422, "agent_not_found");
    // Nothing was changed by the refusals.
    let g = api.get(&format!("/api/groups/{gid}")).await;
    assert!(g.body["data"].get("agentId").is_none(), "{:?}", g.body);
    assert_eq!(g.body["data"]["country"], "CO");
    // An audit line says who changed a group's settings.
    patch(api, gid, json!({"language": "en"})).await;
    let audit = api.get(&format!("/api/audit?target=group:{gid}")).await;
    assert_eq!(
        audit.body["data"][0]["action"], "group.setup",
        "{:?}",
        audit.body
    );
}

/// One country's group end to end: its clients' numbers as people write them there, and a
/// number of the other country left out with the reason.
async fn country_group(
    s: &Setup,
    name: &str,
    country: Option<&str>,
    local: &[(&str, &str)],
    foreign: (&str, &str),
) -> (Value, Value) {
    let api = &s.api;
    let mut body = json!({"name": name, "variables": {"especialidad": "x", "ciudad": "y"}});
    if let Some(c) = country {
        body["country"] = json!(c);
    }
    let g = api.post("/api/groups", body).await;
    assert_eq!(g.status, 201, "{:?}", g.body);
    let gid = g.body["data"]["id"].as_u64().unwrap();
    let mut all = local.to_vec();
    all.push(foreign);
    let added = clients(api, gid, &all).await;
    assert_eq!(added.body["data"]["invalidPhones"], 0, "{:?}", added.body);
    let start = api
        .post(
            &format!("/api/groups/{gid}/call"),
            json!({"userId": s.user, "agentPhoneNumberId": s.sim.phone_number_ids()[0]}),
        )
        .await;
    assert_eq!(start.status, 200, "{:?}", start.body);
    let batch_id = start.body["data"]["batchId"].as_str().unwrap().to_string();
    let up = upstream(
        &s.sim.url(),
        &format!("/v1/convai/batch-calling/{batch_id}"),
    )
    .await;
    (start.body["data"].clone(), up)
}

fn dialled(up: &Value) -> Vec<String> {
    let mut v: Vec<String> = up["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["phone_number"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_mexican_group_works_as_well_as_a_colombian_one() {
    let s = setup(13).await;
    let (mx, up) = country_group(
        &s,
        "Clientes CDMX",
        Some("mx"),
        &[("Ana", "55 1234 5678"), ("Beto", "(33) 1234-5678")],
        ("Carla", "+57 300 123 4567"),
    )
    .await;
    assert_eq!(mx["recipientsCount"], 2, "{mx:?}");
    assert_eq!(dialled(&up), ["+523312345678", "+525512345678"]);
    assert_eq!(mx["skipped"][0]["code"], "other_country", "{mx:?}");
    let why = mx["skipped"][0]["reason"].as_str().unwrap();
    assert!(why.contains("(+57)") && why.contains("MX (+52)"), "{why}");

    let (co, up) = country_group(
        &s,
        "Clientes Bogotá",
        None,
        &[("Dora", "300-123-4567"), ("Eva", "57 310 765 4321")],
        ("Fer", "+52 55 1234 5678"),
    )
    .await;
    assert_eq!(co["recipientsCount"], 2, "{co:?}");
    assert_eq!(dialled(&up), ["+573001234567", "+573107654321"]);
    assert_eq!(co["skipped"][0]["code"], "other_country", "{co:?}");
    let why = co["skipped"][0]["reason"].as_str().unwrap();
    assert!(why.contains("(+52)") && why.contains("CO (+57)"), "{why}");
}

#[tokio::test]
async fn a_new_country_reads_the_groups_phones_again() {
    let s = setup(14).await;
    let api = &s.api;
    let g = api.post("/api/groups", json!({"name": "Sin país"})).await;
    let gid = g.body["data"]["id"].as_u64().unwrap();
    // Read in Colombia (the region), a Mexico City number is no number.
    let added = clients(api, gid, &[("Ana", "55 1234 5678")]).await;
    assert_eq!(added.body["data"]["invalidPhones"], 1);
    let r = patch(api, gid, json!({"country": "MX"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["data"]["country"], "MX");
    assert_eq!(r.body["data"]["validPhones"], 1, "{:?}", r.body);
    let d = api.get(&format!("/api/groups/{gid}")).await;
    assert_eq!(d.body["data"]["clients"][0]["phoneNumber"], "+525512345678");
    // A CSV import into the group reads its rows in Mexico too.
    let csv = "nombre,telefono\nBeto,(33) 1234-5678\n";
    let r = api
        .send(
            api.raw(
                reqwest::Method::POST,
                &format!("/api/groups/{gid}/clients/import"),
            )
            .header("content-type", "text/csv")
            .body(csv),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["data"]["created"], 1, "{:?}", r.body);
    let d = api.get(&format!("/api/groups/{gid}")).await;
    assert_eq!(d.body["data"]["clients"][1]["phoneNumber"], "+523312345678");
}

#[tokio::test]
async fn prepare_agent_sets_the_groups_first_message_and_language() {
    let s = setup(15).await;
    let (api, sim) = (&s.api, &s.sim);
    let agent = sim.first_agent_id();
    let gid = group(api, "Con saludo", 2, 20).await;
    let first = "Hola {{name}}, le llama la clínica de {{ciudad}} por su {{cita}}.";
    let r = patch(
        api,
        gid,
        json!({"firstMessage": first, "language": "pt-BR"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["data"]["language"], "pt-br");
    let before = upstream(&sim.url(), &format!("/v1/convai/agents/{agent}")).await;
    let old_first = before["conversation_config"]["agent"]["first_message"].clone();

    let prep = api
        .post(
            &format!("/api/groups/{gid}/prepare-agent"),
            json!({"userId": s.user}),
        )
        .await;
    assert_eq!(prep.status, 200, "{:?}", prep.body);
    let d = &prep.body["data"];
    assert_eq!(
        d["changes"],
        json!([
            {"field": "firstMessage", "previous": old_first, "value": first},
            {"field": "language", "previous": "es", "value": "pt-br"}
        ])
    );
    // The new first message uses a variable the group cannot supply.
    assert_eq!(d["missingVariables"], json!(["cita"]));
    let msg = prep.body["message"].as_str().unwrap();
    assert!(
        msg.contains("primer mensaje actualizado")
            && msg.contains("idioma cambiado de «es» a «pt-br»"),
        "{msg}"
    );
    // ElevenLabs (the sim) applied the PATCH and returns it.
    let after = upstream(&sim.url(), &format!("/v1/convai/agents/{agent}")).await;
    assert_eq!(
        after["conversation_config"]["agent"]["first_message"],
        first
    );
    assert_eq!(after["conversation_config"]["agent"]["language"], "pt-br");
    assert_eq!(
        after["conversation_config"]["agent"]["prompt"]["prompt"],
        before["conversation_config"]["agent"]["prompt"]["prompt"],
        "the rest of the agent is kept"
    );
    // Once the agent says what the group wants, nothing more changes.
    let again = api
        .post(
            &format!("/api/groups/{gid}/prepare-agent"),
            json!({"userId": s.user}),
        )
        .await;
    assert_eq!(again.body["data"]["changes"], json!([]), "{:?}", again.body);
    assert!(!again.body["message"].as_str().unwrap().contains("idioma"));
}

/// A group's agent or number set while ElevenLabs was not reachable (or removed there
/// since) is refused at the call start with a reason that names the group, before any
/// submit.
#[tokio::test]
async fn an_unknown_group_agent_or_number_is_refused_at_call_time() {
    let dir = tempfile::tempdir().unwrap();
    let gid = {
        // Without ElevenLabs configured the settings cannot be checked when set.
        let svc = serve(config(dir.path(), None), false, false).await;
        let api = Api::new(svc.url(), Some(ADMIN));
        let u = api
            .post(
                "/api/users",
                json!({"name": "Sup", "id": 5, "agentId": "agent_x"}),
            )
            .await;
        assert_eq!(u.status, 201, "{:?}", u.body);
        let g = api
            .post(
                "/api/groups",
                json!({"name": "Borrado", "agentId": "agent_borrado", "agentPhoneNumberId": "phnum_borrado"}),
            )
            .await;
        assert_eq!(g.status, 201, "{:?}", g.body);
        let gid = g.body["data"]["id"].as_u64().unwrap();
        clients(&api, gid, &[("Ana", "3001112233")]).await;
        svc.shutdown().await;
        gid
    };
    let sim = sim(600.0, 16).await;
    let svc = serve(config(dir.path(), Some(&sim.url())), false, false).await;
    let api = Api::new(svc.url(), Some(ADMIN));
    let call = |body: Value| {
        let api = api.clone();
        async move { api.post(&format!("/api/groups/{gid}/call"), body).await }
    };
    let r = call(json!({"userId": 5})).await;
    assert_error(&r, 422, "agent_not_found");
    let msg = r.body["message"].as_str().unwrap();
    assert!(
        msg.contains("agent_borrado") && msg.contains("del grupo «Borrado»"),
        "{msg}"
    );
    // With a real agent, the group's number is the one ElevenLabs does not know.
    let ok = patch(&api, gid, json!({"agentId": sim.agent_ids()[2]})).await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    let r = call(json!({"userId": 5})).await;
    assert_error(&r, 422, "phone_number_not_found");
    let msg = r.body["message"].as_str().unwrap();
    assert!(
        msg.contains("phnum_borrado") && msg.contains("«Borrado»"),
        "{msg}"
    );
    assert_eq!(
        sim.request_count(SUBMIT_ENDPOINT),
        0,
        "nothing was submitted"
    );
    // A number named in the call still works.
    let r = call(json!({"userId": 5, "agentPhoneNumberId": sim.phone_number_ids()[0]})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    svc.shutdown().await;
    sim.shutdown().await;
}

/// `callboard import clients` into an existing group reads the rows in the group's country.
#[tokio::test]
async fn the_cli_import_reads_phones_in_the_groups_country() {
    use callboard::store::{NewGroup, Store};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("no-config.toml"), "").unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store
            .create_group(NewGroup {
                name: "Monterrey".into(),
                setup: callboard::domain::GroupSetup {
                    country: Some("MX".parse().unwrap()),
                    ..Default::default()
                },
                ..NewGroup::default()
            })
            .await
            .unwrap();
    }
    let csv = dir.path().join("mx.csv");
    std::fs::write(&csv, "nombre,telefono\nAna,81 1234 5678\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args([
            "import",
            "clients",
            csv.to_str().unwrap(),
            "--group",
            "Monterrey",
        ])
        .env("CALLBOARD_DATA_DIR", dir.path())
        .env("CALLBOARD_CONFIG", dir.path().join("no-config.toml"))
        .env_remove("CALLBOARD_REGION")
        .env_remove("ELEVENLABS_API_KEY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{:?}", out.stderr);
    assert!(
        stdout.contains("1 clientes nuevos, 0 actualizados, 0 rechazadas"),
        "{stdout}"
    );
    let store = Store::open(dir.path()).unwrap();
    let g = store.group_by_name("Monterrey").await.unwrap().unwrap();
    let c = &store.clients(g.id).await.unwrap()[0];
    assert_eq!(c.phone_e164.as_deref(), Ok("+528112345678"));
}
