//! SARIF output validated against the official SARIF 2.1.0 JSON schema (the copy shipped in
//! serde-sarif's sources, in tests/fixtures), and checked for what GitHub code scanning reads.
//!
//! One edit to the copy: the schema's two `language` patterns have a stray `]`
//! (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`) that strict validators reject as a regex;
//! it is replaced by the intended `^[a-zA-Z]{2}$|^[a-zA-Z]{2}-[a-zA-Z]{2}$`. tokenwarden
//! does not emit `language`.

use crate::common;

use std::fs;

use common::{okta_token, tokenwarden, url_secret};
use serde_json::Value;

fn schema_errors(doc: &Value) -> Vec<String> {
    common::sarif_schema_errors(doc)
}

fn sarif_of(dir: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec!["scan", "--format", "sarif", "--min-confidence", "low"];
    all.extend(args);
    let out = tokenwarden(dir, &all);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn sarif_with_findings_and_skips_is_schema_valid_and_code_scanning_ready() {
    let dir = tempfile::tempdir().unwrap();
    let token = okta_token(100);
    let secret = url_secret(101);
    fs::create_dir_all(dir.path().join("dir with space")).unwrap();
    fs::write(
        dir.path().join("dir with space/call#1.sh"),
        format!("curl -H 'Authorization: SSWS {token}' https://acme.okta.com/api/v1/users\n"),
    )
    .unwrap();
    fs::write(
        dir.path().join("app.log"),
        format!("GET /x?access_token={secret} HTTP/1.1\n"),
    )
    .unwrap();
    fs::write(dir.path().join("bare.txt"), format!("value {token}\n")).unwrap();
    fs::write(dir.path().join("image.bin"), b"\0\0\0binary").unwrap();

    let doc = sarif_of(dir.path(), &["."]);
    let errors = schema_errors(&doc);
    assert!(errors.is_empty(), "schema violations: {errors:#?}");

    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "tokenwarden");
    assert!(driver["version"].is_string() && driver["informationUri"].is_string());
    let rules = driver["rules"].as_array().unwrap();
    for r in rules {
        for key in ["shortDescription", "fullDescription"] {
            assert!(r[key]["text"].is_string(), "{key} in {}", r["id"]);
        }
        assert!(r["help"]["text"].is_string() && r["help"]["markdown"].is_string());
        let sev: f64 = r["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&sev));
        assert!(
            r["properties"]["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == "security")
        );
    }
    let okta = rules.iter().find(|r| r["id"] == "okta-api-token").unwrap();
    let help = okta["help"]["markdown"].as_str().unwrap();
    for needle in [
        "Revoke",
        "Security → API → Tokens",
        "System Log",
        "client credentials",
        "private_key_jwt",
        "okta.users.read",
    ] {
        assert!(help.contains(needle), "okta remediation lacks {needle:?}");
    }

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "{results:#?}");
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(r["level"].is_string());
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains(' ') && !uri.contains('#'),
            "{uri}"
        );
        let region = &loc["region"];
        for key in ["startLine", "startColumn", "endColumn"] {
            assert!(region[key].as_u64().unwrap() >= 1);
        }
        assert!(r["partialFingerprints"]["primaryLocationLineHash"].is_string());
        assert!(r["properties"]["confidence"].is_string());
    }
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"dir%20with%20space/call%231.sh"), "{uris:?}");

    // Redaction reaches every string in the document.
    let text = doc.to_string();
    assert!(!text.contains(&token) && !text.contains(&secret));

    // Skipped files are reported, not silently dropped.
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["message"]["text"].as_str().unwrap().contains("image.bin"))
    );
}

#[test]
fn sarif_with_suppressions_is_schema_valid() {
    let dir = tempfile::tempdir().unwrap();
    let token = okta_token(103);
    fs::write(
        dir.path().join("a.env"),
        format!("OKTA_API_TOKEN={token} # tokenwarden:allow\n"),
    )
    .unwrap();
    fs::write(
        dir.path().join("b.env"),
        format!("OKTA_API_TOKEN={token}\n"),
    )
    .unwrap();
    let doc = sarif_of(dir.path(), &["."]);
    let errors = schema_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results
            .iter()
            .filter(|r| r.get("suppressions").is_some())
            .count(),
        1
    );
}

#[test]
fn sarif_without_findings_is_schema_valid() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), "nothing here\n").unwrap();
    let doc = sarif_of(dir.path(), &["."]);
    assert!(schema_errors(&doc).is_empty());
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 0);
    // The validator really validates.
    let mut bad = doc.clone();
    bad["runs"][0]["results"] = serde_json::json!([{"ruleId": "x"}]);
    assert!(
        !schema_errors(&bad).is_empty(),
        "a result without a message must be rejected"
    );
}

#[test]
fn sarif_fingerprints_are_stable_and_offset_free() {
    let dir = tempfile::tempdir().unwrap();
    let token = okta_token(102);
    let line = format!("OKTA_API_TOKEN={token}\n");
    fs::write(dir.path().join(".env"), &line).unwrap();
    let before = sarif_of(dir.path(), &["."]);
    // Unrelated lines inserted above move the secret; its alert identity must not change.
    fs::write(dir.path().join(".env"), format!("# header\n\n{line}")).unwrap();
    let after = sarif_of(dir.path(), &["."]);
    let fp = |d: &Value| d["runs"][0]["results"][0]["partialFingerprints"].clone();
    assert_eq!(fp(&before), fp(&after));
    assert_eq!(
        after["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
}
