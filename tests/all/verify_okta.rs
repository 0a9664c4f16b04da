//! `--verify` against a real HTTP server on 127.0.0.1 that plays an Okta org.

use crate::common;

use std::collections::HashMap;
use std::fs;
use std::net::TcpListener;
use std::sync::Mutex;
use std::time::Duration;

use common::okta::{Behavior, FakeOkta};
use common::{Gha, Repo, findings, okta_token, scan_json, tokenwarden};
use serde_json::{Value, json};
use tokenwarden::engine::{Engine, ScanPolicy};
use tokenwarden::finding::Status;
use tokenwarden::matcher::Matcher;
use tokenwarden::okta::Destinations;
use tokenwarden::rules::RuleSet;
use tokenwarden::verify::{self, VerifyOptions};

fn header_line(token: &str) -> String {
    format!("curl -H \"Authorization: SSWS {token}\" \"$ORG/api/v1/users\"\n")
}

/// The verification of the finding in `path` (of `rule`, when given).
fn verification_at(json: &Value, path: &str, rule: Option<&str>) -> Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path && rule.is_none_or(|r| f["rule_id"] == r))
        .unwrap_or_else(|| panic!("no finding in {path}: {json:#}"))["verification"]
        .clone()
}

fn status_of(json: &Value, token: &str) -> Value {
    let redacted = format!("{}…", &token[..4]);
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["secret"] == redacted.as_str())
        .unwrap_or_else(|| panic!("no finding {redacted}: {json:#}"));
    f["verification"].clone()
}

#[test]
fn statuses_requests_and_headers() {
    let tokens: Vec<String> = (0..9).map(|i| okta_token(5000 + i)).collect();
    let kinds = [
        Behavior::Live,
        Behavior::Invalid,
        Behavior::Forbidden,
        // Rate limiting is tested through the injectable clock (below), without waiting.
        Behavior::Live,
        Behavior::Slow,
        Behavior::ServerError,
        Behavior::BareUnauthorized,
        Behavior::NotAUser,
        Behavior::BareForbidden,
    ];
    let okta = FakeOkta::start(tokens.iter().cloned().zip(kinds).collect());
    let dir = tempfile::tempdir().unwrap();
    for (i, t) in tokens.iter().enumerate() {
        fs::write(dir.path().join(format!("t{i}.sh")), header_line(t)).unwrap();
    }
    // The live token twice more, in another file: still one request.
    fs::write(
        dir.path().join("again.sh"),
        format!("{}{}", header_line(&tokens[0]), header_line(&tokens[0])),
    )
    .unwrap();

    let (code, json, _) = scan_json(
        dir.path(),
        &["--verify", "--okta-org", &okta.url, "--verify-timeout", "1"],
    );
    assert_eq!(code, 1);
    let by_path = |p: &str| verification_at(&json, p, None);
    assert_eq!(by_path("t0.sh")["status"], "live");
    assert_eq!(by_path("t0.sh")["org"], okta.url.as_str());
    assert_eq!(by_path("t1.sh")["status"], "invalid");
    assert!(
        by_path("t1.sh")["reason"]
            .as_str()
            .unwrap()
            .contains("E0000011")
    );
    assert_eq!(
        by_path("t2.sh")["status"],
        "live",
        "403 means a valid token without permission"
    );
    assert_eq!(by_path("t4.sh")["status"], "unknown");
    assert!(
        by_path("t4.sh")["reason"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{}",
        by_path("t4.sh")
    );
    assert_eq!(by_path("t5.sh")["status"], "unknown");
    assert!(by_path("t5.sh")["reason"].as_str().unwrap().contains("500"));
    // Only Okta's own answers decide: a bare 401/403 or a 200 that is not a user object
    // says nothing about the token.
    for (file, code) in [("t6.sh", "401"), ("t7.sh", "200"), ("t8.sh", "403")] {
        let v = by_path(file);
        assert_eq!(v["status"], "unknown", "{file}: {v}");
        assert!(v["reason"].as_str().unwrap().contains(code), "{file}: {v}");
    }
    let again: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "again.sh")
        .collect();
    assert_eq!(again.len(), 2);
    assert!(again.iter().all(|f| f["verification"]["status"] == "live"));

    for (i, t) in tokens.iter().enumerate() {
        assert_eq!(okta.checks(t), 1, "status checks for token {i}");
    }
    // A status check, then for live tokens what the token can do: nothing else is asked.
    for r in okta.requests() {
        assert!(
            [
                "/api/v1/users/me",
                "/api/v1/users/00u1/roles",
                "/api/v1/api-tokens"
            ]
            .contains(&r.path.as_str()),
            "{}",
            r.path
        );
        assert!(
            r.authorization.starts_with("SSWS 00") && r.authorization.len() == 5 + 42,
            "{}",
            r.authorization
        );
        assert_eq!(r.accept, "application/json");
        assert!(r.user_agent.starts_with("tokenwarden/"), "{}", r.user_agent);
    }
    // Nothing in the report carries a raw token.
    let text = json.to_string();
    assert!(tokens.iter().all(|t| !text.contains(t.as_str())));
}

