//! Plain types and pure rules: no I/O, no HTTP, no sled, no terminal.

pub mod campaign_rules;
pub mod codes;
pub mod group_setup;
pub mod import;
pub mod intent;
pub mod lang;
pub mod model;
pub mod phone;
pub mod policy;
pub mod preflight;
pub mod rules;
pub mod status;
pub mod variables;

pub use campaign_rules::CampaignRules;
pub use codes::{AuditAction, StopCode};
pub use group_setup::GroupSetup;
pub use lang::Lang;
pub use model::*;
pub use status::{BatchStatus, RecipientStatus};
