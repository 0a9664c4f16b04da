//! Every output format, pinned on fixed inputs: text, JSON, SARIF and GitLab reports of
//! `scan` and `history`, the audit's Markdown, and the Action's annotations and job summary.
//! What users' scripts, CI and code scanning read changes only with a snapshot diff in the
//! same commit. To accept an intended change: `INSTA_UPDATE=always cargo test --release --
//! snapshots`, then read the diff of `tests/all/snapshots/`.

use crate::common;

use std::fs;
use std::path::Path;

use common::{Gha, Repo, header, okta_token, tokenwarden, url_secret};
use regex::Regex;
use serde_json::json;

/// Run-dependent parts of an output, replaced so that snapshots compare what matters:
/// temporary directories, durations, clock times, the binary's version.
fn normalize(text: &str, roots: &[&Path]) -> String {
    let mut s = text.replace(env!("CARGO_BIN_EXE_tokenwarden"), "tokenwarden");
    for root in roots {
        for form in [
            fs::canonicalize(root).unwrap().display().to_string(),
            root.display().to_string(),
        ] {
            s = s.replace(&form, "<root>");
        }
    }
    let rules: [(&str, &str); 5] = [
        (r"\b\d+(\.\d+)?\s?(ms|s)\b", "<elapsed>"),
        (
            r#""elapsed(_ms|_seconds)?":\s*[0-9.]+"#,
            r#""elapsed$1": "<elapsed>""#,
        ),
        (
            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?",
            "<time>",
        ),
        (env!("CARGO_PKG_VERSION"), "<version>"),
        (r"/tmp/[.A-Za-z0-9_-]+", "<tmp>"),
    ];
    for (pattern, with) in rules {
        s = Regex::new(pattern)
            .unwrap()
            .replace_all(&s, with)
            .into_owned();
    }
    s
}

/// A tree with one finding of each kind a report shows: a high-confidence SSWS header, a
/// medium one, a URL secret, one suppressed inline, one skipped binary file.
fn tree(root: &Path) {
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    write("deploy/call.sh", &header(&okta_token(7001)));
    write(
        "config/okta.yaml",
        &format!(
            "okta:\n  client:\n    orgUrl: https://acme.okta.com\n    token: {}\n",
            okta_token(7002)
        ),
    );
    write(
        "app/client.py",
        &format!(
            "URL = \"https://api.acme-payments.io/v1/items?api_key={}\"\n",
            url_secret(7003)
        ),
    );
    write(
        "tests/fixture.sh",
        &format!(
            "{} # tokenwarden:allow\n",
            header(&okta_token(7004)).trim_end()
        ),
    );
    write("assets/logo.png", "\u{89}PNG\r\n\u{1a}\n\0\0\0\rIHDR");
}

fn run(root: &Path, args: &[&str]) -> String {
    let out = tokenwarden(root, args);
    let code = out.status.code().unwrap();
    assert!(
        code < 2,
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    normalize(&String::from_utf8_lossy(&out.stdout), &[root])
}

#[test]
fn scan_reports() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let root = dir.path();
    insta::assert_snapshot!(
        "scan_text",
        run(root, &["scan", "--no-color", "--verbose", "."])
    );
    insta::assert_snapshot!("scan_json", run(root, &["scan", "--format", "json", "."]));
    insta::assert_snapshot!("scan_sarif", run(root, &["scan", "--format", "sarif", "."]));
    insta::assert_snapshot!(
        "scan_gitlab",
        run(root, &["scan", "--format", "gitlab", "."])
    );
}

/// Two commits by a fixed author at fixed times: commit ids are the same in every run.
fn repo() -> (Repo, String, String) {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    let base = repo.commit_all("base");
    tree(&repo.path);
    let head = repo.commit_all("add the deploy script\n\nand some config");
    (repo, base, head)
}

#[test]
fn history_reports() {
    let (repo, base, head) = repo();
    let root = repo.path.as_path();
    insta::assert_snapshot!("history_text", run(root, &["history", "--no-color", "."]));
    insta::assert_snapshot!(
        "history_json",
        run(root, &["history", "--format", "json", "."])
    );
    insta::assert_snapshot!(
        "history_sarif",
        run(root, &["history", "--format", "sarif", "."])
    );
    let range = format!("{base}..{head}");
    insta::assert_snapshot!(
        "range_json",
        run(
            root,
            &["history", "--format", "json", "--range", &range, "."]
        )
    );
}