#[test]
fn hosts_found_next_to_a_token_are_never_contacted_unless_okta_hosted() {
    let token = okta_token(5100);
    let bystander = FakeOkta::start(HashMap::from([(token.clone(), Behavior::Live)]));
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("okta.conf"),
        format!(
            "orgUrl: {}\nother: https://evil.example.com\nAuthorization: SSWS {token}\n",
            bystander.url.replace("http://", "https://")
        ),
    )
    .unwrap();
    fs::write(
        dir.path().join("plain.conf"),
        format!("orgUrl: {}\n{}", bystander.url, header_line(&token)),
    )
    .unwrap();
    let (code, json, _) = scan_json(dir.path(), &["--verify", "--verify-timeout", "1"]);
    assert_eq!(code, 1);
    assert_eq!(
        bystander.requests().len(),
        0,
        "a loopback host written in a file was contacted"
    );
    for f in json["findings"].as_array().unwrap() {
        assert_eq!(f["verification"]["status"], "unknown");
        assert!(
            f["verification"]["reason"]
                .as_str()
                .unwrap()
                .contains("no org"),
            "{f}"
        );
    }
}

#[test]
fn only_live_closed_port_and_sarif() {
    let live = okta_token(5200);
    let dead = okta_token(5201);
    let okta = FakeOkta::start(HashMap::from([
        (live.clone(), Behavior::Live),
        (dead.clone(), Behavior::Invalid),
    ]));
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.sh"), header_line(&live)).unwrap();
    fs::write(dir.path().join("b.sh"), header_line(&dead)).unwrap();

    let (code, json, _) = scan_json(dir.path(), &["--only-live", "--okta-org", &okta.url]);
    assert_eq!(code, 1);
    let f = json["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["path"], "a.sh");

    // Only invalid tokens: nothing left to report.
    fs::remove_file(dir.path().join("a.sh")).unwrap();
    let (code, json, _) = scan_json(dir.path(), &["--only-live", "--okta-org", &okta.url]);
    assert_eq!((code, json["findings"].as_array().unwrap().len()), (0, 0));

    // A closed port: unknown, with the reason.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let (_, json, _) = scan_json(dir.path(), &["--verify", "--okta-org", &closed]);
    let v = status_of(&json, &dead);
    assert_eq!(v["status"], "unknown");
    assert!(
        v["reason"].as_str().unwrap().contains("network error"),
        "{v}"
    );

    // SARIF: a live token is an error-level result whose message leads with revocation.
    fs::write(dir.path().join("a.sh"), header_line(&live)).unwrap();
    let out = tokenwarden(
        dir.path(),
        &[
            "scan",
            "--format",
            "sarif",
            "--verify",
            "--okta-org",
            &okta.url,
            ".",
        ],
    );
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["properties"]["verification"]["status"] == "live")
        .unwrap();
    assert_eq!(r["level"], "error");
    let msg = r["message"]["text"].as_str().unwrap();
    assert!(
        msg.starts_with("This token is live: revoke it now."),
        "{msg}"
    );
    assert!(msg.contains("Security → API → Tokens") && msg.contains("private_key_jwt"));
    assert!(!sarif.to_string().contains(&live));
}

#[test]
fn org_urls_are_validated_before_scanning() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["http://10.1.2.3", "ftp://acme.okta.com", "acme.okta.com"] {
        let out = tokenwarden(dir.path(), &["scan", "--verify", "--okta-org", bad, "."]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--okta-org"));
    }
    // Without --verify the org is unused: said, and the scan goes on.
    let out = tokenwarden(
        dir.path(),
        &["scan", "--okta-org", "https://acme.okta.com", "."],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--okta-org is used only with --verify or --only-live")
    );
}

