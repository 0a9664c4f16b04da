//! Silencing false positives without silencing real leaks: inline markers, the ignore
//! file, baselines and config allow rules.

use crate::common;

use std::fs;
use std::path::Path;

use common::{okta_token, tokenwarden};
use serde_json::Value;

fn write(dir: &Path, rel: &str, content: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

fn scan(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let (code, json, _) = common::scan_json(dir, extra);
    (code, json)
}

fn paths(v: &Value) -> Vec<String> {
    let mut p: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    p.sort();
    p
}

#[test]
fn inline_marker_suppresses_only_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let t = okta_token(6000);
    write(
        dir.path(),
        "a.py",
        &format!("TOKEN = 'x'\nOKTA_API_TOKEN = '{t}'  # tokenwarden:allow test fixture\n"),
    );
    write(dir.path(), "b.env", &format!("OKTA_API_TOKEN={t}\n"));
    let (code, json) = scan(dir.path(), &[]);
    assert_eq!(code, 1, "the same secret elsewhere still fails the run");
    assert_eq!(paths(&json["findings"]), vec!["b.env"]);
    assert_eq!(paths(&json["suppressed"]), vec!["a.py"]);
    assert_eq!(json["suppressed"][0]["suppression"]["kind"], "inSource");
    assert_eq!(json["stats"]["suppressed"], 1);

    // Only suppressed findings: exit 0, still counted.
    fs::remove_file(dir.path().join("b.env")).unwrap();
    let (code, json) = scan(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(json["stats"]["suppressed"], 1);
    let out = tokenwarden(dir.path(), &["scan", "--no-color", "."]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 findings in 1 file"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 suppressed"));
}

#[test]
fn ignore_file_suppresses_a_fingerprint_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let t = okta_token(6100);
    let other = okta_token(6101);
    write(dir.path(), "a.env", &format!("OKTA_API_TOKEN={t}\n"));
    write(
        dir.path(),
        "deep/b.env",
        &format!("OKTA_API_TOKEN={t}\nOKTA_CLIENT_TOKEN={other}\n"),
    );
    let (_, json) = scan(dir.path(), &[]);
    let fp = json["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    write(
        dir.path(),
        ".tokenwardenignore",
        &format!("# rotated 2025-01, ticket SEC-1\n{fp}  # test org token\n"),
    );
    let (code, json) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    let f = json["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "only the other token remains");
    assert_ne!(f[0]["fingerprint"], fp.as_str());
    let s = json["suppressed"].as_array().unwrap();
    assert_eq!(s.len(), 2);
    assert!(s.iter().all(|x| x["suppression"]["kind"] == "external"));
    assert!(
        s[0]["suppression"]["justification"]
            .as_str()
            .unwrap()
            .contains(".tokenwardenignore")
    );

    write(dir.path(), ".tokenwardenignore", "not-a-fingerprint\n");
    let out = tokenwarden(dir.path(), &["scan", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(".tokenwardenignore:1"), "{err}");
}

#[test]
fn baseline_fails_only_on_new_leaks() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "old.env",
        &format!("OKTA_API_TOKEN={}\n", okta_token(6200)),
    );
    let out = tokenwarden(dir.path(), &["baseline", "create", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join(".tokenwarden-baseline.json").exists());

    let (code, json) = scan(dir.path(), &["--baseline", ".tokenwarden-baseline.json"]);
    assert_eq!(code, 0);
    assert_eq!(paths(&json["suppressed"]), vec!["old.env"]);

    write(
        dir.path(),
        "new.env",
        &format!("OKTA_API_TOKEN={}\n", okta_token(6201)),
    );
    let (code, json) = scan(dir.path(), &["--baseline", ".tokenwarden-baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(paths(&json["findings"]), vec!["new.env"]);

    let out = tokenwarden(dir.path(), &["scan", "--baseline", "missing.json", "."]);
    assert_eq!(out.status.code(), Some(2));
    write(dir.path(), "junk.json", "{}");
    let out = tokenwarden(dir.path(), &["scan", "--baseline", "junk.json", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("baseline create"));
}

#[test]
fn config_allow_rules_min_confidence_and_rules_dir() {
    let dir = tempfile::tempdir().unwrap();
    let t = |i: u64| okta_token(6300 + i);
    write(dir.path(), "a.env", &format!("OKTA_API_TOKEN={}\n", t(1)));
    write(
        dir.path(),
        "fixtures.env",
        &format!("OKTA_API_TOKEN={} # recorded fixture\n", t(2)),
    );
    write(dir.path(), "c.env", &format!("OKTA_API_TOKEN={}\n", t(3)));
    write(dir.path(), "low.txt", &format!("value {}\n", t(4)));
    let secret_prefix = &t(3)[..10];
    write(
        dir.path(),
        ".tokenwarden.toml",
        &format!(
            "min_confidence = \"low\"\n\n[allow]\nsecrets = ['^{secret_prefix}']\nlines = ['recorded fixture']\nstopwords = []\n"
        ),
    );
    let (code, json) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        paths(&json["findings"]),
        vec!["a.env", "low.txt"],
        "min_confidence = low from the config"
    );
    assert_eq!(paths(&json["suppressed"]), vec!["c.env", "fixtures.env"]);
    // The flag wins over the config.
    let (_, json) = scan(dir.path(), &["--min-confidence", "high"]);
    assert_eq!(paths(&json["findings"]), vec!["a.env"]);

    write(
        dir.path(),
        ".tokenwarden.toml",
        "[allow]\nsecrets = [\n  '(unclosed',\n]\n",
    );
    let out = tokenwarden(dir.path(), &["scan", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(".tokenwarden.toml:3:3") && err.contains("allow.secrets"),
        "{err}"
    );

    // rules = [...] in the config, relative to the config file.
    write(
        dir.path(),
        "my-rules/acme.toml",
        "id = \"acme-key\"\nname = \"Acme\"\ndescription = \"d\"\nseverity = \"warning\"\nsecurity_severity = 5.0\n\
         regex = '''(?-u)(?P<secret>acme_[a-z0-9]{16})'''\nremediation = \"rotate\"\n\
         [[examples]]\ntext = \"acme_q1w2e3r4t5y6u7i8\"\nsecret = \"acme_q1w2e3r4t5y6u7i8\"\n",
    );
    write(
        dir.path(),
        ".tokenwarden.toml",
        "rules = [\"my-rules\"]\n[allow]\npaths = [\"my-rules/\"]\n",
    );
    write(dir.path(), "k.txt", "key acme_q1w2e3r4t5y6u7i8\n");
    let (_, json) = scan(dir.path(), &[]);
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "acme-key")
    );
}

#[test]
fn sarif_carries_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.env",
        &format!("OKTA_API_TOKEN={} # tokenwarden:allow\n", okta_token(6400)),
    );
    let out = tokenwarden(dir.path(), &["scan", "--format", "sarif", "."]);
    assert_eq!(out.status.code(), Some(0));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &sarif["runs"][0]["results"][0];
    assert_eq!(r["suppressions"][0]["kind"], "inSource");
    assert_eq!(r["suppressions"][0]["status"], "accepted");
    assert!(r["suppressions"][0]["justification"].is_string());
}

