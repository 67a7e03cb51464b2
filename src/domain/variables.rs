//! Dynamic variables: what each recipient's call is personalised with, and which
//! `{{variables}}` an agent's prompt and first message expect.

use std::collections::BTreeSet;

use super::model::{Client, Group, Variables};

/// The recipient's variables exactly in the seed's order: `name`, `email`, `empresa`,
/// `cargo`, then the group's variables, then the client's own extra columns (a client's
/// value overrides the group's for the same name). Empty values are left out, so a missing
/// variable is detected before dialling instead of being spoken as nothing.
pub fn build(client: &Client, group: &Group) -> Variables {
    let mut vars = Variables::new();
    let mut put = |k: &str, v: &str| {
        let v = v.trim();
        if !v.is_empty() {
            vars.insert(k.to_string(), v.to_string());
        }
    };
    put("name", &client.name);
    put("email", client.email.as_deref().unwrap_or(""));
    put("empresa", client.empresa.as_deref().unwrap_or(""));
    put("cargo", client.cargo.as_deref().unwrap_or(""));
    for (k, v) in &group.variables {
        put(k, v);
    }
    for (k, v) in &client.extra {
        put(k, v);
    }
    vars
}

/// A neutral value for a variable in an agent's test defaults (its placeholders): never a
/// real client's data, which would then sit in the agent's settings for anyone with
/// access to the ElevenLabs workspace.
pub fn sample_value(name: &str) -> String {
    match name {
        "name" | "nombre" => "Cliente de ejemplo".into(),
        "email" | "correo" => "cliente@ejemplo.com".into(),
        "empresa" | "company" => "Empresa de ejemplo".into(),
        "cargo" | "role" => "Cargo de ejemplo".into(),
        other => format!("({other} de ejemplo)"),
    }
}

/// The `{{name}}` placeholders used in `text`, without the reserved `system__*` ones.
pub fn placeholders(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim();
        if is_variable(name) {
            found.insert(name.to_string());
            rest = &after[end + 2..];
        } else {
            // Not a variable (e.g. `{{{`): move one character on and keep looking.
            rest = &rest[start + 2..];
        }
    }
    found
}

/// A name a `{{placeholder}}` may carry, other than the reserved `system__*` ones.
fn is_variable(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && !name.starts_with("system__")
}

/// The variables an agent's tools use (`conversation_config.agent.prompt.tools` as
/// ElevenLabs returns it): `{{name}}` in any string (a webhook's URL, header values, body
/// constants), a schema property's `dynamic_variable`, and a header given as
/// `{"variable_name": …}`. A conversation lacking one fails at start ("Missing required
/// dynamic variables in tools") just like one lacking a prompt's. A tool's `assignments`
/// (variables it sets from its response) and its own `dynamic_variables` defaults are
/// not requirements.
pub fn tool_placeholders(tools: &serde_json::Value) -> BTreeSet<String> {
    use serde_json::Value;
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::String(s) => out.extend(placeholders(s)),
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(map) => {
                for (k, x) in map {
                    match (k.as_str(), x) {
                        ("assignments" | "dynamic_variables", _) => {}
                        ("dynamic_variable" | "variable_name", Value::String(name)) => {
                            let name = name.trim();
                            if is_variable(name) {
                                out.insert(name.to_string());
                            }
                        }
                        _ => walk(x, out),
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(tools, &mut out);
    out
}

/// Names in `required` that `vars` does not provide (or provides empty).
pub fn missing<'a>(required: &'a BTreeSet<String>, vars: &Variables) -> Vec<&'a str> {
    required
        .iter()
        .filter(|name| vars.get(name.as_str()).is_none_or(|v| v.trim().is_empty()))
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use std::collections::BTreeMap;

    fn group() -> Group {
        Group {
            id: 55,
            name: "Médicos Test".into(),
            variables: BTreeMap::from([
                ("especialidad".into(), "Medicina General".into()),
                ("ciudad".into(), "Barranquilla".into()),
            ]),
            created_at: Utc::now(),
            owner: None,
            other_countries: false,
            setup: Default::default(),
        }
    }

    fn client() -> Client {
        Client {
            id: 1,
            group_id: 55,
            name: "Dr. García".into(),
            email: Some("garcia@hospital.com".into()),
            empresa: Some("Hospital Central".into()),
            cargo: Some("Cardiólogo".into()),
            phone: "3001112223".into(),
            phone_e164: Ok("+573001112223".into()),
            extra: BTreeMap::new(),
        }
    }

    #[test]
    fn builds_the_seed_example_in_order() {
        let vars = build(&client(), &group());
        let json = serde_json::to_string(&vars).unwrap();
        assert_eq!(
            json,
            r#"{"name":"Dr. García","email":"garcia@hospital.com","empresa":"Hospital Central","cargo":"Cardiólogo","ciudad":"Barranquilla","especialidad":"Medicina General"}"#
        );
    }

    #[test]
    fn client_extra_overrides_group_and_empties_are_left_out() {
        let mut c = client();
        c.email = Some("  ".into());
        c.extra.insert("ciudad".into(), "Cali".into());
        c.extra.insert("sede".into(), "Norte".into());
        let vars = build(&c, &group());
        assert!(!vars.contains_key("email"));
        assert_eq!(vars["ciudad"], "Cali");
        assert_eq!(vars.keys().last().unwrap(), "sede");
    }

    #[test]
    fn finds_placeholders_and_ignores_system_ones() {
        let p = placeholders(
            "Hola {{name}}, de {{ empresa }}. {{system__time}} {{name}} {{}} {{ bad name }} {{especialidad}",
        );
        assert_eq!(
            p.into_iter().collect::<Vec<_>>(),
            vec!["empresa".to_string(), "name".to_string()]
        );
        assert!(placeholders("sin variables").is_empty());
        assert!(placeholders("{{{{x}}").contains("x"));
    }

    /// A webhook tool as ElevenLabs returns it: variables in its URL, a header, a body
    /// property and a constant count; what it assigns from its response does not.
    #[test]
    fn finds_the_variables_of_tools() {
        let tools = serde_json::json!([{
            "type": "webhook",
            "name": "agendar",
            "description": "Agenda una cita",
            "api_schema": {
                "url": "https://citas.example/{{sede}}/agendar?medico={{ name }}",
                "method": "POST",
                "request_headers": {
                    "Authorization": {"variable_name": "token_cliente"},
                    "X-Plan": "plan-{{plan}}",
                    "X-Secret": {"secret_id": "abc"}
                },
                "request_body_schema": {"type": "object", "properties": {
                    "paciente": {"type": "string", "dynamic_variable": "documento"},
                    "nota": {"type": "string", "dynamic_variable": "", "description": "libre"},
                    "hora": {"type": "string", "dynamic_variable": "system__time"}
                }}
            },
            "assignments": [{"source": "response", "dynamic_variable": "cita_id", "value_path": "id"}],
            "dynamic_variables": {"dynamic_variable_placeholders": {"{{ignorada}}": "x"}}
        }]);
        assert_eq!(
            tool_placeholders(&tools).into_iter().collect::<Vec<_>>(),
            ["documento", "name", "plan", "sede", "token_cliente"]
        );
        assert!(tool_placeholders(&serde_json::Value::Null).is_empty());
    }

    #[test]
    fn reports_missing_variables() {
        let vars = build(&client(), &group());
        let req = placeholders("{{name}} {{cargo}} {{hospital}} {{ciudad}}");
        assert_eq!(missing(&req, &vars), vec!["hospital"]);
    }
}