/// A rule file that verifies: what a hostile `.tokenwarden.toml` would load to make
/// `--verify` send whatever it matches to an org.
fn verifying_rule() -> String {
    fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/okta-api-token.toml"
    ))
    .unwrap()
    .replacen("id = \"okta-api-token\"", "id = \"harvest\"", 1)
}

fn env_file(token: &str) -> String {
    format!("OKTA_API_TOKEN={token}\n")
}

#[test]
fn a_config_inside_the_scanned_tree_never_chooses_where_tokens_go() {
    let token = okta_token(5300);
    let okta = FakeOkta::start(HashMap::from([(token.clone(), Behavior::Live)]));
    let trap = format!("[verify]\norgs = [\"{}\"]\n", okta.url);

    // scan --verify
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(".tokenwarden.toml"), &trap).unwrap();
    fs::write(dir.path().join("app.env"), env_file(&token)).unwrap();
    let (code, json, stderr) = scan_json(dir.path(), &["--verify", "--verify-timeout", "1"]);
    assert_eq!(code, 1);
    assert_eq!(
        okta.requests().len(),
        0,
        "scan --verify used the tree's orgs"
    );
    assert!(stderr.contains("ignoring [verify] orgs"), "{stderr}");
    assert!(
        stderr.contains("--okta-org"),
        "the warning says what to do: {stderr}"
    );
    assert_eq!(status_of(&json, &token)["status"], "unknown");

    // history --verify and --range --verify
    let repo = common::Repo::new();
    repo.write("README.md", "x\n");
    let base = repo.commit_all("base");
    repo.write(".tokenwarden.toml", &trap);
    repo.write("app.env", &env_file(&token));
    let head = repo.commit_all("add");
    for args in [
        vec!["history", "--verify", "--verify-timeout", "1", "."],
        vec![
            "history",
            "--verify",
            "--range",
            &format!("{base}..{head}"),
            ".",
        ],
    ] {
        let out = repo.tw(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(okta.requests().len(), 0, "{args:?} used the tree's orgs");
    }

    // github-action --verify on a pull request
    let gha = common::Gha::new();
    let event = serde_json::json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}});
    let run = gha.run(&repo.path, "pull_request", &event, &["--verify"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        okta.requests().len(),
        0,
        "github-action used the tree's orgs"
    );

    // The same file named on the command line is the user's choice: honoured.
    let (code, json, _) = scan_json(dir.path(), &["--verify", "--config", ".tokenwarden.toml"]);
    assert_eq!(code, 1);
    assert_eq!(status_of(&json, &token)["status"], "live");
    assert_eq!(okta.checks(&token), 1);
}

#[test]
fn rules_from_the_scanned_tree_may_not_verify() {
    let token = okta_token(5400);
    let okta = FakeOkta::start(HashMap::from([(token.clone(), Behavior::Live)]));
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("myrules")).unwrap();
    fs::write(dir.path().join("myrules/harvest.toml"), verifying_rule()).unwrap();
    fs::write(
        dir.path().join(".tokenwarden.toml"),
        "rules = [\"myrules\"]\n",
    )
    .unwrap();
    fs::write(dir.path().join("app.env"), env_file(&token)).unwrap();
    let out = tokenwarden(
        dir.path(),
        &["scan", "--verify", "--okta-org", &okta.url, "."],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("harvest.toml") && stderr.contains("verify"),
        "{stderr}"
    );
    assert_eq!(okta.requests().len(), 0);

    // Named on the command line, the same rules are the user's: they load and verify.
    // (Only app.env is scanned: the rule file's own examples would be verified too.)
    fs::remove_file(dir.path().join(".tokenwarden.toml")).unwrap();
    let out = tokenwarden(
        dir.path(),
        &[
            "scan",
            "--rules",
            "myrules",
            "--verify",
            "--okta-org",
            &okta.url,
            "app.env",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(okta.checks(&token), 1, "one status check per (org, token)");
}

#[test]
fn loopback_orgs_never_go_through_a_proxy() {
    let token = okta_token(5500);
    let okta = FakeOkta::start(HashMap::from([(token.clone(), Behavior::Live)]));
    // A "proxy" that records whatever reaches it and answers nothing useful.
    let proxy = FakeOkta::start(HashMap::new());
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("app.env"), env_file(&token)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tokenwarden"))
        .args([
            "scan",
            "--format",
            "json",
            "--verify",
            "--okta-org",
            &okta.url,
            ".",
        ])
        .current_dir(dir.path())
        .env("HTTP_PROXY", &proxy.url)
        .env("http_proxy", &proxy.url)
        .env("HTTPS_PROXY", &proxy.url)
        .env("ALL_PROXY", &proxy.url)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status_of(&json, &token)["status"], "live");
    assert_eq!(okta.checks(&token), 1);
    assert_eq!(
        proxy.requests().len(),
        0,
        "the SSWS header went through a proxy"
    );
}

