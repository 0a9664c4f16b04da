//! `audit --emit terraform DIR`: the emitted HCL goes through a real HCL parser, and every
//! resource type, argument and block it uses exists in terraform-provider-okta's schema
//! (tests/fixtures/audit/terraform-provider-okta-schema.txt, taken from the provider's
//! source).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use hcl::{Block, Body, Expression};

use crate::common::tokenwarden;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// Two components: Go SDK v5 calls on users and groups, and Python calls on apps.
fn repo(root: &Path) {
    write(
        root,
        "sync/go.mod",
        "module example.com/sync\n\nrequire github.com/okta/okta-sdk-golang/v5 v5.0.6\n",
    );
    write(
        root,
        "sync/main.go",
        "package main\n\nimport \"github.com/okta/okta-sdk-golang/v5/okta\"\n\n\
         func run(ctx context.Context) {\n\
         \tcfg, _ := okta.NewConfiguration(okta.WithToken(os.Getenv(\"OKTA_API_TOKEN\")))\n\
         \tc := okta.NewAPIClient(cfg)\n\
         \tusers, _, _ := c.UserAPI.ListUsers(ctx).Execute()\n\
         \tc.GroupAPI.AssignUserToGroup(ctx, gid, uid).Execute()\n\
         \tc.UserLifecycleAPI.DeactivateUser(ctx, uid).Execute()\n\
         }\n",
    );
    write(
        root,
        "apps/pyproject.toml",
        "[project]\nname = \"apps\"\ndependencies = [\"okta\"]\n",
    );
    write(
        root,
        "apps/report.py",
        "from okta.client import Client as OktaClient\n\n\
         client = OktaClient({\"orgUrl\": ORG, \"token\": os.environ[\"OKTA_CLIENT_TOKEN\"]})\n\n\
         async def main():\n    apps, resp, err = await client.list_applications()\n",
    );
}

/// `resource -> argument paths` (`jwks.kid` for a nested block's argument, `jwks` for
/// the block itself) and which of them are required.
struct Schema {
    arguments: BTreeMap<String, BTreeSet<String>>,
    required: BTreeMap<String, BTreeSet<String>>,
}

fn schema() -> Schema {
    let text = include_str!("../fixtures/audit/terraform-provider-okta-schema.txt");
    let mut s = Schema {
        arguments: BTreeMap::new(),
        required: BTreeMap::new(),
    };
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut f = line.split_whitespace();
        let (Some(resource), Some(argument), Some(kind)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if !resource.starts_with("okta_") {
            continue;
        }
        let args = s.arguments.entry(resource.to_string()).or_default();
        if let Some((block, _)) = argument.split_once('.') {
            args.insert(block.to_string());
        }
        args.insert(argument.to_string());
        if kind == "required" && !argument.contains('.') {
            s.required
                .entry(resource.to_string())
                .or_default()
                .insert(argument.to_string());
        }
    }
    assert!(
        s.arguments.len() >= 5,
        "schema fixture lists too few resources"
    );
    s
}

fn emit(root: &Path, out: &Path) -> String {
    let o = tokenwarden(
        root,
        &["audit", "--emit", "terraform", out.to_str().unwrap(), "."],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("okta-service-apps.tf"), "{err}");
    fs::read_to_string(out.join("okta-service-apps.tf")).unwrap()
}

fn resources(body: &Body) -> Vec<&Block> {
    body.blocks()
        .filter(|b| b.identifier.as_str() == "resource")
        .collect()
}

fn label(b: &Block, i: usize) -> &str {
    b.labels[i].as_str()
}

fn literal(b: &Block, key: &str) -> Option<String> {
    b.body
        .attributes()
        .find(|a| a.key.as_str() == key)
        .and_then(|a| match &a.expr {
            Expression::String(s) => Some(s.clone()),
            _ => None,
        })
}

