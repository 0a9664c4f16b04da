//! Responding to a live token: what it can do (its owner, the owner's admin roles, the
//! token's network condition) and revoking it, against a real HTTP server on 127.0.0.1
//! that plays an Okta org.

use crate::common;

use std::fs;

use common::okta::{Behavior, FakeOkta};
use common::{okta_token, scan_json, tokenwarden};
use serde_json::Value;

fn env_file(token: &str) -> String {
    format!("OKTA_API_TOKEN={token}\n")
}

fn verification(json: &Value, path: &str) -> Value {
    common::findings(json)
        .into_iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no finding in {path}: {json:#}"))["verification"]
        .clone()
}

/// Four live tokens of four owners: a Super Administrator's usable anywhere (critical), the
/// same behind a network zone (high), a read-only admin's (medium), and one whose owner's
/// roles the token may not list (unknown roles, not "none": high).
#[test]
fn a_live_tokens_owner_roles_and_network_decide_its_impact() {
    let t: Vec<String> = (0..5).map(|i| okta_token(7100 + i)).collect();
    let okta = FakeOkta::builder()
        .token(&t[0], Behavior::Live)
        .owned_by("00usuper")
        .token(&t[1], Behavior::Live)
        .owned_by("00uzoned")
        .zones(&["nzo1office"])
        .token(&t[2], Behavior::Live)
        .owned_by("00ureader")
        .token(&t[3], Behavior::Live)
        .owned_by("00uhidden")
        .token(&t[4], Behavior::Invalid)
        .roles("00usuper", &["SUPER_ADMIN"])
        .roles("00uzoned", &["SUPER_ADMIN"])
        .roles("00ureader", &["READ_ONLY_ADMIN"])
        .roles_forbidden("00uhidden")
        .start();
    let dir = tempfile::tempdir().unwrap();
    for (i, token) in t.iter().enumerate() {
        fs::write(dir.path().join(format!("t{i}.env")), env_file(token)).unwrap();
    }
    let args = ["--verify", "--okta-org", &okta.url];
    let (code, json, _) = scan_json(dir.path(), &args);
    assert_eq!(code, 1);
    let v = verification(&json, "t0.env");
    assert_eq!(v["status"], "live");
    assert_eq!(v["owner"]["id"], "00usuper");
    assert_eq!(v["owner"]["login"], "00usuper@example.com");
    assert_eq!(v["owner"]["status"], "ACTIVE");
    assert_eq!(v["roles"][0]["type"], "SUPER_ADMIN");
    assert_eq!(v["token"]["network"], "ANYWHERE");
    assert_eq!(v["token"]["expires_at"], "2026-12-30T08:00:00.000Z");
    assert_eq!(v["impact"]["level"], "critical", "{v:#}");
    // Nothing of the profile beyond the login is kept.
    assert!(!json.to_string().contains("555 0100") && !json.to_string().contains("Ada"));

    let v = verification(&json, "t1.env");
    assert_eq!(v["token"]["network"], "ZONE");
    assert_eq!(v["token"]["zones"][0], "nzo1office");
    assert_eq!(v["impact"]["level"], "high", "{v:#}");

    let v = verification(&json, "t2.env");
    assert_eq!(v["impact"]["level"], "medium", "{v:#}");

    let v = verification(&json, "t3.env");
    assert!(v.get("roles").is_none(), "{v:#}");
    assert!(
        v["roles_unknown"].as_str().unwrap().contains("403"),
        "{v:#}"
    );
    assert_eq!(v["impact"]["level"], "high", "{v:#}");

    // Nothing is asked about a token that is not live.
    let v = verification(&json, "t4.env");
    assert_eq!(v["status"], "invalid");
    assert!(
        v.get("impact").is_none() && v.get("owner").is_none(),
        "{v:#}"
    );
    assert_eq!(okta.count(&t[4]), 1);
    // At most three requests per live token: status, roles, token metadata.
    for token in &t[..4] {
        assert_eq!(okta.count(token), 3);
    }

    // Text: the impact and what it rests on, under the finding.
    let out = tokenwarden(
        dir.path(),
        &["scan", "--verify", "--okta-org", &okta.url, "."],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("impact CRITICAL: Super Organization administrator: the whole org; usable from any network; owner 00usuper@example.com (00usuper)"),
        "{text}"
    );
    assert!(text.contains("roles: Super Organization administrator; token \"token 1\" (any network, expires 2026-12-30 unless used)"), "{text}");
    assert!(
        text.contains(
            "roles unknown (HTTP 403 E0000006: the token may not list its owner's roles)"
        ),
        "{text}"
    );

    // SARIF: the message says it, the properties carry it.
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
    let critical = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "t0.env")
        .unwrap();
    assert!(
        critical["message"]["text"]
            .as_str()
            .unwrap()
            .contains("Impact: critical (Super Organization administrator"),
        "{critical:#}"
    );
    assert_eq!(critical["level"], "error");
    assert_eq!(
        critical["properties"]["verification"]["impact"]["level"],
        "critical"
    );
    assert!(common::sarif_schema_errors(&sarif).is_empty());
}