#[test]
fn org_urls_with_credentials_query_or_fragment_are_refused_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let password = "Pw0rdThatMustNotLeak9";
    let with_password = format!("https://admin:{password}@acme.okta.com");
    for bad in [
        with_password.as_str(),
        "https://acme.okta.com/?api_token=abc",
        "https://acme.okta.com/#x",
    ] {
        let out = tokenwarden(dir.path(), &["scan", "--verify", "--okta-org", bad, "."]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("--okta-org"), "{stderr}");
        assert!(
            !stderr.contains(password) && !stderr.contains("acme"),
            "{stderr}"
        );
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tokenwarden"))
        .args(["scan", "--verify", "."])
        .current_dir(dir.path())
        .env("OKTA_ORG_URL", &with_password)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("OKTA_ORG_URL") && !stderr.contains(password),
        "{stderr}"
    );
}

/// The findings of `text` (as a file `a.sh`), with the engine whose vault holds their
/// tokens for `verify::run_with`.
fn scanned(text: &str) -> (Engine, Vec<tokenwarden::finding::Finding>) {
    let engine = Engine::new(
        Matcher::new(RuleSet::load(&[] as &[&std::path::Path]).unwrap()),
        true,
        true,
    );
    let findings = engine.scan_blob(&ScanPolicy::default(), "a.sh", text.as_bytes());
    (engine, findings)
}

/// One org, the default budget.
fn options(org: &str, concurrency: usize) -> VerifyOptions {
    VerifyOptions {
        destinations: Destinations::named([(org, "test")]).unwrap(),
        timeout: Duration::from_secs(5),
        concurrency,
        max_requests: verify::DEFAULT_MAX_REQUESTS,
        max_wait: Duration::from_secs(verify::DEFAULT_MAX_WAIT_SECS),
    }
}

/// Verifies the findings of `tokens` (each with `behavior` at one fake org) on `threads`
/// threads, with the sleeps recorded instead of slept: (findings, warning, waits, org).
fn verify_with_clock(
    tokens: &[String],
    behavior: Behavior,
    threads: usize,
) -> (
    Vec<tokenwarden::finding::Finding>,
    Option<String>,
    Vec<Duration>,
    FakeOkta,
) {
    let okta = FakeOkta::start(tokens.iter().map(|t| (t.clone(), behavior)).collect());
    let text: String = tokens.iter().map(|t| header_line(t)).collect();
    let (engine, mut findings) = scanned(&text);
    assert_eq!(findings.len(), tokens.len());
    let waits = Mutex::new(Vec::new());
    let warning = verify::run_with(
        &mut findings,
        engine.vault(),
        &options(&okta.url, threads),
        &|d| waits.lock().unwrap().push(d),
    );
    (findings, warning, waits.into_inner().unwrap(), okta)
}

#[test]
fn rate_limits_wait_through_the_injectable_clock_then_retry() {
    let token = okta_token(5600);
    let (findings, warning, waits, okta) =
        verify_with_clock(std::slice::from_ref(&token), Behavior::RateLimitedOnce, 1);
    assert_eq!(warning, None);
    let v = findings[0].verification.as_ref().unwrap();
    assert_eq!(v.status, Status::Live, "{v:?}");
    assert_eq!(okta.checks(&token), 2, "one 429, then the retry");
    assert_eq!(waits.len(), 1);
    // X-Rate-Limit-Reset is a second ahead: at least 1 s, at most the 30 s cap.
    assert!(waits[0] >= Duration::from_secs(1) && waits[0] <= Duration::from_secs(30));
}

