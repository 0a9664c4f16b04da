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
