//! The migration plan every audit output renders: components (build units with
//! static-token usage), their calls aggregated by endpoint template, the scope set each
//! service app needs with the calls that justify each scope, and what tests, fixtures and
//! docs mention outside it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::evidence::{self, Evidence};
use super::model::{Audit, Call, CallNeed, Site};
use super::roles::{self, RolePlan, Roles};

/// Example locations kept per aggregated call.
const EXAMPLES: usize = 3;

#[derive(Debug, Serialize)]
pub struct Plan {
    /// Classes of evidence that set scopes (production always).
    pub scoped_evidence: Vec<Evidence>,
    pub components: Vec<ComponentPlan>,
    /// What the other classes of evidence mention, summarised.
    pub elsewhere: Vec<Elsewhere>,
}

#[derive(Debug, Default, Serialize)]
pub struct ComponentPlan {
    /// Relative to the audited root, ending in `/` (`./` for the root itself).
    pub name: String,
    /// What makes it a unit: a manifest (`go.mod`, …), a Terraform root module, or
    /// `top-level directory`.
    pub unit: String,
    /// Ways the static token is used (usage pattern kinds).
    pub uses: BTreeSet<String>,
    pub sites: Vec<Site>,
    /// OAuth clients authenticated with a client secret (move to `private_key_jwt`).
    pub client_secrets: Vec<Site>,
    pub calls: Vec<CallRow>,
    /// The service app's scopes, each with the calls that need it.
    pub scopes: Vec<ScopeUse>,
    /// Write scopes that calls with no method found might need: confirm before granting.
    pub scopes_to_confirm: Vec<ScopeUse>,
    /// Call sites (not rows) whose scope is unknown.
    pub unknown_calls: usize,
    pub total_calls: usize,
    /// Call sites that go through an SDK method.
    pub sdk_calls: usize,
    /// The calls grouped by API (the spec's tags), for reading.
    pub apis: Vec<ApiGroup>,
    /// SDK calls no operation was found for, with the reason.
    pub unmapped: Vec<Unmapped>,
    /// SDK method names that fit several operations: each was counted.
    pub shared_names: Vec<SharedName>,
    /// The custom admin role its service app needs.
    pub role: RolePlan,
}

