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
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
        if valid && !name.starts_with("system__") {
            found.insert(name.to_string());
            rest = &after[end + 2..];
        } else {
            // Not a variable (e.g. `{{{`): move one character on and keep looking.
            rest = &rest[start + 2..];
        }
    }
    found
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

    #[test]
    fn reports_missing_variables() {
        let vars = build(&client(), &group());
        let req = placeholders("{{name}} {{cargo}} {{hospital}} {{ciudad}}");
        assert_eq!(missing(&req, &vars), vec!["hospital"]);
    }
}
