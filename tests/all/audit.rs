//! `tokenwarden audit` on a synthetic multi-language repository with known usage sites.

use crate::common;

use std::fs;
use std::path::Path;

use common::{component_names, okta_token, tokenwarden};
use serde_json::Value;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

pub(crate) fn corpus(root: &Path) {
    write(
        root,
        "billing/sync.py",
        "import os, requests\nfrom okta.client import Client as OktaClient\n\
         client = OktaClient({\"orgUrl\": ORG, \"token\": os.environ[\"OKTA_CLIENT_TOKEN\"]})\n\
         users = requests.get(f\"{ORG}/api/v1/users?limit=200\", headers=h)\n\
         requests.post(f\"{ORG}/api/v1/groups/{gid}/users/{uid}\", headers=h)\n",
    );
    write(
        root,
        "portal/okta.js",
        "const client = new okta.Client({ orgUrl: process.env.ORG, token: process.env.OKTA_TOKEN });\n\
         await fetch(`${org}/api/v1/apps`, { method: 'GET', headers: { Authorization: `SSWS ${process.env.OKTA_TOKEN}` } });\n",
    );
    write(
        root,
        "infra/main.tf",
        "provider \"okta\" {\n  org_name  = var.org\n  base_url  = \"okta.com\"\n  api_token = var.okta_api_token\n}\n\
         resource \"okta_group\" \"admins\" { name = \"Admins\" }\n",
    );
    write(
        root,
        "newinfra/main.tf",
        "provider \"okta\" {\n  org_name       = var.org\n  client_id      = var.id\n  private_key_id = var.kid\n  private_key    = var.key\n}\n",
    );
    write(
        root,
        "svc/Main.java",
        "client = Clients.builder().setClientCredentials(new TokenClientCredentials(token)).build();\n",
    );
    write(
        root,
        "gosvc/main.go",
        "_, c, _ := okta.NewClient(ctx, okta.WithOrgUrl(u), okta.WithToken(t))\n// DELETE /api/v1/users/{id}\n",
    );
    write(
        root,
        "ops/deprovision.sh",
        "curl -X DELETE -H \"Authorization: SSWS $OKTA_API_TOKEN\" \"$ORG/api/v1/users/$ID/lifecycle/deactivate\"\n",
    );
    write(
        root,
        ".github/workflows/sync.yml",
        "env:\n  OKTA_API_TOKEN: ${{ secrets.OKTA_API_TOKEN }}\n",
    );
    // Look-alikes that are not static-token usage.
    write(
        root,
        "other/bearer.py",
        "headers = {\"Authorization\": f\"Bearer {access_token}\"}  # OAuth, fine\n",
    );
    write(
        root,
        "other/notes.md",
        "# SSWS tokens were removed from this service in 2024\n",
    );
    write(
        root,
        "other/aws.tf",
        "provider \"aws\" {\n  api_token = var.not_okta\n}\n",
    );
}

fn audit(root: &Path, args: &[&str]) -> (i32, String) {
    let mut all = vec!["audit"];
    all.extend(args);
    all.push(".");
    let out = tokenwarden(root, &all);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn sites_endpoints_and_scopes_per_component() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    let (code, out) = audit(dir.path(), &["--format", "json"]);
    assert_eq!(code, 0, "usage alone does not fail the run");
    let json: Value = serde_json::from_str(&out).unwrap();
    let sites: Vec<(String, String)> = json["usage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["pattern"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (path, pattern) in [
        ("billing/sync.py", "sdk-token-python"),
        ("billing/sync.py", "okta-token-env"),
        ("portal/okta.js", "sdk-token-node"),
        ("portal/okta.js", "ssws-header"),
        ("infra/main.tf", "terraform-api-token"),
        ("svc/Main.java", "sdk-token-java"),
        ("gosvc/main.go", "sdk-token-go"),
        ("ops/deprovision.sh", "ssws-header"),
        (".github/workflows/sync.yml", "okta-token-env"),
    ] {
        assert!(
            sites.contains(&(path.to_string(), pattern.to_string())),
            "missing {pattern} in {path}: {sites:#?}"
        );
    }
    assert!(
        !sites.iter().any(|(p, _)| p.starts_with("other/")),
        "look-alikes reported: {sites:#?}"
    );
    let migrated = json["migrated"].as_array().unwrap();
    assert!(migrated.iter().any(|s| s["path"] == "newinfra/main.tf"));

    let comps = json["components"].as_array().unwrap();
    let scopes = |name: &str| -> Vec<String> {
        comps
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no component {name}"))["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["scope"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        scopes("billing/"),
        vec!["okta.groups.manage", "okta.users.read"]
    );
    assert_eq!(scopes("portal/"), vec!["okta.apps.read"]);
    assert_eq!(scopes("ops/"), vec!["okta.users.manage"]);
    assert_eq!(scopes("gosvc/"), vec!["okta.users.manage"]);
    assert_eq!(
        scopes("infra/"),
        vec!["okta.groups.manage"],
        "from the okta_group resource"
    );
    assert!(
        !comps.iter().any(|c| c["name"] == "newinfra/"),
        "a migrated component needs no plan"
    );
}

#[test]
fn markdown_migration_report() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    let (_, md) = audit(dir.path(), &["--format", "markdown"]);
    for needle in [
        "# Okta static API token migration",
        "private_key_jwt",
        "| `billing/` |",
        "`okta.groups.manage okta.users.read`",
        "authorizationMode\": \"PrivateKey\"",
        "private_key_id = var.okta_private_key_id",
        "Security → API → Tokens",
        "Authorization: Bearer <access token>",
    ] {
        assert!(md.contains(needle), "missing {needle:?} in:\n{md}");
    }
}

