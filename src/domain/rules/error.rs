//! `RuleError`: a rule pack that cannot be parsed or makes no sense.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum RuleError {
    #[error("rule pack: {0}")]
    Parse(String),
    #[error("rule pack `{pack}`: {message}")]
    Invalid { pack: String, message: String },
}
