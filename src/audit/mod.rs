//! `tokenwarden audit`: where code and configuration *use* static Okta API tokens (even
//! with no literal token in sight), which Management API endpoints that code calls, and
//! the least-privilege OAuth scopes its replacement service app needs.

pub mod data;
pub mod report;
pub mod sarif;
pub mod scanner;

use std::collections::{BTreeMap, BTreeSet};

use regex::bytes::Regex;
use serde::Serialize;

use crate::engine::Engine;
use crate::locate::redacted_line;
use crate::matcher::context;
use data::AuditData;

/// One place that uses a static token (or, `migrated`, already uses OAuth private keys).
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub path: String,
    pub line: usize,
    pub pattern: String,
    pub kind: String,
    pub title: String,
    pub migrated: bool,
    /// The line, with any secret on it redacted.
    pub snippet: String,
}

/// A Management API call seen in the code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Call {
    pub path: String,
    pub line: usize,
    pub method: Option<String>,
    pub endpoint: String,
    pub scope: Option<String>,
}

/// Sites and calls grouped by component (the top-level directory).
#[derive(Debug, Default, Serialize)]
pub struct Component {
    pub name: String,
    pub kinds: BTreeSet<String>,
    pub sites: Vec<Site>,
    pub calls: Vec<Call>,
    /// The minimal scope set for this component's service app.
    pub scopes: BTreeSet<String>,
}

#[derive(Default)]
pub struct Audit {
    pub sites: Vec<Site>,
    pub calls: Vec<Call>,
}

impl Audit {
    /// Components with at least one static-token usage site, with their calls and scopes.
    pub fn components(&self) -> Vec<Component> {
        let mut by: BTreeMap<String, Component> = BTreeMap::new();
        for s in &self.sites {
            let c = by.entry(component_of(&s.path)).or_default();
            if !s.migrated {
                c.kinds.insert(s.kind.clone());
            }
            c.sites.push(s.clone());
        }
        for call in &self.calls {
            if let Some(c) = by.get_mut(&component_of(&call.path)) {
                c.calls.push(call.clone());
                c.scopes.extend(call.scope.clone());
            }
        }
        by.into_iter()
            .filter(|(_, c)| c.sites.iter().any(|s| !s.migrated))
            .map(|(name, mut c)| {
                c.name = name;
                c.calls.sort();
                c.calls.dedup_by(|a, b| {
                    a.method == b.method && a.endpoint == b.endpoint && a.path == b.path
                });
                c
            })
            .collect()
    }
}

pub fn component_of(path: &str) -> String {
    match path.split_once('/') {
        Some((top, _)) => format!("{top}/"),
        None => "./".to_string(),
    }
}

/// Usage sites and API calls in one file.
pub fn audit_blob(data: &AuditData, engine: &Engine, path: &str, blob: &[u8], out: &mut Audit) {
    let mut secrets = None;
    for p in &data.patterns {
        if p.path
            .as_ref()
            .is_some_and(|re| !re.is_match(path.as_bytes()))
        {
            continue;
        }
        for m in p.regex.find_iter(blob) {
            if p.block
                .as_ref()
                .is_some_and(|re| !re.is_match(context::block(blob, m.start())))
            {
                continue;
            }
            let secrets = secrets.get_or_insert_with(|| engine.matcher.find(blob, path));
            out.sites.push(Site {
                path: path.to_string(),
                line: line_of(blob, m.start()),
                pattern: p.id.clone(),
                kind: p.kind.clone(),
                title: p.title.clone(),
                migrated: p.migrated,
                snippet: redacted_line(blob, m.start(), secrets),
            });
        }
    }
    static CALL: std::sync::OnceLock<(Regex, Regex, Regex)> = std::sync::OnceLock::new();
    let (endpoint, method, terraform) = CALL.get_or_init(|| {
        (
            Regex::new(r"(?-u)/api/v1/[A-Za-z0-9_\-./{}$%:#]+").expect("static regex"),
            Regex::new(r"(?i-u)\b(GET|POST|PUT|PATCH|DELETE|HEAD)\b").expect("static regex"),
            Regex::new(r#"(?m-u)^\s*(resource|data)\s+"(okta_[a-z0-9_]+)""#).expect("static regex"),
        )
    });
    // What a Terraform configuration manages is its "API calls".
    for c in terraform.captures_iter(blob) {
        let managed = &c[1] == b"resource";
        let kind = String::from_utf8_lossy(&c[2]).into_owned();
        out.calls.push(Call {
            path: path.to_string(),
            line: line_of(blob, c.get(0).map_or(0, |m| m.start())),
            method: Some(if managed { "resource" } else { "data" }.to_string()),
            scope: data.terraform_scope(&kind, managed).map(str::to_string),
            endpoint: kind,
        });
    }
    for m in endpoint.find_iter(blob) {
        let raw = String::from_utf8_lossy(m.as_bytes());
        let endpoint = raw.trim_end_matches(['.', ':', ',']).to_string();
        let line_start = memchr::memrchr(b'\n', &blob[..m.start()]).map_or(0, |i| i + 1);
        let verb = method
            .find_iter(&blob[line_start..m.start()])
            .last()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).to_ascii_uppercase());
        let scope = data
            .scope_for(verb.as_deref(), &endpoint)
            .map(str::to_string);
        out.calls.push(Call {
            path: path.to_string(),
            line: line_of(blob, m.start()),
            method: verb,
            endpoint,
            scope,
        });
    }
}

fn line_of(blob: &[u8], offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &blob[..offset]).count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn calls_with_methods_from_the_same_line() {
        let data = AuditData::load().unwrap();
        let mut out = Audit::default();
        let code = b"r = requests.post(f\"{org}/api/v1/groups/{gid}/users/{uid}\", headers=h)\nGET /api/v1/users?limit=200 HTTP/1.1\n";
        audit_blob(&data, &Engine::builtin(), "app/x.py", code, &mut out);
        let calls: Vec<(Option<&str>, &str, Option<&str>)> = out
            .calls
            .iter()
            .map(|c| (c.method.as_deref(), c.endpoint.as_str(), c.scope.as_deref()))
            .collect();
        assert_eq!(
            calls,
            vec![
                (
                    Some("POST"),
                    "/api/v1/groups/{gid}/users/{uid}",
                    Some("okta.groups.manage")
                ),
                (Some("GET"), "/api/v1/users", Some("okta.users.read")),
            ]
        );
    }
}