#[test]
fn text_output_fail_on_usage_and_leaks_keep_their_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    let (code, text) = audit(dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(
        text.contains("billing/sync.py:3: sdk-token-python"),
        "{text}"
    );
    assert!(
        text.contains("scopes for its service app: okta.groups.manage okta.users.read"),
        "{text}"
    );
    let (code, _) = audit(dir.path(), &["--fail-on-usage"]);
    assert_eq!(code, 1);

    let token = okta_token(9100);
    write(
        dir.path(),
        "billing/.env",
        &format!("OKTA_CLIENT_TOKEN={token}\n"),
    );
    let (code, text) = audit(dir.path(), &[]);
    assert_eq!(code, 1, "a leaked token fails the audit like a scan");
    assert!(!text.contains(&token), "snippets are redacted");
    assert!(text.contains("1 leaked secret"), "{text}");
}

#[test]
fn sarif_has_note_level_usage_results_beside_leaks() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    let token = okta_token(9200);
    write(
        dir.path(),
        "billing/.env",
        &format!("OKTA_CLIENT_TOKEN={token}\n"),
    );
    let (code, out) = audit(dir.path(), &["--format", "sarif"]);
    assert_eq!(code, 1);
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let errors = common::sarif_schema_errors(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let usage: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "okta-static-token-usage")
        .collect();
    assert!(usage.len() >= 9, "{usage:#?}");
    for r in &usage {
        assert_eq!(r["level"], "note");
        assert_eq!(
            rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "okta-static-token-usage"
        );
    }
    assert!(
        results.iter().any(|r| r["ruleId"] == "okta-api-token"),
        "the leak is in the same run"
    );
    assert!(!out.contains(&token));
}

/// Audit walks with the scan's own source: what it cannot read is skipped and recorded
/// with the reason, exactly as `scan` records it, instead of being dropped.
#[test]
fn audit_skips_and_records_like_scan() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    write(dir.path(), "assets/logo.bin", "PNG\0\0\0binary");
    write(
        dir.path(),
        "dumps/big.txt",
        &"okta /api/v1/users\n".repeat(4096),
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("link.txt")).unwrap();
    let reasons = |args: &[&str]| -> Vec<(String, String)> {
        let out = tokenwarden(dir.path(), args);
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut r: Vec<(String, String)> = json["stats"]["skipped_files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["path"].as_str().unwrap().to_string(),
                    s["reason"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        r.sort();
        r
    };
    let audited = reasons(&["audit", "--format", "json", "--max-file-size", "32K", "."]);
    let scanned = reasons(&["scan", "--format", "json", "--max-file-size", "32K", "."]);
    assert_eq!(audited, scanned);
    let kinds: Vec<&str> = audited.iter().map(|(_, r)| r.as_str()).collect();
    assert!(
        kinds.contains(&"binary") && kinds.contains(&"too_large"),
        "{audited:?}"
    );
    #[cfg(unix)]
    assert!(kinds.contains(&"symlink"), "{audited:?}");
    let (_, md) = audit(
        dir.path(),
        &["--format", "markdown", "--max-file-size", "32K"],
    );
    assert!(md.contains("were not read"), "{md}");
}

/// The text report names the leaked secrets it counts, redacted, so they can be revoked.
#[test]
fn audit_text_lists_the_leaked_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let t = okta_token(9300);
    write(
        dir.path(),
        "deploy/call.sh",
        &format!("curl -H 'Authorization: SSWS {t}' https://acme.okta.com/api/v1/users\n"),
    );
    let (code, text) = audit(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains("leaked secrets (revoke these first):"),
        "{text}"
    );
    assert!(
        text.contains("deploy/call.sh:1: okta-api-token [high]"),
        "{text}"
    );
    assert!(!text.contains(&t), "{text}");
}

