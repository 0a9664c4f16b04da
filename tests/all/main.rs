//! The integration tests, in one binary: each module drives the real `tokenwarden`
//! executable (or the library) against real files, git repositories and a local HTTP
//! server. One binary links once, so `cargo test` spends its time testing.

// Helpers are shared by modules that each use a part of them.
#[allow(dead_code)]
mod common;

mod audit;
mod audit_emit;
mod audit_sdk;
mod bad_input;
mod deep_trees;
mod fake_okta;
mod git_sources;
mod github_action;
mod incremental;
mod org_examples;
mod organizations;
mod properties;
mod respond;
mod sarif_schema;
mod scan_dir;
mod schema;
mod snapshots;
mod suppression;
mod trust;
mod verify_okta;