/// The Action's `config` input may name a config inside the checkout. In a pull request
/// that file is the pull request's: what it trusts (orgs, rules that verify) comes from the
/// base revision, so an edit to it cannot send this or later tokens elsewhere.
#[test]
fn an_in_tree_config_trusts_only_what_the_base_revision_trusted() {
    let token = okta_token(5450);
    let okta = FakeOkta::start(HashMap::from([(token.clone(), Behavior::Live)]));
    let attacker = FakeOkta::start(HashMap::from([(token.clone(), Behavior::Live)]));
    let repo = Repo::new();
    let config = |org: &str| format!("[verify]\norgs = [\"{org}\"]\n");
    repo.write(".github/tokenwarden.toml", &config(&okta.url));
    let base = repo.commit_all("base");
    repo.write(".github/tokenwarden.toml", &config(&attacker.url));
    repo.write("app.env", &env_file(&token));
    let head = repo.commit_all("add");
    let event = json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}});
    let gha = Gha::new();
    let args = ["--config", ".github/tokenwarden.toml", "--verify"];
    let run = gha.run(&repo.path, "pull_request", &event, &args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        attacker.requests().len(),
        0,
        "the pull request's org was contacted"
    );
    assert_eq!(okta.checks(&token), 1, "the base revision's org is asked");
    assert!(
        run.summary
            .contains("this change edits what .github/tokenwarden.toml trusts"),
        "{}",
        run.summary
    );

    // A verifying rule the pull request adds through that config is the pull request's
    // own: refused, nothing sent.
    repo.write(
        ".github/tokenwarden.toml",
        &format!("rules = [\"rules\"]\n{}", config(&okta.url)),
    );
    repo.write(".github/rules/harvest.toml", &verifying_rule());
    let head = repo.commit_all("rules");
    let event = json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}});
    let run = gha.run(&repo.path, "pull_request", &event, &args);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("harvest.toml"), "{}", run.stderr);
    assert_eq!(okta.checks(&token), 1);

    // Outside a change (a scheduled run over the whole history), the named file is trusted
    // as it is: the orgs it names are asked. (A repository of its own: the rule file above
    // names Okta-hosted orgs next to tokens, which a history scan would contact.)
    let repo = Repo::new();
    repo.write(".github/tokenwarden.toml", &config(&okta.url));
    repo.write("app.env", &env_file(&token));
    repo.commit_all("one");
    let run = gha.run(&repo.path, "schedule", &json!({}), &args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.summary.contains("trusts"), "{}", run.summary);
    assert_eq!(okta.checks(&token), 2);
}