/// A monorepo of three services, each its own build unit calling its own slice of the
/// API, with tests, recorded fixtures and docs that call more.
fn monorepo(root: &Path) {
    write(root, "go.work", "go 1.22\n");
    write(
        root,
        "services/users/package.json",
        "{\"name\": \"users\"}\n",
    );
    write(
        root,
        "services/users/src/client.js",
        "const client = new okta.Client({ orgUrl: process.env.ORG, token: process.env.OKTA_API_TOKEN });\n\
         const list = await fetch(`${org}/api/v1/users?limit=200`, { method: 'GET' });\n\
         const one = await fetch(`${org}/api/v1/users/${id}`, {\n  method: 'GET',\n});\n",
    );
    write(
        root,
        "services/users/src/profile.js",
        "export const me = () => fetch(`${org}/api/v1/users/${userId}`, { method: \"GET\" });\n",
    );
    write(
        root,
        "services/users/test/client.test.js",
        "nock(org).delete('/api/v1/users/00u1abcdEFGH2345ijkl').reply(204);\n\
         await fetch(`${org}/api/v1/users/00u1abcdEFGH2345ijkl`, { method: 'DELETE' });\n",
    );
    write(
        root,
        "services/groups/pyproject.toml",
        "[project]\nname = \"groups\"\n",
    );
    write(
        root,
        "services/groups/app/sync.py",
        "client = OktaClient({\"orgUrl\": ORG, \"token\": os.environ[\"OKTA_CLIENT_TOKEN\"]})\n\
         requests.put(f\"{ORG}/api/v1/groups/{gid}/users/{uid}\", headers=h)\n\
         requests.post(f\"{ORG}/api/v1/groups\", json=group, headers=h)\n\
         requests.delete(\n    f\"{ORG}/api/v1/groups/{gid}/users/{uid}\", headers=h)\n",
    );
    write(
        root,
        "services/groups/tests/cassettes/test_sync.yaml",
        "interactions:\n- request:\n    body: null\n    uri: https://acme.okta.com/api/v1/apps/0oa1abcdEFGH2345ijkl\n    method: DELETE\n  response:\n    status: {code: 204}\n",
    );
    write(root, "services/apps/go.mod", "module example.com/apps\n");
    write(
        root,
        "services/apps/main.go",
        "c, _ := okta.NewClient(ctx, okta.WithOrgUrl(u), okta.WithToken(t))\n\
         req, _ := http.NewRequest(http.MethodGet, org+\"/api/v1/apps/\"+appID, nil)\n\
         url := fmt.Sprintf(\"/api/v1/apps/%s/groups\", appID)\n\
         if qp != nil {\n\turl += qp.String()\n}\n\
         req, err = rq.NewRequest(\"GET\", url, nil)\n",
    );
    write(
        root,
        "README.md",
        "Set `OKTA_API_TOKEN`, then:\n\n    curl -X POST -H \"Authorization: SSWS $OKTA_API_TOKEN\" $ORG/api/v1/idps\n",
    );
}

fn component<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no component {name}: {json:#}"))
}

