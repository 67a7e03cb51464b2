//! Rule packs: when a country allows calling (contact hours per weekday, public holidays)
//! and how often a person may be contacted. A pack is a small TOML file; the Colombian one
//! (`assets/rules/co.toml`) is built in. All arithmetic is in the pack's time zone.

mod error;
mod holidays;
mod hours;
mod pack;

#[cfg(test)]
mod tests;

pub use error::RuleError;
pub use holidays::{Holiday, MonthDay, easter};
pub use pack::{COLOMBIA_TOML, RulePack};
