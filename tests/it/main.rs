//! The integration tests, one binary (one compile and one link instead of one per file):
//! a module per area, and `support` for what they share. Run one area with
//! `cargo test --test it tui_snapshots`.
// `elevenlabs_wire` builds deeply nested `json!` literals.
#![recursion_limit = "256"]

mod support;

mod agent_tools;
mod architecture;
mod cli_store;
mod cluster;
mod demo_e2e_tmux;
mod demo_outcomes;
mod dial_safety;
mod dial_soak;
mod direct_e2e_tmux;
mod elevenlabs_client;
mod elevenlabs_wire;
mod newuser_cli;
mod route_table;
mod service_auth;
mod service_browser;
mod service_campaign;
mod service_cli;
mod service_delta;
mod service_flow;
mod service_followup;
mod service_hardening;
mod service_live;
mod service_ownership;
mod service_pergroup;
mod service_rules;
mod service_seed_parity;
mod sim_cli;
mod sim_progression;
mod sim_wire;
mod store_copy;
mod tui_cli;
mod tui_e2e_tmux;
mod tui_group_setup;
mod tui_newuser;
mod tui_snapshots;
mod tui_source;
mod tui_update;
mod tui_update_campaign;
mod web_circuit_breaker;
mod web_newuser;
mod web_sections;
mod web_seed_parity;
mod web_stream;
mod webhook_cli;
mod webhooks;
mod webhooks_e2e;