fn scope_set(c: &Value) -> Vec<&str> {
    c["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["scope"].as_str().unwrap())
        .collect()
}

#[test]
fn each_service_of_a_monorepo_gets_exactly_its_slice() {
    let dir = tempfile::tempdir().unwrap();
    let mono = dir.path().join("mono");
    monorepo(&mono);
    // From outside the checkout: components are named relative to the audited root.
    let out = tokenwarden(dir.path(), &["audit", "--format", "json", "mono"]);
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        component_names(&json),
        ["services/apps/", "services/groups/", "services/users/"]
    );
    let users = component(&json, "services/users/");
    assert_eq!(users["unit"], "package.json");
    assert_eq!(scope_set(users), ["okta.users.read"]);
    assert_eq!(
        component(&json, "services/groups/")["unit"],
        "pyproject.toml"
    );
    assert_eq!(
        scope_set(component(&json, "services/groups/")),
        ["okta.groups.manage"]
    );
    assert_eq!(
        scope_set(component(&json, "services/apps/")),
        ["okta.apps.read"]
    );
    // Aggregation: one row per (method, template), counted, with example locations.
    let rows = users["calls"].as_array().unwrap();
    let get_one = rows
        .iter()
        .find(|r| r["endpoint"] == "/api/v1/users/{id}")
        .unwrap();
    assert_eq!(get_one["method"], "GET");
    assert_eq!(get_one["count"], 2);
    assert_eq!(get_one["evidence"], "production");
    assert_eq!(
        get_one["examples"],
        serde_json::json!([
            "services/users/src/client.js:3",
            "services/users/src/profile.js:1"
        ])
    );
    assert_eq!(
        users["scopes"][0]["calls"],
        serde_json::json!(["GET /api/v1/users", "GET /api/v1/users/{id}"])
    );
    let apps: Vec<(String, String)> = component(&json, "services/apps/")["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap_or("?").to_string(),
                r["endpoint"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        apps,
        [
            ("GET".to_string(), "/api/v1/apps/{id}".to_string()),
            ("GET".to_string(), "/api/v1/apps/{id}/groups".to_string()),
        ]
    );
    // Tests, fixtures and docs are summarised, with what they would add.
    let elsewhere = |class: &str| {
        json["elsewhere"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["evidence"] == class)
            .unwrap_or_else(|| panic!("no {class}: {json:#}"))
            .clone()
    };
    let tests = elsewhere("tests");
    assert_eq!(tests["calls"], 3);
    assert_eq!(
        tests["extra_scopes"],
        serde_json::json!(["okta.apps.manage", "okta.users.manage"])
    );
    let docs = elsewhere("docs");
    assert_eq!(
        docs["extra_scopes"],
        serde_json::json!(["okta.idps.manage"])
    );
    assert_eq!(docs["sites"][0]["path"], "README.md");
    // No Okta id survives into any endpoint.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("00u1abcdEFGH2345ijkl\""), "{text}");
    for row in json["elsewhere"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["top"].as_array().unwrap())
    {
        assert!(!row["endpoint"].as_str().unwrap().contains("abcdEFGH"));
    }

    // From inside the checkout, the same components.
    let inside = tokenwarden(&mono, &["audit", "--format", "json", "."]);
    let inside: Value = serde_json::from_slice(&inside.stdout).unwrap();
    assert_eq!(inside["components"], json["components"]);
    // However the root is spelled.
    let dotted = tokenwarden(dir.path(), &["audit", "--format", "json", "./mono/"]);
    let dotted: Value = serde_json::from_slice(&dotted.stdout).unwrap();
    assert_eq!(dotted["components"], json["components"]);

    // Counting the tests in adds their scopes to their own service only.
    let out = tokenwarden(
        dir.path(),
        &[
            "audit",
            "--format",
            "json",
            "--include-evidence",
            "tests",
            "mono",
        ],
    );
    let with_tests: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        scope_set(component(&with_tests, "services/users/")),
        ["okta.users.manage", "okta.users.read"]
    );
    assert_eq!(
        scope_set(component(&with_tests, "services/groups/")),
        ["okta.apps.manage", "okta.groups.manage"]
    );
    assert_eq!(
        scope_set(component(&with_tests, "services/apps/")),
        ["okta.apps.read"]
    );
}

#[test]
fn markdown_has_one_snippet_per_sdk_and_aggregated_rows() {
    let dir = tempfile::tempdir().unwrap();
    monorepo(dir.path());
    let (_, md) = audit(dir.path(), &["--format", "markdown"]);
    let users = md
        .split("\n## `services/users/`")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    assert_eq!(users.matches("Node.js SDK:").count(), 1, "{users}");
    assert!(!users.contains("SDK configuration (okta.yaml"), "{users}");
    assert!(
        users.contains("| UserAPI | 3 | 2 | `okta.users.read` |"),
        "{users}"
    );
    assert!(md.contains("## Evidence outside production code"), "{md}");
    assert!(md.contains("| tests and recorded fixtures | 3 |"), "{md}");
    assert!(
        md.contains("Static-token mentions in docs and examples: `README.md:1`"),
        "{md}"
    );
}