/// A component's calls to one API.
#[derive(Debug, Serialize)]
pub struct ApiGroup {
    /// The spec's tag (`Policy`), `Terraform`, or `other` for paths the spec lacks.
    pub api: String,
    /// Call sites.
    pub calls: usize,
    /// Distinct (method, endpoint) pairs.
    pub endpoints: usize,
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Unmapped {
    /// As written (`UserAPI.ListUsersOfTheMoon`).
    pub call: String,
    pub why: String,
    pub count: usize,
    pub examples: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SharedName {
    pub call: String,
    /// The operations it was counted as.
    pub operations: Vec<String>,
}

/// One (method, endpoint template) of a component, aggregated.
#[derive(Debug, Clone, Serialize)]
pub struct CallRow {
    pub method: Option<String>,
    pub endpoint: String,
    pub evidence: Evidence,
    /// Call sites aggregated into this row.
    pub count: usize,
    /// Up to three `path:line` locations.
    pub examples: Vec<String>,
    #[serde(flatten)]
    pub need: CallNeed,
    /// The SDK methods that made these calls, as written.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub sdk: BTreeSet<String>,
}

impl CallRow {
    /// `GET /api/v1/users`, `resource okta_group`, `? /api/v1/users`.
    pub fn request(&self) -> String {
        format!(
            "{} {}",
            self.method.as_deref().unwrap_or("?"),
            self.endpoint
        )
    }
}

#[derive(Debug, Serialize)]
pub struct ScopeUse {
    pub scope: String,
    /// The requests (method and template) that need it.
    pub calls: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Elsewhere {
    pub evidence: Evidence,
    pub calls: usize,
    pub endpoints: usize,
    pub files: usize,
    /// Scopes these calls would add to the production sets (`--include-evidence`).
    pub extra_scopes: Vec<String>,
    /// The most frequent calls.
    pub top: Vec<CallRow>,
    /// Static-token mentions of this class.
    pub sites: Vec<Site>,
}

/// A catalogue among test fixtures or docs stays what it is: only code that would
/// otherwise set scopes needs telling apart from a list of endpoints.
fn evidence_of(call: &Call) -> Evidence {
    match evidence::classify(&call.path) {
        Evidence::Production if call.catalogue => Evidence::Catalogue,
        class => class,
    }
}

/// Build units: the nearest directory below the root holding a manifest, else the
/// top-level directory. A manifest at the root itself does not make the whole
/// repository one unit: a repository's top-level directories are what teams own.
fn unit_of<'a>(path: &str, units: &'a BTreeMap<String, &'static str>) -> (String, &'a str) {
    let mut dir = path;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        dir = parent;
        if let Some(kind) = units.get(dir) {
            return (format!("{dir}/"), kind);
        }
    }
    match path.split_once('/') {
        Some((top, _)) => (format!("{top}/"), "top-level directory"),
        None => ("./".to_string(), "repository root"),
    }
}

pub fn plan(audit: &Audit, include: &[Evidence], roles: &Roles) -> Plan {
    let scoped = |e: Evidence| e == Evidence::Production || include.contains(&e);
    let units: BTreeMap<String, &'static str> = audit
        .manifests
        .iter()
        .filter_map(|m| Some((m.path.rsplit_once('/')?.0.to_string(), m.kind)))
        .collect();
    let mut by: BTreeMap<String, ComponentPlan> = BTreeMap::new();
    let mut outside_sites: BTreeMap<Evidence, Vec<Site>> = BTreeMap::new();
    for s in audit.sites.iter().filter(|s| !s.migrated) {
        let class = evidence::classify(&s.path);
        if !scoped(class) {
            outside_sites.entry(class).or_default().push(s.clone());
            continue;
        }
        let (name, unit) = unit_of(&s.path, &units);
        let c = by.entry(name.clone()).or_insert_with(|| ComponentPlan {
            name,
            unit: unit.to_string(),
            ..ComponentPlan::default()
        });
        if s.client_secret {
            c.client_secrets.push(s.clone());
        } else {
            c.uses.insert(s.kind.clone());
            c.sites.push(s.clone());
        }
    }
    let mut component_calls: BTreeMap<String, Vec<&Call>> = BTreeMap::new();
    let mut outside_calls: BTreeMap<Evidence, Vec<&Call>> = BTreeMap::new();
    for call in &audit.calls {
        // A component's calls to its own methods are counted where the methods are.
        let within = |d: &String| unit_of(d, &units).0 == unit_of(&call.path, &units).0;
        if call
            .sdk
            .as_ref()
            .and_then(|s| s.defined_in.as_ref())
            .is_some_and(within)
        {
            continue;
        }
        let class = evidence_of(call);
        if scoped(class) {
            let (name, _) = unit_of(&call.path, &units);
            if by.contains_key(&name) {
                component_calls.entry(name).or_default().push(call);
                continue;
            }
        }
        if class != Evidence::Production {
            outside_calls.entry(class).or_default().push(call);
        }
    }
    let mut production_scopes = BTreeSet::new();
    for (name, c) in &mut by {
        let calls = component_calls.remove(name).unwrap_or_default();
        c.total_calls = sites(calls.iter().copied());
        c.unknown_calls = sites(
            calls
                .iter()
                .copied()
                .filter(|x| x.need == CallNeed::Unknown),
        );
        c.sdk_calls = sites(calls.iter().copied().filter(|x| x.sdk.is_some()));
        c.calls = rows(&calls);
        c.apis = apis(&calls);
        (c.unmapped, c.shared_names) = sdk_notes(&calls);
        c.role = roles::plan(
            roles,
            c.calls.iter().filter_map(|r| {
                let scope = match &r.need {
                    CallNeed::Scope { scope } => scope,
                    CallNeed::ReadOrWrite { read, .. } => read,
                    CallNeed::NoScope { .. } | CallNeed::Unknown => return None,
                };
                Some((scope.as_str(), r.method.as_deref(), r.endpoint.as_str()))
            }),
        );
        let (sure, confirm) = scope_uses(&c.calls);
        production_scopes.extend(sure.iter().map(|s| s.scope.clone()));
        c.scopes = sure;
        c.scopes_to_confirm = confirm;
    }
    let mut classes: BTreeSet<Evidence> = outside_calls.keys().copied().collect();
    classes.extend(outside_sites.keys().copied());
    let elsewhere = classes
        .into_iter()
        .map(|evidence| {
            let calls = outside_calls.remove(&evidence).unwrap_or_default();
            let mut all = rows(&calls);
            let extra: BTreeSet<String> = all
                .iter()
                .filter_map(|r| match &r.need {
                    CallNeed::Scope { scope } => Some(scope.clone()),
                    _ => None,
                })
                .filter(|s| !production_scopes.contains(s))
                .collect();
            let endpoints = all.len();
            all.sort_by(|a, b| b.count.cmp(&a.count).then(a.endpoint.cmp(&b.endpoint)));
            all.truncate(5);
            Elsewhere {
                evidence,
                calls: calls.len(),
                endpoints,
                files: calls
                    .iter()
                    .map(|c| c.path.as_str())
                    .collect::<BTreeSet<_>>()
                    .len(),
                extra_scopes: extra.into_iter().collect(),
                top: all,
                sites: outside_sites.remove(&evidence).unwrap_or_default(),
            }
        })
        .collect();
    Plan {
        scoped_evidence: std::iter::once(Evidence::Production)
            .chain(include.iter().copied())
            .collect(),
        components: by.into_values().collect(),
        elsewhere,
    }
}

/// Call sites: an SDK call that counts as several operations is one site.
fn sites<'a>(calls: impl Iterator<Item = &'a Call>) -> usize {
    calls
        .map(|c| {
            (
                &c.path,
                c.line,
                c.sdk.as_ref().map_or(&c.endpoint, |s| &s.written),
            )
        })
        .collect::<BTreeSet<_>>()
        .len()
}

