//! `--verify`: asks the Okta org a token belongs to whether the token is live. Off unless
//! requested; each distinct (org, token) pair is asked once per run, a few at a time,
//! within a per-run budget of requests and of rate-limit waiting.

mod okta;
pub mod orgs;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::finding::{Finding, Status, Verification};
use crate::vault::{Vault, VerifyInput};

/// `--verify-max-requests`: a real leak is a handful of tokens, so hundreds of pairs are
/// fixtures or a tree built to make the scan hammer an org. 200 stays under one minute of
/// what paid Okta plans allow `GET /api/v1/users/{idOrLogin}` (300 and up), a limit the
/// org's own integrations share.
pub const DEFAULT_MAX_REQUESTS: u32 = 200;
/// `--verify-max-wait`, in seconds: Okta's rate-limit windows are a minute, so the run can
/// sit out one reset and adds at most a minute to a CI job.
pub const DEFAULT_MAX_WAIT_SECS: u64 = 60;
/// How every reason of a pair left unchecked by the budget begins: JSON consumers match on
/// it (the status stays `unknown`: nothing was learned about the token).
pub const BUDGET_EXHAUSTED: &str = "budget exhausted";

pub struct VerifyOptions {
    /// Orgs the user named (`--okta-org`, `OKTA_ORG_URL`, config), normalized.
    pub orgs: Vec<String>,
    pub timeout: Duration,
    pub concurrency: usize,
    /// Requests in the whole run, retries included.
    pub max_requests: u32,
    /// Rate-limit waiting in the whole run, summed over the threads.
    pub max_wait: Duration,
}

/// Sets `verification` on every unsuppressed finding whose token the vault holds. Returns
/// the run's warning when the budget left findings unchecked.
pub fn run(findings: &mut [Finding], vault: &Vault, opts: &VerifyOptions) -> Option<String> {
    run_with(findings, vault, opts, &std::thread::sleep)
}

/// `run`, with the waits of rate limiting going through `sleep` (tests pass a clock that
/// records instead of sleeping). Pairs are asked in the order of `findings`, so a sorted
/// report spends a short budget on the same findings every run.
pub fn run_with(
    findings: &mut [Finding],
    vault: &Vault,
    opts: &VerifyOptions,
    sleep: &(dyn Fn(Duration) + Sync),
) -> Option<String> {
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
    let results: Mutex<HashMap<(String, String), Result<Verification, OverBudget>>> =
        Mutex::new(HashMap::new());
    let next = Mutex::new(0usize);
    let agents = okta::Agents::new(opts.timeout);
    let budget = Budget::new(opts.max_requests, opts.max_wait);
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
                    let v = okta::check(&agents, org, token, &budget, sleep);
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert((org.clone(), token.clone()), v);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut unchecked = 0;
    for f in findings.iter_mut() {
        let Some(input) = input_of(f) else {
            continue;
        };
        let mut answers = Vec::new();
        let mut over = None;
        for org in orgs_for(&input, opts) {
            match results.get(&(org.clone(), input.token.clone())) {
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
                budget.verdict(&org, o)
            }
            _ => verdict,
        });
    }
    budget.warning(unchecked)
}

/// The run's allowance of requests and of rate-limit waiting, shared by the verification
/// threads under one lock so that it holds exactly. Once either runs out it stays out and
/// no further request is made: after a 429 the budget cannot sit out, the org's other
/// pairs would only be refused too, on the org's own rate limit.
struct Budget {
    max_requests: u32,
    max_wait: Duration,
    used: Mutex<Used>,
}

#[derive(Default)]
struct Used {
    requests: u32,
    waited: Duration,
    out: Option<Limit>,
}

/// Which part of the budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    Requests,
    Wait,
}

/// Why a pair got no answer: the budget ran out before it or during its rate limiting.
#[derive(Debug, Clone, Copy)]
struct OverBudget {
    limit: Limit,
    /// The wait a 429 asked of this pair, when it was rate limited.
    asked: Option<Duration>,
}

impl Budget {
    fn new(max_requests: u32, max_wait: Duration) -> Budget {
        Budget {
            max_requests,
            max_wait,
            used: Mutex::default(),
        }
    }