fn is_over_budget(v: &Value) -> bool {
    v["status"] == "unknown"
        && v["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with(verify::BUDGET_EXHAUSTED))
}

#[test]
fn the_request_budget_is_exact_and_what_it_leaves_is_reported_budget_exhausted() {
    let tokens: Vec<String> = (0..12).map(|i| okta_token(5700 + i)).collect();
    let okta = FakeOkta::start(tokens.iter().map(|t| (t.clone(), Behavior::Live)).collect());
    let dir = tempfile::tempdir().unwrap();
    for (i, t) in tokens.iter().enumerate() {
        fs::write(dir.path().join(format!("t{i:02}.sh")), header_line(t)).unwrap();
    }
    // 4 threads (the default) share the 5 requests.
    let (code, json, stderr) = scan_json(
        dir.path(),
        &[
            "--verify",
            "--okta-org",
            &okta.url,
            "--verify-max-requests",
            "5",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(okta.requests().len(), 5, "requests made");
    let findings = common::findings(&json);
    let over: Vec<&Value> = findings
        .iter()
        .filter(|f| is_over_budget(&f["verification"]))
        .collect();
    assert_eq!(over.len(), 7, "{json:#}");
    assert_eq!(
        findings
            .iter()
            .filter(|f| f["verification"]["status"] == "live")
            .count(),
        5
    );
    let reason = over[0]["verification"]["reason"].as_str().unwrap();
    assert!(reason.contains("--verify-max-requests 5"), "{reason}");
    let warning = "7 findings not verified: budget exhausted";
    assert!(
        stderr.contains(warning) && stderr.contains("raise --verify-max-requests"),
        "{stderr}"
    );
    assert!(
        json["stats"]["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with(warning),
        "{json:#}"
    );

    // One at a time, the budget goes to the first findings of the report, every run.
    let (_, json, _) = scan_json(
        dir.path(),
        &[
            "--verify",
            "--okta-org",
            &okta.url,
            "--verify-max-requests",
            "5",
            "--verify-concurrency",
            "1",
        ],
    );
    let checked: Vec<bool> = common::findings(&json)
        .iter()
        .map(|f| f["verification"]["status"] == "live")
        .collect();
    assert_eq!(checked, [[true; 5].as_slice(), &[false; 7]].concat());

    // --only-live keeps the unchecked: padding a tree with junk tokens ahead of a real one
    // must not push the real one out of the report.
    let (code, json, stderr) = scan_json(
        dir.path(),
        &[
            "--only-live",
            "--okta-org",
            &okta.url,
            "--verify-max-requests",
            "5",
        ],
    );
    assert_eq!(code, 1);
    let kept = common::findings(&json);
    assert_eq!(kept.len(), 12);
    assert_eq!(
        kept.iter()
            .filter(|f| is_over_budget(&f["verification"]))
            .count(),
        7
    );
    assert!(stderr.contains(warning), "{stderr}");
}

#[test]
fn budget_exhausted_shows_in_text_sarif_and_the_github_job() {
    let tokens: Vec<String> = (0..3).map(|i| okta_token(5800 + i)).collect();
    let okta = FakeOkta::start(
        tokens
            .iter()
            .map(|t| (t.clone(), Behavior::Invalid))
            .collect(),
    );
    let budget = [
        "--verify",
        "--okta-org",
        &okta.url,
        "--verify-max-requests",
        "1",
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, t) in tokens.iter().enumerate() {
        fs::write(dir.path().join(format!("t{i}.sh")), header_line(t)).unwrap();
    }

    let out = tokenwarden(dir.path(), &[&["scan"], budget.as_slice(), &["."]].concat());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.matches("unverified: budget exhausted: not checked")
            .count(),
        2,
        "{text}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: 2 findings not verified"),
        "{stderr}"
    );

    let out = tokenwarden(
        dir.path(),
        &[&["scan", "--format", "sarif"], budget.as_slice(), &["."]].concat(),
    );
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let over = results
        .iter()
        .filter(|r| is_over_budget(&r["properties"]["verification"]))
        .count();
    assert_eq!(over, 2, "{sarif:#}");
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].to_string();
    assert!(notes.contains("2 findings not verified"), "{notes}");
    assert!(common::sarif_schema_errors(&sarif).is_empty());

    let repo = common::Repo::new();
    for (i, t) in tokens.iter().enumerate() {
        repo.write(&format!("t{i}.sh"), &header_line(t));
    }
    repo.commit_all("add");
    let gha = common::Gha::new();
    let run = gha.run(
        &repo.path,
        "workflow_dispatch",
        &serde_json::json!({}),
        &budget,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let annotations = run
        .stdout
        .lines()
        .filter(|l| l.contains("Verification: unverified: budget exhausted"))
        .count();
    assert_eq!(annotations, 2, "{}", run.stdout);
    assert_eq!(
        run.summary.matches("unverified: budget exhausted").count(),
        2,
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("2 findings not verified"),
        "{}",
        run.summary
    );
}

#[test]
fn a_rate_limit_longer_than_the_wait_budget_is_not_waited_for() {
    let tokens: Vec<String> = (0..6).map(|i| okta_token(5900 + i)).collect();
    let (findings, warning, waits, okta) =
        verify_with_clock(&tokens, Behavior::RateLimited(9999), 1);
    assert_eq!(waits, [], "no sleep at all");
    assert_eq!(okta.requests().len(), 1, "nothing asked after the 429");
    let reasons: Vec<&str> = findings
        .iter()
        .map(|f| {
            let v = f.verification.as_ref().unwrap();
            assert_eq!(v.status, Status::Unknown);
            v.reason.as_deref().unwrap()
        })
        .collect();
    assert!(
        reasons
            .iter()
            .all(|r| r.starts_with(verify::BUDGET_EXHAUSTED)),
        "{reasons:?}"
    );
    assert!(
        reasons[0].contains("9999 s") && reasons[0].contains("--verify-max-wait 60"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("not checked"), "{reasons:?}");
    let warning = warning.unwrap();
    assert!(
        warning.starts_with("6 findings not verified")
            && warning.contains("raise --verify-max-wait"),
        "{warning}"
    );
}

#[test]
fn rate_limit_waits_add_up_to_the_wait_budget_and_no_more() {
    let tokens: Vec<String> = (0..3).map(|i| okta_token(6000 + i)).collect();
    // Several threads, one budget.
    let (findings, _, waits, okta) = verify_with_clock(&tokens, Behavior::RateLimited(20), 3);
    assert_eq!(
        waits.iter().sum::<Duration>(),
        Duration::from_secs(verify::DEFAULT_MAX_WAIT_SECS),
        "{waits:?}"
    );
    // Each wait buys one retry, on top of the first request of each pair that got one.
    let first_requests = okta.requests().len() - waits.len();
    assert!((1..=3).contains(&first_requests), "{waits:?}");
    assert!(
        findings
            .iter()
            .all(|f| f.verification.as_ref().unwrap().status == Status::Unknown)
    );
}

#[test]
fn verification_budget_flags_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        ["--verify-max-requests", "0"],
        ["--verify-max-requests", "lots"],
        ["--verify-max-requests", "100001"],
        ["--verify-max-wait", "3601"],
        ["--verify-max-wait", "1m"],
        ["--verify-max-wait", "-1"],
    ] {
        let out = tokenwarden(
            dir.path(),
            &[&["scan", "--verify"], bad.as_slice(), &["."]].concat(),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            stderr.contains("--verify-max-") || stderr.contains("-1"),
            "{bad:?}: {stderr}"
        );
    }
}

/// A client secret is checked with a client credentials grant at the org's token
/// endpoint, for the client id found next to it: live, invalid, or unknown without one.
#[test]
fn client_secrets_are_checked_with_a_client_credentials_grant() {
    let live = "Lk2Vb8Nq4Rz7Tw1Ys5Xp9Cd3Fg6Hj0MaQeWuIoPlKjHgFdSaZxCvBnM1q2W3e4R";
    let dead = "Dq7Wm2Xn5Bv8Cz1La4Ks6Jd9Hf3Gg0PoIuYtReWqAsDfGhJkLzXcVbNm9o8I7u6";
    let okta = FakeOkta::builder()
        .client("0oa1abcdefghijklmnop", live)
        .client("0oa2abcdefghijklmnop", "another-secret-it-does-not-match")
        .start();
    let dir = tempfile::tempdir().unwrap();
    let env = |id: Option<&str>, secret: &str| {
        format!(
            "{}OKTA_CLIENT_SECRET={secret}\n",
            id.map(|i| format!("OKTA_CLIENT_ID={i}\n"))
                .unwrap_or_default()
        )
    };
    fs::write(
        dir.path().join("live.env"),
        env(Some("0oa1abcdefghijklmnop"), live),
    )
    .unwrap();
    fs::write(
        dir.path().join("dead.env"),
        env(Some("0oa2abcdefghijklmnop"), dead),
    )
    .unwrap();
    fs::write(dir.path().join("okta-noid.env"), env(None, live)).unwrap();
    let (code, json, _) = scan_json(
        dir.path(),
        &["--verify", "--okta-org", &okta.url, "--verify-timeout", "2"],
    );
    assert_eq!(code, 1);
    let by_path = |p: &str| verification_at(&json, p, None);
    assert_eq!(by_path("live.env")["status"], "live", "{json:#}");
    assert_eq!(by_path("dead.env")["status"], "invalid", "{json:#}");
    let unknown = by_path("okta-noid.env");
    assert_eq!(unknown["status"], "unknown");
    assert!(unknown["reason"].as_str().unwrap().contains("client id"));
    // The access token the org granted is nowhere in the report.
    assert!(
        !json.to_string().contains("access_token\":\"ey"),
        "{json:#}"
    );
    assert!(!json.to_string().contains(live), "the secret is redacted");
}

/// A private key is checked by signing a client assertion (private_key_jwt, ES256) for the
/// client id next to it: the fake org verifies it with the app's registered public key.
#[test]
fn private_keys_are_checked_with_a_signed_client_assertion() {
    use base64::Engine as _;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    let rng = ring::rand::SystemRandom::new();
    let key = || EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let (registered, unregistered) = (key(), key());
    let public =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, registered.as_ref(), &rng)
            .unwrap()
            .public_key()
            .as_ref()
            .to_vec();
    let okta = FakeOkta::builder()
        .client_key("0oa1abcdefghijklmnop", &public)
        .client_key("0oa2abcdefghijklmnop", &public)
        .start();
    let pem = |der: &[u8]| {
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----")
    };
    let env = |id: Option<&str>, der: &[u8]| {
        format!(
            "OKTA_CLIENT_AUTHORIZATIONMODE=PrivateKey\n{}OKTA_CLIENT_PRIVATEKEY=\"{}\"\n",
            id.map(|i| format!("OKTA_CLIENT_CLIENTID={i}\n"))
                .unwrap_or_default(),
            pem(der)
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| fs::write(dir.path().join(name), text).unwrap();
    write(
        "live.env",
        env(Some("0oa1abcdefghijklmnop"), registered.as_ref()),
    );
    write(
        "dead.env",
        env(Some("0oa2abcdefghijklmnop"), unregistered.as_ref()),
    );
    write("noid.env", env(None, registered.as_ref()));
    // The same keys as JWKs (a JWKS file next to the app's client id): `d`, `x`, `y` read
    // out of ring's fixed P-256 PKCS#8 layout.
    let jwk = |id: &str, der: &[u8]| {
        assert_eq!(der[34..36], [0x04, 0x20], "ring's PKCS#8 layout");
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let point = &der[der.len() - 64..];
        let key = serde_json::json!({"kty": "EC", "crv": "P-256", "use": "sig",
            "x": b64(&point[..32]), "y": b64(&point[32..]), "d": b64(&der[36..68])});
        serde_json::json!({"client_id": id, "jwks": {"keys": [key]}}).to_string()
    };
    write(
        "live.jwks.json",
        jwk("0oa1abcdefghijklmnop", registered.as_ref()),
    );
    write(
        "dead.jwks.json",
        jwk("0oa2abcdefghijklmnop", unregistered.as_ref()),
    );
    let (code, json, _) = scan_json(
        dir.path(),
        &["--verify", "--okta-org", &okta.url, "--verify-timeout", "2"],
    );
    assert_eq!(code, 1);
    let by_path = |p: &str| verification_at(&json, p, Some("okta-private-key"));
    assert_eq!(by_path("live.env")["status"], "live", "{json:#}");
    assert_eq!(by_path("dead.env")["status"], "invalid", "{json:#}");
    assert_eq!(by_path("noid.env")["status"], "unknown", "{json:#}");
    assert_eq!(by_path("live.jwks.json")["status"], "live", "{json:#}");
    assert_eq!(by_path("dead.jwks.json")["status"], "invalid", "{json:#}");
    // Both forms of the registered key are named by the same public key.
    let shown = |p: &str| {
        let f = findings(&json);
        let f = f.iter().find(|f| f["path"] == p).unwrap();
        f["secret"]
            .as_str()
            .unwrap()
            .rsplit_once(':')
            .unwrap()
            .1
            .to_string()
    };
    assert_eq!(shown("live.env"), shown("live.jwks.json"));
}

/// A JWK on one line: its other private members (`p`, `q`, `dp`, `dq`, `qi`) each give
/// the key away, and no output shows them, even where the JWK is no usable key.
#[test]
fn a_jwks_private_members_are_never_shown() {
    let part = |seed: u64| format!("{}{}", &okta_token(seed)[2..], &okta_token(seed + 50)[2..]);
    let members = ["d", "p", "q", "dp", "dq", "qi"];
    let values: Vec<String> = (0..members.len() as u64).map(|i| part(500 + i)).collect();
    let key: Vec<String> = members
        .iter()
        .zip(&values)
        .map(|(m, v)| format!("\"{m}\":\"{v}\""))
        .collect();
    let text = format!(
        "{{\"client_id\":\"0oa1abcdefghijklmnop\",\"key\":{{\"kty\":\"RSA\",\"n\":\"{}\",\"e\":\"AQAB\",{}}}}}\n",
        part(600),
        key.join(",")
    );
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("okta-app.json"), text).unwrap();
    for format in ["text", "json", "sarif"] {
        let out = tokenwarden(
            dir.path(),
            &["scan", "--format", format, "--min-confidence", "low", "."],
        );
        let shown = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{shown}");
        for v in &values {
            assert!(
                !shown.contains(&v[..12]),
                "{format} shows a private member: {shown}"
            );
        }
    }
}
