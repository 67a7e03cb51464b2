//! callboard: start, watch, retry and cancel ElevenLabs batch calls.

pub mod api;
pub mod campaign;
pub mod cli;
pub mod client;
pub mod config;
pub mod domain;
pub mod elevenlabs;
pub mod faces;
pub mod gzip;
pub mod journal;
pub mod monitor;
pub mod report;
pub mod secret;
pub mod service;
pub mod sim;
pub mod store;
pub mod tui;