#[test]
fn github_action_annotations_and_summary() {
    let (repo, base, head) = repo();
    let gha = Gha::new();
    let event =
        json!({"pull_request": {"number": 7, "base": {"sha": base}, "head": {"sha": head}}});
    let run = gha.run(&repo.path, "pull_request", &event, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let temp = gha.path("x");
    let roots = [repo.path.as_path(), temp.parent().unwrap()];
    insta::assert_snapshot!("action_annotations", normalize(&run.stdout, &roots));
    insta::assert_snapshot!("action_summary", normalize(&run.summary, &roots));
    insta::assert_snapshot!("action_outputs", normalize(&run.outputs, &roots));
}

#[test]
fn audit_reports() {
    let dir = tempfile::tempdir().unwrap();
    crate::audit::corpus(dir.path());
    let root = dir.path();
    for format in ["markdown", "text", "json"] {
        let out = tokenwarden(root, &["audit", "--format", format, "."]);
        insta::assert_snapshot!(
            format!("audit_{format}"),
            normalize(&String::from_utf8_lossy(&out.stdout), &[root])
        );
    }
}

/// A live token's impact, as each format shows it, and `revoke`'s plan and result, against
/// the loopback org (its URL normalized).
#[test]
fn live_impact_and_revoke() {
    use common::okta::{Behavior, FakeOkta};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let (live, stuck) = (okta_token(7601), okta_token(7602));
    let okta = FakeOkta::builder()
        .token(&live, Behavior::Live)
        .owned_by("00uops")
        .token(&stuck, Behavior::Live)
        .owned_by("00uapps")
        .zones(&["nzo1office"])
        .revoke_fails(&stuck)
        .roles("00uops", &["SUPER_ADMIN"])
        .roles("00uapps", &["APP_ADMIN"])
        .start();
    // No Okta-hosted org next to the tokens: only the loopback org is ever asked.
    fs::write(
        root.join("deploy.sh"),
        format!("curl -H \"Authorization: SSWS {live}\" \"$OKTA_ORG/api/v1/users\"\n"),
    )
    .unwrap();
    fs::write(root.join("apps.env"), format!("OKTA_API_TOKEN={stuck}\n")).unwrap();
    let org = |s: String| s.replace(&okta.url, "<org>");
    let verify = ["--verify", "--okta-org", okta.url.as_str()];
    let scan = |format: &str| {
        let mut args = vec!["scan", "--no-color", "--format", format];
        args.extend(verify);
        args.push(".");
        org(run(root, &args))
    };
    insta::assert_snapshot!("live_text", scan("text"));
    insta::assert_snapshot!("live_json", scan("json"));
    insta::assert_snapshot!("live_sarif", scan("sarif"));
    let report = root.join("report.json");
    fs::write(&report, scan("json").replace("<org>", &okta.url)).unwrap();
    let revoke = |extra: &[&str]| {
        let mut args = vec![
            "revoke",
            "report.json",
            ".",
            "--okta-org",
            okta.url.as_str(),
        ];
        args.extend(extra);
        org(run(root, &args))
    };
    insta::assert_snapshot!("revoke_plan", revoke(&["--dry-run"]));
    insta::assert_snapshot!("revoke_result", revoke(&["--yes"]));
}

#[test]
fn organization_reports() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let alpha = Repo::at(&root.join("alpha"));
    alpha.write("deploy/call.sh", &header(&okta_token(7101)));
    alpha.write("tests/cassette.yaml", &header(&okta_token(7101)));
    alpha.write("ops/rotate.sh", &header(&okta_token(7102)));
    alpha.commit_all("alpha");
    let beta = Repo::at(&root.join("beta"));
    beta.write("scripts/users.sh", &header(&okta_token(7101)));
    beta.commit_all("beta");
    fs::create_dir(root.join("plain")).unwrap();
    let repos = ["alpha", "beta", "plain"];
    let history = |extra: &[&str]| {
        let mut args = vec!["history", "--no-color"];
        args.extend(extra);
        args.extend(repos);
        run(root, &args)
    };
    insta::assert_snapshot!("org_text", history(&[]));
    insta::assert_snapshot!("org_json", history(&["--format", "json"]));
    insta::assert_snapshot!("org_sarif", history(&["--format", "sarif"]));
    let one = tokenwarden(
        root,
        &["history", "alpha", "--format", "json", "-o", "1.json"],
    );
    let two = tokenwarden(
        root,
        &[
            "history", "beta", "plain", "--format", "json", "-o", "2.json",
        ],
    );
    assert_eq!((one.status.code(), two.status.code()), (Some(1), Some(1)));
    for format in ["text", "json", "markdown"] {
        insta::assert_snapshot!(
            format!("merge_{format}"),
            run(root, &["merge", "1.json", "2.json", "--format", format])
        );
    }
}
