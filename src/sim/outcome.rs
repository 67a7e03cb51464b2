//! `Outcome`: how a simulated call ends (answered, voicemail, no answer, busy, or refused
//! for missing variables). The engine plans it; scripted outcomes fix it in advance.

/// How a call ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A person answered and talked; `interested` drives the script and the analysis.
    Answered {
        interested: bool,
    },
    Voicemail,
    NoAnswer,
    Busy,
    /// The agent uses variables this recipient lacks: the conversation cannot start.
    MissingVariables(Vec<String>),
}