/// Calls grouped by API, in API order (`other` last).
fn apis(calls: &[&Call]) -> Vec<ApiGroup> {
    let mut by: BTreeMap<&str, Vec<&Call>> = BTreeMap::new();
    for c in calls {
        by.entry(if c.api.is_empty() { "other" } else { &c.api })
            .or_default()
            .push(c);
    }
    let mut out: Vec<ApiGroup> = by
        .into_iter()
        .map(|(api, calls)| {
            let endpoints: BTreeSet<(&str, Option<&str>)> = calls
                .iter()
                .map(|c| (c.endpoint.as_str(), c.method.as_deref()))
                .collect();
            let scopes: BTreeSet<String> = calls
                .iter()
                .flat_map(|c| match &c.need {
                    CallNeed::Scope { scope } => vec![scope.clone()],
                    CallNeed::ReadOrWrite { read, .. } => vec![read.clone()],
                    _ => Vec::new(),
                })
                .collect();
            ApiGroup {
                api: api.to_string(),
                calls: sites(calls.iter().copied()),
                endpoints: endpoints.len(),
                scopes: scopes.into_iter().collect(),
            }
        })
        .collect();
    out.sort_by_key(|g| g.api == "other");
    out
}

/// Unmapped SDK calls by name, and names counted as several operations.
fn sdk_notes(calls: &[&Call]) -> (Vec<Unmapped>, Vec<SharedName>) {
    let mut unmapped: BTreeMap<(&str, &str), Unmapped> = BTreeMap::new();
    let mut shared: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for c in calls {
        let Some(sdk) = &c.sdk else { continue };
        if let Some(why) = &sdk.unmapped {
            let u = unmapped
                .entry((&sdk.written, why))
                .or_insert_with(|| Unmapped {
                    call: sdk.written.clone(),
                    why: why.clone(),
                    count: 0,
                    examples: Vec::new(),
                });
            u.count += 1;
            if u.examples.len() < EXAMPLES {
                u.examples.push(format!("{}:{}", c.path, c.line));
            }
        } else if sdk.alternatives > 1 {
            shared.entry(&sdk.written).or_default().insert(format!(
                "{} {}",
                c.method.as_deref().unwrap_or("?"),
                c.endpoint
            ));
        }
    }
    (
        unmapped.into_values().collect(),
        shared
            .into_iter()
            .map(|(call, ops)| SharedName {
                call: call.to_string(),
                operations: ops.into_iter().collect(),
            })
            .collect(),
    )
}

/// One row per (method, template), in endpoint order.
fn rows(calls: &[&Call]) -> Vec<CallRow> {
    let mut by: BTreeMap<(&str, Option<&str>), CallRow> = BTreeMap::new();
    for c in calls {
        let row = by
            .entry((c.endpoint.as_str(), c.method.as_deref()))
            .or_insert_with(|| CallRow {
                method: c.method.clone(),
                endpoint: c.endpoint.clone(),
                evidence: evidence_of(c),
                count: 0,
                examples: Vec::new(),
                need: c.need.clone(),
                sdk: BTreeSet::new(),
            });
        row.count += 1;
        if let Some(sdk) = &c.sdk {
            row.sdk.insert(sdk.written.clone());
        }
        if row.examples.len() < EXAMPLES {
            row.examples.push(format!("{}:{}", c.path, c.line));
        }
    }
    by.into_values().collect()
}

