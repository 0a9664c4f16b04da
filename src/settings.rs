//! What the command line and the environment decide for a scanning run, resolved once into
//! plain values (ripgrep's low-level → high-level arguments): nothing past this point sees
//! a clap type or reads an environment variable, so the pipeline can be built from code
//! (tests, an organization-wide run) exactly as from flags.

use std::path::PathBuf;
use std::time::Duration;

use crate::finding::Confidence;

/// The run-wide settings of a scanning command. What each scanned root decides for itself
/// (its config, ignore file) is its `Policy`, built by the pipeline.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Skip files and blobs larger than this.
    pub max_file_size: u64,
    /// Show secrets redacted (everything but `--no-redact`).
    pub redact: bool,
    /// `--min-confidence`; a root's config may set its own default.
    pub min_confidence: Option<Confidence>,
    /// `--baseline FILE`.
    pub baseline: Option<PathBuf>,
    /// `--rules DIR`, trusted.
    pub rule_dirs: Vec<PathBuf>,
    /// Worker threads, the size of the run's own thread pool.
    pub threads: usize,
    /// `--config FILE`, trusted.
    pub config: Option<PathBuf>,
    /// List skipped files.
    pub verbose: bool,
    /// `None` unless `--verify` or `--only-live`.
    pub verify: Option<VerifySettings>,
}

#[derive(Debug, Clone)]
pub struct VerifySettings {
    /// Org URLs the user named, each with where it came from (`--okta-org`,
    /// `OKTA_ORG_URL`), for the error naming a bad one.
    pub orgs: Vec<(String, &'static str)>,
    pub timeout: Duration,
    pub concurrency: usize,
    pub max_requests: u32,
    pub max_wait: Duration,
    /// Report only live findings (and what the budget left unchecked).
    pub only_live: bool,
}

/// The orgs the user names: `--okta-org` values, then `OKTA_ORG_URL`, each with where it
/// came from (for the error naming a bad one).
pub fn named_orgs(flags: &[String]) -> Vec<(String, &'static str)> {
    let mut orgs: Vec<(String, &'static str)> =
        flags.iter().map(|o| (o.clone(), "--okta-org")).collect();
    if let Some(env) = std::env::var("OKTA_ORG_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        orgs.push((env, "OKTA_ORG_URL"));
    }
    orgs
}

impl Settings {
    /// Defaults of a scan with no flags: for tests and callers that build runs from code.
    pub fn new() -> Settings {
        Settings {
            max_file_size: 25 << 20,
            redact: true,
            min_confidence: None,
            baseline: None,
            rule_dirs: Vec::new(),
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            config: None,
            verbose: false,
            verify: None,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings::new()
    }
}
