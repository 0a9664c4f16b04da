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
    let out = tokenwarden(fixture(), &["audit", "--format", "json", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
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