/// Scopes the rows need for sure, and write scopes to confirm for method-less calls.
fn scope_uses(rows: &[CallRow]) -> (Vec<ScopeUse>, Vec<ScopeUse>) {
    let mut sure: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut confirm: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in rows {
        match &r.need {
            CallNeed::Scope { scope } => sure.entry(scope).or_default().push(r.request()),
            CallNeed::ReadOrWrite { read, manage } => {
                sure.entry(read).or_default().push(r.request());
                confirm.entry(manage).or_default().push(r.request());
            }
            CallNeed::NoScope { .. } | CallNeed::Unknown => {}
        }
    }
    let uses = |m: BTreeMap<&str, Vec<String>>| {
        m.into_iter()
            .map(|(scope, calls)| ScopeUse {
                scope: scope.to_string(),
                calls,
            })
            .collect::<Vec<_>>()
    };
    let sure = uses(sure);
    confirm.retain(|scope, _| !sure.iter().any(|s| s.scope == *scope));
    (sure, uses(confirm))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::model::Manifest;

    fn call(path: &str, method: Option<&str>, endpoint: &str, need: CallNeed) -> Call {
        Call {
            path: path.into(),
            line: 1,
            method: method.map(str::to_string),
            endpoint: endpoint.into(),
            need,
            ..Call::default()
        }
    }

    fn site(path: &str) -> Site {
        Site {
            path: path.into(),
            walked: path.into(),
            line: 1,
            pattern: "okta-token-env".into(),
            kind: "env".into(),
            title: String::new(),
            migrated: false,
            client_secret: false,
            snippet: String::new(),
        }
    }

    fn scope(s: &str) -> CallNeed {
        CallNeed::Scope { scope: s.into() }
    }

    #[test]
    fn build_units_evidence_and_aggregation() {
        let audit = Audit {
            sites: vec![
                site("services/users/index.js"),
                site("services/groups/app/main.py"),
                site("docs/setup.md"),
            ],
            calls: vec![
                call(
                    "services/users/index.js",
                    Some("GET"),
                    "/api/v1/users/{id}",
                    scope("okta.users.read"),
                ),
                call(
                    "services/users/lib/x.js",
                    Some("GET"),
                    "/api/v1/users/{id}",
                    scope("okta.users.read"),
                ),
                call(
                    "services/users/test/x.test.js",
                    Some("DELETE"),
                    "/api/v1/users/{id}",
                    scope("okta.users.manage"),
                ),
                call(
                    "services/groups/app/main.py",
                    None,
                    "/api/v1/groups/{id}/users",
                    CallNeed::ReadOrWrite {
                        read: "okta.groups.read".into(),
                        manage: "okta.groups.manage".into(),
                    },
                ),
                call(
                    "docs/setup.md",
                    Some("POST"),
                    "/api/v1/apps",
                    scope("okta.apps.manage"),
                ),
            ],
            manifests: vec![
                Manifest {
                    path: "services/users/package.json".into(),
                    kind: "package.json",
                },
                Manifest {
                    path: "services/groups/pyproject.toml".into(),
                    kind: "pyproject.toml",
                },
                Manifest {
                    path: "go.mod".into(),
                    kind: "go.mod",
                },
            ],
            ..Audit::default()
        };
        let roles = crate::audit::data::AuditData::load().unwrap().roles;
        let p = plan(&audit, &[], &roles);
        let names: Vec<&str> = p.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["services/groups/", "services/users/"]);
        let users = &p.components[1];
        assert_eq!(users.unit, "package.json");
        assert_eq!(users.calls.len(), 1);
        assert_eq!(users.calls[0].count, 2);
        assert_eq!(users.calls[0].examples.len(), 2);
        assert_eq!(users.scopes.len(), 1);
        assert_eq!(users.scopes[0].scope, "okta.users.read");
        let groups = &p.components[0];
        assert_eq!(groups.scopes[0].scope, "okta.groups.read");
        assert_eq!(groups.scopes_to_confirm[0].scope, "okta.groups.manage");
        // The test's DELETE and the docs' POST are summarised, not granted.
        let tests = p
            .elsewhere
            .iter()
            .find(|e| e.evidence == Evidence::Tests)
            .unwrap();
        assert_eq!(tests.calls, 1);
        assert_eq!(tests.extra_scopes, ["okta.users.manage"]);
        let docs = p
            .elsewhere
            .iter()
            .find(|e| e.evidence == Evidence::Docs)
            .unwrap();
        assert_eq!(docs.sites.len(), 1);
        assert_eq!(docs.extra_scopes, ["okta.apps.manage"]);
        // Included on request.
        let p = plan(&audit, &[Evidence::Tests], &roles);
        let users = p
            .components
            .iter()
            .find(|c| c.name == "services/users/")
            .unwrap();
        assert_eq!(
            users
                .scopes
                .iter()
                .map(|s| s.scope.as_str())
                .collect::<Vec<_>>(),
            ["okta.users.manage", "okta.users.read"]
        );
    }

    #[test]
    fn without_a_manifest_below_the_root_the_top_level_directory_is_the_unit() {
        let units = BTreeMap::from([("".to_string(), "go.mod")]);
        assert_eq!(unit_of("okta/services/x.go", &units).0, "okta/");
        assert_eq!(unit_of("main.go", &units).0, "./");
        let units = BTreeMap::from([("scripts/gen".to_string(), "go.mod")]);
        assert_eq!(
            unit_of("scripts/gen/main.go", &units),
            ("scripts/gen/".to_string(), "go.mod")
        );
    }
}