#[test]
fn emitted_terraform_parses_and_fits_the_provider_schema() {
    let dir = tempfile::tempdir().unwrap();
    repo(dir.path());
    let out = dir.path().join("out/tf");
    let hcl_text = emit(dir.path(), &out);
    let body: Body = hcl::parse(&hcl_text).unwrap_or_else(|e| panic!("{e}\n{hcl_text}"));
    let schema = schema();
    let mut kinds = BTreeMap::<&str, usize>::new();
    for r in resources(&body) {
        let kind = label(r, 0);
        *kinds.entry(kind).or_default() += 1;
        let known = schema
            .arguments
            .get(kind)
            .unwrap_or_else(|| panic!("{kind} is not a resource of the provider"));
        let mut set = BTreeSet::new();
        for a in r.body.attributes() {
            assert!(known.contains(a.key.as_str()), "{kind}.{} unknown", a.key);
            set.insert(a.key.to_string());
        }
        for b in r.body.blocks() {
            let name = b.identifier.as_str();
            assert!(known.contains(name), "{kind} block {name} unknown");
            for a in b.body.attributes() {
                let path = format!("{name}.{}", a.key);
                assert!(known.contains(&path), "{kind}.{path} unknown");
            }
            set.insert(name.to_string());
        }
        for need in schema.required.get(kind).into_iter().flatten() {
            assert!(set.contains(need), "{kind} lacks required {need}");
        }
    }
    // Two components, each: app, scopes, role, resource set, assignment.
    assert_eq!(kinds.get("okta_app_oauth"), Some(&2), "{hcl_text}");
    for k in [
        "okta_app_oauth_api_scope",
        "okta_admin_role_custom",
        "okta_resource_set",
        "okta_app_oauth_role_assignment",
    ] {
        assert_eq!(kinds.get(k), Some(&2), "{k}\n{hcl_text}");
    }
    let app = resources(&body)
        .into_iter()
        .find(|r| label(r, 0) == "okta_app_oauth" && label(r, 1) == "sync")
        .unwrap();
    assert_eq!(literal(app, "type").as_deref(), Some("service"));
    assert_eq!(
        literal(app, "token_endpoint_auth_method").as_deref(),
        Some("private_key_jwt")
    );
    assert!(app.body.blocks().any(|b| b.identifier.as_str() == "jwks"));
    // The component's scopes and permissions are exactly what its calls need.
    assert!(hcl_text.contains("\"okta.users.read\""), "{hcl_text}");
    assert!(hcl_text.contains("\"okta.groups.manage\""), "{hcl_text}");
    assert!(hcl_text.contains("\"okta.apps.read\""), "{hcl_text}");
    assert!(!hcl_text.contains("okta.apps.manage"), "{hcl_text}");
}

// Windows file names cannot hold `"`.
#[cfg(unix)]
#[test]
fn component_names_from_the_tree_stay_literal_in_terraform() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "x${file(\"k\")}%{if 1}\"y";
    let go = format!("{hostile}/go.mod");
    write(dir.path(), &go, "module m\n");
    write(
        dir.path(),
        &format!("{hostile}/main.go"),
        "package main\n\nimport \"github.com/okta/okta-sdk-golang/v5/okta\"\n\n\
         func f(ctx context.Context) {\n\
         \tokta.WithToken(os.Getenv(\"OKTA_API_TOKEN\"))\n\
         \tc.UserAPI.ListUsers(ctx).Execute()\n}\n",
    );
    let out = dir.path().join("tf");
    let text = emit(dir.path(), &out);
    let body: Body = hcl::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let app = resources(&body)
        .into_iter()
        .find(|r| label(r, 0) == "okta_app_oauth")
        .unwrap();
    // A plain string, not a template: nothing in it is evaluated.
    assert_eq!(
        literal(app, "label").as_deref(),
        Some(format!("{hostile}/ (tokenwarden)").as_str()),
        "{text}"
    );
    assert!(
        label(app, 1)
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    );
}

#[test]
fn emit_knows_one_kind() {
    let dir = tempfile::tempdir().unwrap();
    let o = tokenwarden(dir.path(), &["audit", "--emit", "pulumi", "out", "."]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("`terraform`"), "{err}");
    assert!(!dir.path().join("out").exists());
}
