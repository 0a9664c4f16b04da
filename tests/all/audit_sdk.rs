//! SDK call shapes of every language, on the multi-language fixture repository
//! tests/fixtures/sdk-calls: each call of EXPECTED.tsv resolves to its operation, nothing
//! else does (the look-alikes of other SDKs stay quiet), and nothing is unmapped.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::common::{component_names, tokenwarden};

fn fixture() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sdk-calls"
    ))
}

/// `audit --format json .` in `dir`, which must succeed.
fn audit_json(dir: &Path) -> Value {
    let out = tokenwarden(dir, &["audit", "--format", "json", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `path<TAB>line<TAB>call<TAB>method endpoint` of every resolved SDK call.
fn resolved(report: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for c in report["components"].as_array().unwrap() {
        for row in c["calls"].as_array().unwrap() {
            let Some(sdk) = row["sdk"].as_array() else {
                continue;
            };
            assert_eq!(sdk.len(), 1, "{row}");
            for at in row["examples"].as_array().unwrap() {
                let (path, line) = at.as_str().unwrap().rsplit_once(':').unwrap();
                out.insert(format!(
                    "{path}\t{line}\t{}\t{} {}",
                    sdk[0].as_str().unwrap(),
                    row["method"].as_str().unwrap_or("?"),
                    row["endpoint"].as_str().unwrap()
                ));
            }
        }
    }
    out
}

#[test]
fn every_sdks_call_shapes_resolve_to_their_operations() {
    let report = audit_json(fixture());
    let expected: BTreeSet<String> = include_str!("../fixtures/sdk-calls/EXPECTED.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_string)
        .collect();
    let got = resolved(&report);
    let missing: Vec<&String> = expected.difference(&got).collect();
    let extra: Vec<&String> = got.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    assert_eq!(
        component_names(&report),
        ["dotnet/", "go-v2/", "go-v5/", "java/", "node/", "python/"]
    );
    for c in report["components"].as_array().unwrap() {
        assert_eq!(c["unmapped"], Value::Array(vec![]), "{}", c["name"]);
        assert_eq!(c["sdk_calls"], c["total_calls"], "{}", c["name"]);
    }
    assert_eq!(report["elsewhere"], Value::Array(vec![]));
}

#[test]
fn a_call_no_operation_answers_is_listed_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sync.go"),
        "package main\n\nimport \"github.com/okta/okta-sdk-golang/v5/okta\"\n\n\
         func f(ctx context.Context) {\n\tokta.WithToken(os.Getenv(\"OKTA_API_TOKEN\"))\n\
         \tc.UserAPI.ListUsersOfTheMoon(ctx).Execute()\n}\n",
    )
    .unwrap();
    let out = tokenwarden(dir.path(), &["audit", "."]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("unmapped UserAPI.ListUsersOfTheMoon ×1 (sync.go:7): no operation of Okta's Management API spec"),
        "{text}"
    );
}

/// The researched fixture (tests/fixtures/audit-sdk: every SDK's major versions, as their
/// sources and READMEs call them, with look-alikes of AWS, Auth0, Slack, Google and local
/// helpers): every expected call is found at its line with its request; any other request
/// on a line is one of the several operations a shared name fits, which the report says.
#[test]
fn every_sdk_version_in_the_researched_fixture() {
    let report =
        audit_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audit-sdk"));
    // (path, line, method as written, request) of every call, from each row's examples
    // (the fixture calls each request at most three times per component).
    let mut got = BTreeSet::new();
    let mut shared = BTreeSet::new();
    for c in report["components"].as_array().unwrap() {
        for row in c["calls"].as_array().unwrap() {
            let request = format!(
                "{} {}",
                row["method"].as_str().unwrap_or("?"),
                row["endpoint"].as_str().unwrap()
            );
            for at in row["examples"].as_array().unwrap() {
                got.insert((at.as_str().unwrap().to_string(), request.clone()));
            }
        }
        for s in c["shared_names"].as_array().unwrap() {
            shared.insert(
                s["call"]
                    .as_str()
                    .unwrap()
                    .rsplit('.')
                    .next()
                    .unwrap()
                    .to_string(),
            );
        }
        assert_eq!(c["unmapped"], Value::Array(vec![]), "{}", c["name"]);
    }
    let mut expected = BTreeSet::new();
    let mut shared_lines = BTreeSet::new();
    for line in include_str!("../fixtures/audit-sdk/EXPECTED.tsv").lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let at = format!("{}:{}", f[0], f[1]);
        if shared.contains(f[3]) {
            shared_lines.insert(at.clone());
        }
        expected.insert((at, f[5].to_string()));
    }
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got
        .difference(&expected)
        .filter(|(at, _)| !shared_lines.contains(at))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    assert!(
        !report.to_string().contains("negatives/"),
        "a look-alike was taken for an Okta call"
    );
}
