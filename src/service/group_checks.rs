//! What the group routes check in what they are given: the names and values of a group's
//! or a client's own variables.

use super::error::ApiError;
use crate::api::ErrorCode;
use std::collections::BTreeMap;

/// A group's or client's own variables: valid names, values of sane size without control
/// characters (tabs and line breaks aside: a value may be a short text).
pub(super) fn check_variables(vars: &BTreeMap<String, String>) -> Result<(), ApiError> {
    if vars.len() > 100 {
        return Err(ApiError::unprocessable(
            ErrorCode::TooManyVariables,
            "Máximo 100 variables",
        ));
    }
    for (k, v) in vars {
        check_variable_name(k)?;
        if v.chars().count() > 2000 || v.chars().any(|c| c.is_control() && !"\t\n\r".contains(c)) {
            return Err(ApiError::unprocessable(
                ErrorCode::InvalidVariableValue,
                format!(
                    "Valor no válido para «{k}»: máximo 2000 caracteres, sin caracteres de control"
                ),
            ));
        }
    }
    Ok(())
}

/// Names ElevenLabs accepts for dynamic variables; `system__` is reserved upstream.
pub fn check_variable_name(k: &str) -> Result<(), ApiError> {
    let ok = !k.is_empty()
        && k.len() <= 64
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && !k.starts_with("system__");
    if ok {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            ErrorCode::InvalidVariableName,
            format!(
                "Nombre de variable no válido «{}»: use letras, números, _ o - (sin «system__»)",
                super::error::truncate(k, 64)
            ),
        ))
    }
}
