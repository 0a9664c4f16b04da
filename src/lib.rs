//! tokenwarden: finds leaked Okta API tokens and URL-borne secrets.
//!
//! Flow (docs/architecture.md): a *command* plans → a *source* (files, stdin, git) hands
//! out blobs with provenance → the *pipeline*'s scanner runs the *engine* (matcher, then
//! locate) → findings are settled (scrubbed, suppressed, verified) → a *reporter* writes
//! them. `main.rs` only parses arguments and maps errors to exit codes.

// Denied, not forbidden: src/source/git/resident.rs makes two libc calls.
#![deny(unsafe_code)]
// The product never unwraps: every failure is a skip with a reason or an error message
// (`expect` stays for static regexes, which the tests build).
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub(crate) mod atomic;
pub(crate) mod audit;
pub mod blast;
pub(crate) mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod credential;
pub mod engine;
pub mod error;
pub mod escape;
pub mod finding;
pub mod incident;
pub(crate) mod keys;
pub(crate) mod locate;
pub mod matcher;
pub mod merge;
pub mod okta;
pub mod outcome;
pub mod pipeline;
pub(crate) mod regex_budget;
pub mod report;
pub mod repos;
pub mod review;
pub mod rules;
pub mod scrub;
pub mod settings;
pub(crate) mod size;
pub mod source;
pub mod suppress;
pub(crate) mod tomlfile;
pub mod vault;
pub mod verify;