    /// Takes one request, and with `rate_limited` = (asked, slept) the wait before it: a
    /// wait is taken only if the budget covers all the org asked for, since retrying early
    /// only earns another 429.
    fn take(&self, rate_limited: Option<(Duration, Duration)>) -> Result<(), OverBudget> {
        let mut s = self.used.lock().unwrap_or_else(|p| p.into_inner());
        let asked = rate_limited.map(|(asked, _)| asked);
        if s.out.is_none() {
            if s.requests >= self.max_requests {
                s.out = Some(Limit::Requests);
            } else if asked.is_some_and(|a| a > self.max_wait.saturating_sub(s.waited)) {
                s.out = Some(Limit::Wait);
            }
        }
        if let Some(limit) = s.out {
            return Err(OverBudget { limit, asked });
        }
        s.requests += 1;
        if let Some((_, slept)) = rate_limited {
            s.waited += slept;
        }
        Ok(())
    }

    fn verdict(&self, org: &str, o: OverBudget) -> Verification {
        let why = match (o.limit, o.asked) {
            (Limit::Wait, Some(asked)) => format!(
                "rate limited (HTTP 429) for {} s, more than is left of --verify-max-wait {} s",
                asked.as_secs(),
                self.max_wait.as_secs()
            ),
            (limit, Some(_)) => format!(
                "rate limited (HTTP 429), no request left to retry: {}",
                self.exhausted(limit)
            ),
            (limit, None) => format!("not checked, {}", self.exhausted(limit)),
        };
        Verification {
            status: Status::Unknown,
            org: Some(org.to_string()),
            reason: Some(format!("{BUDGET_EXHAUSTED}: {why}")),
        }
    }

    /// What ran out, naming the flag that raises it.
    fn exhausted(&self, limit: Limit) -> String {
        match limit {
            Limit::Requests => format!("--verify-max-requests {} used up", self.max_requests),
            Limit::Wait => format!(
                "a rate limit (HTTP 429) asked for more than is left of --verify-max-wait {} s",
                self.max_wait.as_secs()
            ),
        }
    }

    /// What the run tells the user when `unchecked` findings got no answer.
    fn warning(&self, unchecked: usize) -> Option<String> {
        let limit = self
            .used
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .out
            .filter(|_| unchecked > 0)?;
        let flag = match limit {
            Limit::Requests => "--verify-max-requests",
            Limit::Wait => "--verify-max-wait",
        };
        let (s, them) = if unchecked == 1 {
            ("", "it")
        } else {
            ("s", "them")
        };
        Some(format!(
            "{unchecked} finding{s} not verified: {BUDGET_EXHAUSTED} ({}); raise {flag} to check {them}",
            self.exhausted(limit)
        ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_holds_exactly_across_threads() {
        let budget = Budget::new(250, Duration::ZERO);
        let granted = std::sync::atomic::AtomicU32::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..100 {
                        if budget.take(None).is_ok() {
                            granted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(granted.into_inner(), 250);
        assert!(
            budget
                .warning(1)
                .unwrap()
                .contains("--verify-max-requests 250")
        );
    }

    #[test]
    fn a_wait_the_budget_cannot_cover_closes_it() {
        let secs = Duration::from_secs;
        let budget = Budget::new(10, secs(60));
        assert!(budget.take(None).is_ok());
        // Okta asks for 45 s, 30 s are slept: 30 s are left.
        assert!(budget.take(Some((secs(45), secs(30)))).is_ok());
        let e = budget.take(Some((secs(31), secs(30)))).unwrap_err();
        assert_eq!((e.limit, e.asked), (Limit::Wait, Some(secs(31))));
        // Closed for everyone, even a first request.
        assert_eq!(budget.take(None).unwrap_err().limit, Limit::Wait);
        assert_eq!(budget.warning(0), None);
        let v = budget.verdict("https://acme.okta.com", e);
        assert_eq!(v.status, Status::Unknown);
        assert_eq!(
            v.reason.as_deref(),
            Some(
                "budget exhausted: rate limited (HTTP 429) for 31 s, more than is left of \
                 --verify-max-wait 60 s"
            )
        );
    }
}
