//! `--verify`: asks the issuer of each found credential whether it is live. Off unless
//! requested; each distinct (org, credential) pair is asked once per run, a few at a time,
//! within the run's budget of requests and rate-limit waiting. The verifier is chosen by
//! the credential's kind; where a credential may be sent is `okta::Destinations`' call.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::credential::{Credential, Found};
use crate::finding::{Finding, Status, Verification};
use crate::okta::{Budget, Client, Destinations, OverBudget};

pub use crate::okta::BUDGET_EXHAUSTED;
use crate::vault::Vault;

/// `--verify-max-requests`: a real leak is a handful of tokens, so hundreds of pairs are
/// fixtures or a tree built to make the scan hammer an org. 200 stays under one minute of
/// what paid Okta plans allow `GET /api/v1/users/{idOrLogin}` (300 and up), a limit the
/// org's own integrations share.
pub const DEFAULT_MAX_REQUESTS: u32 = 200;
/// `--verify-max-wait`, in seconds: Okta's rate-limit windows are a minute, so the run can
/// sit out one reset and adds at most a minute to a CI job.
pub const DEFAULT_MAX_WAIT_SECS: u64 = 60;

pub struct VerifyOptions {
    /// Where credentials may be sent.
    pub destinations: Destinations,
    pub timeout: Duration,
    pub concurrency: usize,
    /// Requests in the whole run, retries included.
    pub max_requests: u32,
    /// Rate-limit waiting in the whole run, summed over the threads.
    pub max_wait: Duration,
}

/// Sets `verification` on every unsuppressed finding whose credential the vault holds.
/// Returns the run's warning when the budget left findings unchecked.
pub fn run(findings: &mut [Finding], vault: &Vault, opts: &VerifyOptions) -> Option<String> {
    run_with(findings, vault, opts, &std::thread::sleep)
}

type Pair = (String, Credential);

/// `run`, with the waits of rate limiting going through `sleep` (tests pass a clock that
/// records instead of sleeping). Pairs are asked in the order of `findings`, so a sorted
/// report spends a short budget on the same findings every run.
pub fn run_with(
    findings: &mut [Finding],
    vault: &Vault,
    opts: &VerifyOptions,
    sleep: &(dyn Fn(Duration) + Sync),
) -> Option<String> {
    let found_of = |f: &Finding| -> Option<Found> {
        f.suppression
            .is_none()
            .then_some(f.secret_id)
            .flatten()
            .and_then(|id| vault.found(id))
    };
    // Distinct (org, credential) pairs, in first-seen order.
    let mut pairs: Vec<Pair> = Vec::new();
    for found in findings.iter().filter_map(found_of) {
        for org in opts.destinations.for_found(&found) {
            let pair = (org, found.credential.clone());
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
    let client = Client::new(opts.timeout, Budget::new(opts.max_requests, opts.max_wait));
    let checked = in_parallel(&pairs, opts.concurrency, |(org, credential)| {
        check(&client, org, credential, sleep)
    });
    let mut results: HashMap<Pair, Result<Verification, OverBudget>> =
        pairs.iter().cloned().zip(checked).collect();
    // What live tokens can do, once every status is known: a short budget goes to the
    // statuses first.
    let live: Vec<(Pair, Verification)> = results
        .iter()
        .filter_map(|(pair, v)| match (v, &pair.1) {
            (Ok(v), Credential::ApiToken { .. }) if v.status == Status::Live => {
                Some((pair.clone(), v.clone()))
            }
            _ => None,
        })
        .collect();
    let completed = in_parallel(&live, opts.concurrency, |((org, credential), v)| {
        let mut v = v.clone();
        if let Credential::ApiToken { token } = credential {
            client.complete_exposure(org, token, &mut v, sleep);
        }
        v
    });
    for ((pair, _), v) in live.into_iter().zip(completed) {
        results.insert(pair, Ok(v));
    }
    let mut unchecked = 0;
    for f in findings.iter_mut() {
        let Some(found) = found_of(f) else {
            continue;
        };
        let mut answers = Vec::new();
        let mut over = None;
        for org in opts.destinations.for_found(&found) {
            match results.get(&(org.clone(), found.credential.clone())) {
                Some(Ok(v)) => answers.push(v),
                Some(Err(o)) => {
                    over.get_or_insert((org, *o));
                }
                None => {}
            }
        }
        let verdict = combine(&answers);
        // An org that was never asked could have said live, so only a live answer
        // outranks the budget.
        f.verification = Some(match over {
            Some((org, o)) if verdict.status != Status::Live => {
                unchecked += 1;
                client.budget().verdict(&org, o)
            }
            _ => verdict,
        });
    }
    client.budget().warning(unchecked)
}

/// `f` of every item, on up to `threads` threads taking the items in order; the answers
/// in the items' order.
pub fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let answers: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    let next = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, items.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap_or_else(|p| p.into_inner());
                        *n += 1;
                        *n - 1
                    };
                    let Some(item) = items.get(i) else {
                        break;
                    };
                    let answer = f(item);
                    answers.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(answer);
                }
            });
        }
    });
    answers
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .map(|a| a.expect("every item is answered"))
        .collect()
}

/// The verifier of `credential`'s kind.
fn check(
    client: &Client,
    org: &str,
    credential: &Credential,
    sleep: &dyn Fn(Duration),
) -> Result<Verification, OverBudget> {
    match credential {
        Credential::ApiToken { token } => client.api_token_status(org, token, sleep),
        Credential::ClientSecret {
            client_id: Some(id),
            secret,
        } => client.client_secret_status(org, id, secret, sleep),
        Credential::PrivateKey {
            client_id: Some(id),
            key_id,
            key,
        } => client.private_key_status(org, id, key, key_id.as_deref(), sleep),
        Credential::ClientSecret {
            client_id: None, ..
        }
        | Credential::PrivateKey {
            client_id: None, ..
        } => Ok(Verification::new(
            Status::Unknown,
            Some(org.to_string()),
            Some("no Okta client id (0oa…) found near it: nothing to ask the org with".into()),
        )),
        other => Ok(Verification::new(
            Status::Unknown,
            Some(org.to_string()),
            Some(format!(
                "no live check for {} credentials yet",
                other.kind().as_str()
            )),
        )),
    }
}

/// Whether the budget ran out before `f` was checked: nothing is known about it.
pub fn unchecked(f: &Finding) -> bool {
    f.verification.as_ref().is_some_and(|v| {
        v.status == Status::Unknown
            && v.reason
                .as_deref()
                .is_some_and(|r| r.starts_with(BUDGET_EXHAUSTED))
    })
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
        None => Verification::new(Status::Unknown, None, Some(
                "no org: pass --okta-org https://<org>.okta.com (or set OKTA_ORG_URL); only Okta-hosted orgs found next to a token are contacted automatically".into(),
            )),
    }
}
