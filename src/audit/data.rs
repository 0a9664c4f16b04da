//! The audit's data (`rules/audit/*.toml`, embedded): patterns of static-token usage and
//! the Management API endpoint → OAuth scope map.

use regex::bytes::Regex;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::rules::{EMBEDDED_AUDIT, build_regex};
use crate::tomlfile;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsageFile {
    pattern: Vec<PatternSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternSpec {
    id: String,
    kind: String,
    title: String,
    regex: String,
    path: Option<String>,
    block: Option<String>,
    #[serde(default)]
    migrated: bool,
    #[serde(default)]
    examples: Vec<Example>,
    #[serde(default)]
    negative_examples: Vec<Example>,
}

#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub enum Example {
    Text(String),
    WithPath { text: String, path: String },
}

impl Example {
    pub fn text(&self) -> &str {
        match self {
            Example::Text(t) | Example::WithPath { text: t, .. } => t,
        }
    }

    pub fn path(&self) -> &str {
        match self {
            Example::Text(_) => "example.txt",
            Example::WithPath { path, .. } => path,
        }
    }
}

/// A way code or configuration uses static Okta tokens (or, `migrated`, OAuth instead).
pub struct Pattern {
    pub id: String,
    /// What the replacement looks like: `http`, `env`, `sdk-java`, `terraform`, …
    pub kind: String,
    pub title: String,
    /// Multi-line mode: `^`/`$` match at line ends.
    pub regex: Regex,
    pub path: Option<Regex>,
    /// Must match the enclosing top-level block (as in detection rules' `block` context).
    pub block: Option<Regex>,
    pub migrated: bool,
    pub examples: Vec<Example>,
    pub negative_examples: Vec<Example>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopesFile {
    endpoint: Vec<EndpointSpec>,
    #[serde(default)]
    terraform: Vec<TerraformSpec>,
    #[serde(default)]
    example: Vec<ScopeExample>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerraformSpec {
    pub prefix: String,
    pub read: String,
    pub manage: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointSpec {
    path: String,
    read: String,
    manage: String,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ScopeExample {
    pub request: String,
    pub scope: String,
}

/// Endpoint prefix (path segments; `None` matches any one segment) → scopes.
pub struct Endpoint {
    pub segments: Vec<Option<String>>,
    pub read: String,
    pub manage: String,
}

pub struct AuditData {
    pub patterns: Vec<Pattern>,
    pub endpoints: Vec<Endpoint>,
    /// Terraform resource type prefixes → scopes.
    pub terraform: Vec<TerraformSpec>,
    pub scope_examples: Vec<ScopeExample>,
}

impl AuditData {
    pub fn load() -> Result<AuditData> {
        let file = |name: &str| {
            EMBEDDED_AUDIT
                .iter()
                .find(|(origin, _)| origin.ends_with(name))
                .ok_or_else(|| Error::new(format!("rules/audit/{name} is missing from the build")))
        };
        let (origin, text) = file("usage.toml")?;
        let usage: UsageFile = tomlfile::parse(text, origin)?;
        let patterns = usage
            .pattern
            .into_iter()
            .map(|p| {
                let at = |field: &str| format!("{origin}: pattern `{}`: {field}", p.id);
                Ok(Pattern {
                    regex: build_regex(&format!("(?m){}", p.regex), &at("regex"))?,
                    path: p
                        .path
                        .as_deref()
                        .map(|r| build_regex(r, &at("path")))
                        .transpose()?,
                    block: p
                        .block
                        .as_deref()
                        .map(|r| build_regex(r, &at("block")))
                        .transpose()?,
                    id: p.id,
                    kind: p.kind,
                    title: p.title,
                    migrated: p.migrated,
                    examples: p.examples,
                    negative_examples: p.negative_examples,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let (origin, text) = file("scopes.toml")?;
        let scopes: ScopesFile = tomlfile::parse(text, origin)?;
        let endpoints = scopes
            .endpoint
            .into_iter()
            .map(|e| Endpoint {
                segments: segments(&e.path)
                    .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                    .collect(),
                read: e.read,
                manage: e.manage,
            })
            .collect();
        Ok(AuditData {
            patterns,
            endpoints,
            terraform: scopes.terraform,
            scope_examples: scopes.example,
        })
    }

    /// The scope a request needs: the longest matching endpoint prefix; GET and HEAD need
    /// `read`, other methods `manage`. An unknown method is taken as a read (the report
    /// lists each call, so a reviewer sees which were assumed).
    pub fn scope_for(&self, method: Option<&str>, path: &str) -> Option<&str> {
        let parts: Vec<&str> =
            segments(path.split(['?', '#']).next().unwrap_or_default()).collect();
        let best = self
            .endpoints
            .iter()
            .filter(|e| {
                e.segments.len() <= parts.len()
                    && e.segments.iter().zip(&parts).all(|(want, got)| {
                        want.as_deref().is_none_or(|w| w.eq_ignore_ascii_case(got))
                    })
            })
            .max_by_key(|e| e.segments.len())?;
        let read =
            method.is_none_or(|m| m.eq_ignore_ascii_case("GET") || m.eq_ignore_ascii_case("HEAD"));
        Some(if read { &best.read } else { &best.manage })
    }
}

impl AuditData {
    /// The scope a Terraform `resource` (manage) or `data` source (read) of `kind` needs.
    pub fn terraform_scope(&self, kind: &str, managed: bool) -> Option<&str> {
        let best = self
            .terraform
            .iter()
            .filter(|t| kind.starts_with(&t.prefix))
            .max_by_key(|t| t.prefix.len())?;
        Some(if managed { &best.manage } else { &best.read })
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}
