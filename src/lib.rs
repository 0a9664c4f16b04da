//! tokenwarden: finds leaked Okta API tokens and URL-borne secrets.
//!
//! Flow: a *source* (files, stdin, git) yields blobs with a path → the *matcher* finds
//! secrets in bytes → *locate* turns them into redacted findings → a *reporter* writes
//! text, JSON or SARIF. `main.rs` only parses arguments and maps errors to exit codes.

pub mod atomic;
pub mod audit;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod engine;
pub mod error;
pub mod escape;
pub mod finding;
pub mod locate;
pub mod matcher;
pub mod outcome;
pub mod pipeline;
pub mod redact;
pub mod report;
pub mod rules;
pub mod size;
pub mod source;
pub mod suppress;
pub mod tomlfile;
pub mod vault;
pub mod verify;
