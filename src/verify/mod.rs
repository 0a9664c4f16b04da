//! `--verify`: asks the Okta org a token belongs to whether the token is live. Off unless
//! requested; each distinct (org, token) pair is asked once per run, a few at a time.

mod okta;
pub mod orgs;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::finding::{Finding, Status, Verification};
use crate::vault::{Vault, VerifyInput};

pub struct VerifyOptions {
    /// Orgs the user named (`--okta-org`, `OKTA_ORG_URL`, config), normalized.
    pub orgs: Vec<String>,
    pub timeout: Duration,
    pub concurrency: usize,
}

/// Sets `verification` on every unsuppressed finding whose token the vault holds.
pub fn run(findings: &mut [Finding], vault: &Vault, opts: &VerifyOptions) {
    run_with(findings, vault, opts, &std::thread::sleep)
}

/// `run`, with the waits of rate limiting going through `sleep` (tests pass a clock that
/// records instead of sleeping).
pub fn run_with(
    findings: &mut [Finding],
    vault: &Vault,
    opts: &VerifyOptions,
    sleep: &(dyn Fn(Duration) + Sync),
) {
    let input_of = |f: &Finding| {
        f.suppression
            .is_none()
            .then_some(f.secret_id)
            .flatten()
            .and_then(|id| vault.verify_input(id))
    };
    // Distinct (org, token) pairs, in first-seen order.
    let mut pairs: Vec<(String, String)> = Vec::new();
    for f in findings.iter() {
        if let Some(input) = input_of(f) {
            for org in orgs_for(&input, opts) {
                let pair = (org, input.token.clone());
                if !pairs.contains(&pair) {
                    pairs.push(pair);
                }
            }
        }
    }
    let results: Mutex<HashMap<(String, String), Verification>> = Mutex::new(HashMap::new());
    let next = Mutex::new(0usize);
    let agents = okta::Agents::new(opts.timeout);
    std::thread::scope(|s| {
        for _ in 0..opts.concurrency.clamp(1, pairs.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap_or_else(|p| p.into_inner());
                        *n += 1;
                        *n - 1
                    };
                    let Some((org, token)) = pairs.get(i) else {
                        break;
                    };
                    let v = okta::check(&agents, org, token, sleep);
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert((org.clone(), token.clone()), v);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    for f in findings.iter_mut() {
        let Some(input) = input_of(f) else {
            continue;
        };
        let answers: Vec<&Verification> = orgs_for(&input, opts)
            .into_iter()
            .filter_map(|org| results.get(&(org, input.token.clone())))
            .collect();
        f.verification = Some(combine(&answers));
    }
}

fn orgs_for(input: &VerifyInput, opts: &VerifyOptions) -> Vec<String> {
    let mut orgs = opts.orgs.clone();
    for o in &input.discovered_orgs {
        if !orgs.contains(o) {
            orgs.push(o.clone());
        }
    }
    orgs
}

/// Live if any org says so; invalid only if every org says so; otherwise unknown.
fn combine(answers: &[&Verification]) -> Verification {
    if let Some(live) = answers.iter().find(|v| v.status == Status::Live) {
        return (*live).clone();
    }
    if !answers.is_empty() && answers.iter().all(|v| v.status == Status::Invalid) {
        return answers[0].clone();
    }
    match answers.iter().find(|v| v.status == Status::Unknown) {
        Some(u) => (*u).clone(),
        None => Verification {
            status: Status::Unknown,
            org: None,
            reason: Some(
                "no org: pass --okta-org https://<org>.okta.com (or set OKTA_ORG_URL); only Okta-hosted orgs found next to a token are contacted automatically".into(),
            ),
        },
    }
}
