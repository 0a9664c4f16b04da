//! `tokenwarden audit`: where code and configuration *use* static Okta API tokens (even
//! with no literal token in sight), which Management API endpoints that code calls, and
//! the least-privilege OAuth scopes its replacement service app needs.

pub mod data;
pub mod endpoint;
pub mod evidence;
pub mod model;
pub mod plan;
pub mod report;
pub mod roles;
pub mod sarif;
pub mod scanner;
pub mod sdk;
pub mod terraform;

use crate::engine::Engine;
use crate::locate::{LineCursor, redacted_line};
use crate::matcher::context;
use data::AuditData;
pub use model::{Audit, Call, CallNeed, Manifest, Site};
use regex::bytes::Regex;

/// Build manifests by file name.
fn manifest_kind(path: &str, blob: &[u8]) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    Some(match name {
        "go.mod" => "go.mod",
        "package.json" => "package.json",
        "pyproject.toml" => "pyproject.toml",
        "setup.py" => "setup.py",
        "pom.xml" => "pom.xml",
        "build.gradle" | "build.gradle.kts" => "build.gradle",
        "Cargo.toml" => "Cargo.toml",
        "Gemfile" => "Gemfile",
        "composer.json" => "composer.json",
        n if n.ends_with(".csproj") => ".csproj",
        n if n.ends_with(".tf") => {
            static ROOT: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
            let root = ROOT.get_or_init(|| {
                Regex::new(r#"(?m-u)^\s*(provider\s+"okta"|terraform\s*\{)"#).expect("static regex")
            });
            if !root.is_match(blob) {
                return None;
            }
            "Terraform root module"
        }
        _ => return None,
    })
}