/// A short budget goes to statuses first: what live tokens can do is asked with what is
/// left, and says so when nothing is.
#[test]
fn statuses_come_before_impact_in_the_budget() {
    let t: Vec<String> = (0..2).map(|i| okta_token(7200 + i)).collect();
    let okta = FakeOkta::builder()
        .token(&t[0], Behavior::Live)
        .token(&t[1], Behavior::Live)
        .roles("00u1", &["ORG_ADMIN"])
        .start();
    let dir = tempfile::tempdir().unwrap();
    for (i, token) in t.iter().enumerate() {
        fs::write(dir.path().join(format!("t{i}.env")), env_file(token)).unwrap();
    }
    let (_, json, _) = scan_json(
        dir.path(),
        &[
            "--verify",
            "--okta-org",
            &okta.url,
            "--verify-max-requests",
            "2",
        ],
    );
    for path in ["t0.env", "t1.env"] {
        let v = verification(&json, path);
        assert_eq!(v["status"], "live", "{v:#}");
        assert!(
            v["roles_unknown"]
                .as_str()
                .unwrap()
                .starts_with("budget exhausted"),
            "{v:#}"
        );
    }
    assert_eq!(okta.requests().len(), 2);
}

/// `revoke REPORT PATH`: the report's tokens are found again, checked, shown, and revoked
/// with themselves; one the org fails to revoke is reported and fails the run; an invalid
/// one is left alone. Without --yes and without a terminal nothing is sent; --dry-run sends
/// no DELETE.
#[test]
fn revoke_finds_checks_and_revokes_live_tokens() {
    let t: Vec<String> = (0..3).map(|i| okta_token(7300 + i)).collect();
    let okta = FakeOkta::builder()
        .token(&t[0], Behavior::Live)
        .owned_by("00usuper")
        .token(&t[1], Behavior::Live)
        .owned_by("00ustuck")
        .revoke_fails(&t[1])
        .token(&t[2], Behavior::Invalid)
        .roles("00usuper", &["SUPER_ADMIN"])
        .roles("00ustuck", &["APP_ADMIN"])
        .start();
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    fs::create_dir(&tree).unwrap();
    for (i, token) in t.iter().enumerate() {
        fs::write(tree.join(format!("t{i}.env")), env_file(token)).unwrap();
    }
    let report = dir.path().join("report.json");
    let out = tokenwarden(
        &tree,
        &[
            "scan",
            "--format",
            "json",
            "-o",
            report.to_str().unwrap(),
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let deletes = || {
        okta.requests()
            .iter()
            .filter(|r| r.method == "DELETE")
            .count()
    };
    let revoke = |extra: &[&str]| {
        let mut args = vec![
            "revoke",
            report.to_str().unwrap(),
            ".",
            "--okta-org",
            &okta.url,
        ];
        args.extend(extra);
        let out = tokenwarden(&tree, &args);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    // The plan, and nothing sent.
    let (code, stdout, _) = revoke(&["--dry-run"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("2 live tokens to revoke:"), "{stdout}");
    assert!(
        stdout.contains("Impact: critical (Super Organization administrator: the whole org; usable from any network). Owner: 00usuper@example.com (00usuper)."),
        "{stdout}"
    );
    assert!(stdout.contains("leaked at t0.env:1"), "{stdout}");
    assert!(stdout.contains("not revoked: invalid"), "{stdout}");
    assert!(stdout.contains("Dry run: nothing was revoked."), "{stdout}");
    assert_eq!(deletes(), 0, "a dry run sends no DELETE");

    // Nobody at a terminal to confirm: refused, nothing sent.
    let (code, _, stderr) = revoke(&[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("pass --yes"), "{stderr}");
    assert_eq!(deletes(), 0);

    // Revoked: the live one is dead, the stuck one failed (exit 1), nothing shows a token.
    let (code, stdout, stderr) = revoke(&["--yes"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("revoked: the token no longer works"),
        "{stdout}"
    );
    assert!(stdout.contains("FAILED: HTTP 500"), "{stdout}");
    assert!(
        stdout.contains("filter actor.id eq \"00usuper\""),
        "the System Log hint names the owner: {stdout}"
    );
    assert_eq!(deletes(), 2);
    assert!(t.iter().all(|token| !stdout.contains(token.as_str())));
    let delete = okta
        .requests()
        .into_iter()
        .find(|r| r.method == "DELETE")
        .unwrap();
    assert_eq!(delete.path, "/api/v1/api-tokens/current");

    // Again: nothing live is left but the stuck token.
    let (_, stdout, _) = revoke(&["--yes", "--dry-run"]);
    assert!(stdout.contains("1 live token to revoke:"), "{stdout}");
    assert!(stdout.contains(&t[1][..4]), "{stdout}");
}

/// `--fingerprint FP`: a token only the history still holds is found there and revoked.
#[test]
fn revoke_by_fingerprint_reaches_into_history() {
    let token = okta_token(7400);
    let okta = FakeOkta::builder()
        .token(&token, Behavior::Live)
        .roles("00u1", &["READ_ONLY_ADMIN"])
        .start();
    let repo = common::Repo::new();
    repo.write("app.env", &env_file(&token));
    repo.commit_all("oops");
    let (_, json, _) = scan_json(&repo.path, &[]);
    let fp = common::findings(&json)[0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    fs::remove_file(repo.path.join("app.env")).unwrap();
    repo.commit_all("remove it");
    let out = tokenwarden(
        &repo.path,
        &[
            "revoke",
            "--fingerprint",
            &fp,
            "--yes",
            "--okta-org",
            &okta.url,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Impact: medium"), "{stdout}");
    assert!(
        stdout.contains("revoked: the token no longer works"),
        "{stdout}"
    );
    // Unknown fingerprints and bad input say so.
    let out = tokenwarden(
        &repo.path,
        &[
            "revoke",
            "--fingerprint",
            "abc123",
            "--yes",
            "--okta-org",
            &okta.url,
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("abc123: not found"));
    let out = tokenwarden(
        &repo.path,
        &["revoke", "--fingerprint", "$(rm -rf)", "--yes"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = tokenwarden(&repo.path, &["revoke"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("name a JSON report"));
}

/// The Action's `revoke-live`: a scheduled scan revokes the live tokens it found and says
/// so in the job summary; a pull request's scan revokes nothing, with a notice.
#[test]
fn the_action_revokes_live_tokens_on_scheduled_runs_only() {
    let token = okta_token(7500);
    let okta = FakeOkta::builder()
        .token(&token, Behavior::Live)
        .roles("00u1", &["SUPER_ADMIN"])
        .start();
    let repo = common::Repo::new();
    repo.write(
        "deploy.sh",
        &format!("curl -H \"Authorization: SSWS {token}\" $ORG/api/v1/users\n"),
    );
    let base = repo.commit_all("base");
    repo.write("README.md", "docs\n");
    let head = repo.commit_all("docs");
    let gha = common::Gha::new();
    let args = ["--revoke-live", "--okta-org", okta.url.as_str()];
    let deletes = || {
        okta.requests()
            .iter()
            .filter(|r| r.method == "DELETE")
            .count()
    };

    let event = serde_json::json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}});
    // The token is in the base, not in the change: scan the whole history for this check.
    let run = gha.run(&repo.path, "workflow_dispatch", &event, &args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("::notice title=tokenwarden::revoke-live: 1 live token(s) not revoked"),
        "{}",
        run.stdout
    );
    assert_eq!(deletes(), 0);
    assert!(run.summary.contains("critical impact"), "{}", run.summary);

    let run = gha.run(&repo.path, "schedule", &serde_json::json!({}), &args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(deletes(), 1);
    assert!(
        run.summary
            .contains("### Live tokens revoked (revoke-live)"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("revoked: it no longer works"),
        "{}",
        run.summary
    );
    assert!(
        run.stdout
            .contains("::notice title=tokenwarden::revoked the live token"),
        "{}",
        run.stdout
    );
    assert!(!run.summary.contains(token.as_str()) && !run.stdout.contains(token.as_str()));
}

/// `revoke-live` on pushes: to the default branch, revoked; to another branch, not.
#[test]
fn the_action_revokes_on_pushes_to_the_default_branch_only() {
    let token = okta_token(7700);
    let okta = FakeOkta::builder()
        .token(&token, Behavior::Live)
        .roles("00u1", &["ORG_ADMIN"])
        .start();
    let repo = common::Repo::new();
    repo.write("README.md", "docs\n");
    let before = repo.commit_all("base");
    repo.write("ci.env", &env_file(&token));
    let after = repo.commit_all("oops");
    let gha = common::Gha::new();
    let event = serde_json::json!({
        "before": before, "after": after,
        "repository": {"default_branch": "main"},
    });
    let args = ["--revoke-live", "--okta-org", okta.url.as_str()];
    let deletes = || {
        okta.requests()
            .iter()
            .filter(|r| r.method == "DELETE")
            .count()
    };
    let run = gha.run_with(
        &repo.path,
        "push",
        &event,
        &args,
        &[("GITHUB_REF", "refs/heads/feature")],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("not revoked"), "{}", run.stdout);
    assert_eq!(deletes(), 0);
    let run = gha.run_with(
        &repo.path,
        "push",
        &event,
        &args,
        &[("GITHUB_REF", "refs/heads/main")],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(deletes(), 1, "{}", run.stdout);
    assert!(
        run.summary.contains("revoked: it no longer works"),
        "{}",
        run.summary
    );
}