/// `[allow] paths` are relative to the scanned directory: scanning `sub` with a config that
/// allows `sub/` allows `sub/sub/…`, not everything (reported paths start with `sub/`).
#[test]
fn allow_paths_are_relative_to_the_scanned_directory() {
    let dir = tempfile::tempdir().unwrap();
    let token = okta_token(9100);
    write(
        dir.path(),
        "sub/.tokenwarden.toml",
        "[allow]\npaths = [\"sub/\"]\n",
    );
    write(
        dir.path(),
        "sub/a.sh",
        &format!("Authorization: SSWS {token}\n"),
    );
    write(
        dir.path(),
        "sub/sub/b.sh",
        &format!("Authorization: SSWS {token}\n"),
    );
    let out = tokenwarden(dir.path(), &["scan", "--format", "json", "sub"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(paths(&json["findings"]), ["sub/a.sh"]);
}

/// `scan a b`: each directory's own `.tokenwarden.toml` and `.tokenwardenignore` apply to
/// it alone (before, the first directory's applied to both), and rules its config loads
/// match only there.
#[test]
fn each_scanned_directory_keeps_its_own_settings() {
    let dir = tempfile::tempdir().unwrap();
    let (a_token, b_token) = (okta_token(4701), okta_token(4702));
    let line = |t: &str| format!("OKTA_API_TOKEN={t} # recorded fixture\n");
    write(
        dir.path(),
        "a/.tokenwarden.toml",
        "[allow]\nlines = ['fixture']\n",
    );
    write(dir.path(), "a/app.env", &line(&a_token));
    write(dir.path(), "b/app.env", &line(&b_token));
    write(dir.path(), "b/.tokenwarden.toml", "rules = [\"rules\"]\n");
    write(
        dir.path(),
        "b/rules/internal.toml",
        "id = \"internal-key\"\nname = \"Internal key\"\ndescription = \"d\"\nseverity = \"warning\"\n\
         security_severity = 5.0\nremediation = \"r\"\nconfidence = \"high\"\n\
         regex = '(?P<secret>ik_[a-z0-9]{20})'\n",
    );
    let key = "ik_0123456789abcdefghij";
    write(dir.path(), "a/key.txt", &format!("k = {key}\n"));
    write(dir.path(), "b/key.txt", &format!("k = {key}\n"));
    let out = tokenwarden(dir.path(), &["scan", "--format", "json", "a", "b"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().into(),
                f["rule_id"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        found.contains(&("b/app.env".into(), "okta-api-token".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("b/key.txt".into(), "internal-key".into())),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(p, _)| p.starts_with("a/")),
        "a's own settings suppress its token, and b's rule is not a's: {found:?}"
    );
    let suppressed: Vec<&str> = json["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(suppressed, ["a/app.env"]);
}