/// Usage sites, API calls and build manifests in one file.
pub fn audit_blob(data: &AuditData, engine: &Engine, path: &str, blob: &[u8], out: &mut Audit) {
    if let Some(kind) = manifest_kind(path, blob) {
        out.manifests.push(Manifest {
            path: path.to_string(),
            kind,
        });
    }
    let mut secrets = None;
    for p in &data.patterns {
        if p.path
            .as_ref()
            .is_some_and(|re| !re.is_match(path.as_bytes()))
        {
            continue;
        }
        let mut lines = LineCursor::default();
        for m in p.regex.find_iter(blob) {
            if p.block
                .as_ref()
                .is_some_and(|re| !re.is_match(context::block(blob, m.start())))
            {
                continue;
            }
            if p.near.as_ref().is_some_and(|re| {
                !re.is_match(context::around(blob, m.start(), m.end(), data::NEAR_LINES))
            }) {
                continue;
            }
            if p.unless
                .as_ref()
                .is_some_and(|re| re.is_match(context::line(blob, m.start(), m.start())))
            {
                continue;
            }
            let secrets = secrets.get_or_insert_with(|| engine.matcher().find(blob, path));
            out.sites.push(Site {
                path: path.to_string(),
                walked: path.to_string(),
                line: lines.advance(blob, m.start()).0,
                pattern: p.id.clone(),
                kind: p.kind.clone(),
                title: p.title.clone(),
                migrated: p.migrated,
                client_secret: p.client_secret,
                snippet: redacted_line(blob, m.start(), secrets),
            });
        }
    }
    static CALL: std::sync::OnceLock<(Regex, Regex)> = std::sync::OnceLock::new();
    let (endpoint_re, terraform) = CALL.get_or_init(|| {
        (
            // A product prefix (`/governance/api/v1/…`) is part of the path.
            Regex::new(r"(?-u)(?:/[a-z][a-z0-9-]*)?/api/v[12]/[A-Za-z0-9_\-./{}$%:#@+<>\[\]]+")
                .expect("static regex"),
            Regex::new(r#"(?m-u)^\s*(resource|data)\s+"(okta_[a-z0-9_]+)""#).expect("static regex"),
        )
    });
    let first = out.calls.len();
    // What a Terraform configuration manages is its "API calls".
    let mut lines = LineCursor::default();
    for c in terraform.captures_iter(blob) {
        let managed = &c[1] == b"resource";
        let kind = String::from_utf8_lossy(&c[2]).into_owned();
        out.calls.push(Call {
            path: path.to_string(),
            line: lines.advance(blob, c.get(0).map_or(0, |m| m.start())).0,
            method: Some(if managed { "resource" } else { "data" }.to_string()),
            need: data
                .terraform_scope(&kind, managed)
                .map_or(CallNeed::Unknown, |s| CallNeed::Scope { scope: s.into() }),
            endpoint: kind,
            api: "Terraform".into(),
            ..Call::default()
        });
    }
    let mut lines = LineCursor::default();
    for m in endpoint_re.find_iter(blob) {
        let template = endpoint::template(&String::from_utf8_lossy(m.as_bytes()));
        let template = data.canonical(&template).to_string();
        let method = endpoint::method(blob, m.start(), endpoint_re);
        // A comment that names an endpoint without a method ("see /api/v1/groups") is
        // prose about the API, not a call; `// DELETE /api/v1/users/{id}` documents one.
        if method.is_none() && is_comment(context::line(blob, m.start(), m.start())) {
            continue;
        }
        out.calls.push(Call {
            path: path.to_string(),
            line: lines.advance(blob, m.start()).0,
            need: data.need(method.as_deref(), &template).into(),
            api: data.api_of(method.as_deref(), &template),
            method,
            endpoint: template,
            ..Call::default()
        });
    }
    if out.calls.len() - first > evidence::CATALOGUE_CALLS {
        for c in &mut out.calls[first..] {
            c.catalogue = true;
        }
    }
    let found = sdk::read(path, blob, &out.calls[first..]);
    out.sdk.candidates.extend(found.candidates);
    out.sdk.definitions.extend(found.definitions);
}

fn is_comment(line: &[u8]) -> bool {
    let t = line.trim_ascii_start();
    ["//", "#", "/*", "* ", "--", "<!--", ";"]
        .iter()
        .any(|m| t.starts_with(m.as_bytes()))
        || t == b"*"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::data::Need;

    /// Every usage pattern finds its examples and none of its negative examples.
    #[test]
    fn usage_pattern_examples() {
        let data = AuditData::load().unwrap();
        let engine = Engine::builtin();
        let mut failures = Vec::new();
        for p in &data.patterns {
            assert!(!p.examples.is_empty(), "{} has no examples", p.id);
            for (expected, list) in [(true, &p.examples), (false, &p.negative_examples)] {
                for ex in list.iter() {
                    let mut out = Audit::default();
                    audit_blob(&data, &engine, ex.path(), ex.text().as_bytes(), &mut out);
                    let hit = out.sites.iter().any(|s| s.pattern == p.id);
                    if hit != expected {
                        failures.push(format!(
                            "{}: {:?} (expected {})",
                            p.id,
                            ex.text(),
                            if expected { "a match" } else { "none" }
                        ));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    /// The scope map answers its examples.
    #[test]
    fn scope_examples() {
        let data = AuditData::load().unwrap();
        for ex in &data.scope_examples {
            let (method, path) = ex.request.split_once(' ').unwrap();
            assert_eq!(
                data.scope_for(Some(method), path),
                Some(ex.scope.as_str()),
                "{}",
                ex.request
            );
        }
        assert_eq!(
            data.scope_for(None, "/api/v1/groups/00g1/users"),
            Some("okta.groups.read")
        );
        assert_eq!(data.scope_for(Some("GET"), "/api/v2/whatever"), None);
        assert_eq!(
            data.terraform_scope("okta_group_memberships", true),
            Some("okta.groups.manage")
        );
        assert_eq!(
            data.terraform_scope("okta_group_role", true),
            Some("okta.roles.manage")
        );
        assert_eq!(
            data.terraform_scope("okta_app_oauth", false),
            Some("okta.apps.read")
        );
        assert_eq!(data.terraform_scope("aws_s3_bucket", true), None);
    }

    /// Every resource and data source terraform-provider-okta documents has a scope, and
    /// every scope the map names exists in Okta's published API (operations.toml).
    #[test]
    fn scope_map_covers_every_terraform_type_with_real_scopes() {
        let data = AuditData::load().unwrap();
        let types = include_str!("../../tests/fixtures/audit/terraform-provider-okta-types.txt");
        let mut missing = Vec::new();
        let mut n = 0;
        for line in types
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (kind, name) = line.split_once(' ').unwrap();
            n += 1;
            if data.terraform_scope(name, kind == "resource").is_none() {
                missing.push(line);
            }
        }
        assert!(n > 200, "only {n} types listed");
        assert!(missing.is_empty(), "no scope for {missing:#?}");
        let real = data.operation_scopes();
        let mut unreal: Vec<&str> = data
            .terraform
            .iter()
            .flat_map(|t| [t.read.as_str(), t.manage.as_str()])
            .chain(
                data.endpoints
                    .iter()
                    .flat_map(|e| [e.read.as_str(), e.manage.as_str()]),
            )
            .filter(|s| !real.contains(s))
            .collect();
        unreal.dedup();
        assert!(unreal.is_empty(), "scopes not in Okta's API: {unreal:?}");
    }

    /// Calls to paths no scope covers carry the reason; unknown paths stay unknown.
    #[test]
    fn unscoped_paths_are_explained() {
        let data = AuditData::load().unwrap();
        assert!(matches!(
            data.need(Some("POST"), "/api/v1/authn"),
            Need::NoScope(why) if why.contains("Authentication API")
        ));
        assert!(matches!(
            data.need(
                Some("GET"),
                "/api/v1/internal/rateLimits/clientRateLimitMode"
            ),
            Need::NoScope(_)
        ));
        assert_eq!(
            data.need(Some("GET"), "/api/v1/nothingLikeThis"),
            Need::Unknown
        );
        assert_eq!(
            data.need(None, "/api/v1/groups/{id}/users"),
            Need::Either {
                read: "okta.groups.read",
                manage: "okta.groups.manage"
            }
        );
        assert_eq!(
            data.need(Some("GET"), "/governance/api/v1/settings"),
            Need::Scope("okta.governance.settings.read")
        );
        assert_eq!(
            data.canonical("/governance/api/v1/settings"),
            "/governance/api/v1/settings"
        );
        assert_eq!(data.canonical("/okta-proxy/api/v1/users"), "/api/v1/users");
        assert_eq!(
            data.need(Some("GET"), "/okta-proxy/api/v1/users"),
            Need::Scope("okta.users.read")
        );
    }

    #[test]
    fn calls_with_methods_from_the_same_line() {
        let data = AuditData::load().unwrap();
        let prose = b"// NOTE: the /api/v1/groups API drifted\n# see /api/v1/apps\n// DELETE /api/v1/users/{id}\n";
        let mut out = Audit::default();
        audit_blob(&data, &Engine::builtin(), "app/x.go", prose, &mut out);
        let calls: Vec<&str> = out.calls.iter().map(|c| c.endpoint.as_str()).collect();
        assert_eq!(
            calls,
            ["/api/v1/users/{id}"],
            "only the comment with a method"
        );
        let mut out = Audit::default();
        let code = b"r = requests.post(f\"{org}/api/v1/groups/{gid}/users/{uid}\", headers=h)\nGET /api/v1/users?limit=200 HTTP/1.1\n";
        audit_blob(&data, &Engine::builtin(), "app/x.py", code, &mut out);
        let calls: Vec<(Option<&str>, &str, Option<&str>)> = out
            .calls
            .iter()
            .map(|c| {
                let scope = match &c.need {
                    CallNeed::Scope { scope } => Some(scope.as_str()),
                    _ => None,
                };
                (c.method.as_deref(), c.endpoint.as_str(), scope)
            })
            .collect();
        assert_eq!(
            calls,
            vec![
                (
                    Some("POST"),
                    "/api/v1/groups/{id}/users/{id}",
                    Some("okta.groups.manage")
                ),
                (Some("GET"), "/api/v1/users", Some("okta.users.read")),
            ]
        );
    }
}
