//! Upstream's checks of a submit body (required fields, types, limits, E.164 phones,
//! dynamic variables), answered as FastAPI's 422 list.

use serde_json::{Map, Value, json};

use crate::sim::reply;

/// At most this many recipients per batch.
const MAX_RECIPIENTS: usize = 10_000;

/// Validation stops adding recipients' errors past this many.
const MAX_ERRORS: usize = 50;

/// `["body", ...path]`, where a 422 item points.
pub(super) fn body_loc(path: &[Value]) -> Vec<Value> {
    let mut loc = vec![json!("body")];
    loc.extend_from_slice(path);
    loc
}

/// Upstream's checks of a submit body, as a FastAPI 422 list.
pub(super) fn validate(raw: &Value) -> Vec<Value> {
    let Some(obj) = raw.as_object() else {
        return vec![reply::invalid_item(
            "model_attributes_type",
            &body_loc(&[]),
            "Input should be a valid dictionary or object to extract fields from",
            raw.clone(),
        )];
    };
    let mut errs = Vec::new();
    check_fields(raw, obj, &mut errs);
    let whatsapp = obj.get("whatsapp_params").is_some_and(|v| !v.is_null());
    check_phone_and_limit(obj, whatsapp, &mut errs);
    check_recipients(obj.get("recipients"), whatsapp, &mut errs);
    errs
}

/// Required fields present, and the string ones strings.
fn check_fields(raw: &Value, obj: &Map<String, Value>, errs: &mut Vec<Value>) {
    for field in ["call_name", "agent_id", "recipients"] {
        if obj.get(field).is_none_or(Value::is_null) {
            errs.push(reply::invalid_item(
                "missing",
                &body_loc(&[json!(field)]),
                "Field required",
                raw.clone(),
            ));
        }
    }
    for field in ["call_name", "agent_id"] {
        if let Some(v) = obj.get(field).filter(|v| !v.is_null() && !v.is_string()) {
            errs.push(reply::invalid_item(
                "string_type",
                &body_loc(&[json!(field)]),
                "Input should be a valid string",
                v.clone(),
            ));
        }
    }
}

/// A phone number to call from (unless WhatsApp), and a concurrency limit of at least 1.
fn check_phone_and_limit(obj: &Map<String, Value>, whatsapp: bool, errs: &mut Vec<Value>) {
    if !whatsapp && obj.get("agent_phone_number_id").is_none_or(Value::is_null) {
        errs.push(reply::invalid_item(
            "missing",
            &body_loc(&[json!("agent_phone_number_id")]),
            "Field required",
            Value::Null,
        ));
    }
    if let Some(limit) = obj
        .get("target_concurrency_limit")
        .and_then(Value::as_i64)
        .filter(|l| *l < 1)
    {
        errs.push(reply::invalid_item(
            "greater_than_equal",
            &body_loc(&[json!("target_concurrency_limit")]),
            "Input should be greater than or equal to 1",
            json!(limit),
        ));
    }
}

/// A list of 1 to 10,000 recipients, each valid.
fn check_recipients(recipients: Option<&Value>, whatsapp: bool, errs: &mut Vec<Value>) {
    let list = match recipients {
        Some(Value::Array(list)) => list,
        Some(Value::Null) | None => return,
        Some(other) => {
            errs.push(reply::invalid_item(
                "list_type",
                &body_loc(&[json!("recipients")]),
                "Input should be a valid list",
                other.clone(),
            ));
            return;
        }
    };
    if list.is_empty() {
        errs.push(reply::invalid_item(
            "too_short",
            &body_loc(&[json!("recipients")]),
            "List should have at least 1 item after validation, not 0",
            json!([]),
        ));
    }
    if list.len() > MAX_RECIPIENTS {
        errs.push(reply::invalid_item(
            "too_long",
            &body_loc(&[json!("recipients")]),
            &format!(
                "List should have at most 10000 items after validation, not {}",
                list.len()
            ),
            Value::Null,
        ));
    }
    for (i, r) in list.iter().enumerate().take(MAX_RECIPIENTS) {
        validate_recipient(i, r, whatsapp, errs);
        if errs.len() >= MAX_ERRORS {
            break;
        }
    }
}

fn validate_recipient(i: usize, r: &Value, whatsapp: bool, errs: &mut Vec<Value>) {
    let at = |f: &str| body_loc(&[json!("recipients"), json!(i), json!(f)]);
    let phone = r.get("phone_number").and_then(Value::as_str);
    match phone {
        Some(p) if !is_e164(p) => errs.push(reply::invalid_item(
            "value_error",
            &at("phone_number"),
            "Value error, Invalid phone number, must be in E.164 format",
            json!(p),
        )),
        None if !whatsapp && r.get("whatsapp_user_id").is_none_or(Value::is_null) => errs.push(
            reply::invalid_item("missing", &at("phone_number"), "Field required", r.clone()),
        ),
        _ => {}
    }
    let vars = r
        .get("conversation_initiation_client_data")
        .and_then(|d| d.get("dynamic_variables"))
        .and_then(Value::as_object);
    for (k, v) in vars.into_iter().flatten() {
        if v.is_object() || v.is_array() {
            errs.push(reply::invalid_item(
                "value_error",
                &at("conversation_initiation_client_data"),
                &format!("Value error, dynamic variable '{k}' must be a string, number or boolean"),
                v.clone(),
            ));
        }
        if k.starts_with("system__") {
            errs.push(reply::invalid_item(
                "value_error",
                &at("conversation_initiation_client_data"),
                &format!("Value error, dynamic variable '{k}' uses the reserved prefix system__"),
                json!(k),
            ));
        }
    }
}

fn is_e164(p: &str) -> bool {
    let digits = p.strip_prefix('+').unwrap_or("");
    (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}
