//! callboard: start, watch, retry and cancel ElevenLabs batch calls.

pub mod api;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod demo;
pub mod domain;
pub mod elevenlabs;
pub mod export_cmd;
pub mod gzip;
pub mod journal;
pub mod monitor;
pub mod report;
pub mod secret;
pub mod service;
pub mod sim;
pub mod store;
pub mod submission;
pub mod tui;
