//! The admin role a service app needs beside its scopes. Okta checks both: a scope says
//! which API an app may call, an admin role which objects it may act on. The least
//! privilege is a custom admin role holding only the permissions the calls need, bound
//! to a resource set. `rules/audit/permissions.toml` maps operations to permissions and
//! says where each mapping comes from; some APIs have no custom-role permission and need
//! a standard role, which is said too.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::tomlfile;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PermissionsFile {
    permission: Vec<Mapping>,
    #[serde(rename = "no-permission", default)]
    no_permission: Vec<NoPermission>,
    #[serde(default)]
    resource: Vec<Resource>,
}

/// Operations with `scope` (and `method`, and `path` or paths under `path/**`) need the
/// custom-role permissions `grants`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mapping {
    scope: String,
    method: Option<String>,
    path: Option<String>,
    grants: Vec<String>,
    /// `spec`, `docs` or `inferred`.
    source: String,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoPermission {
    scope: String,
    why: String,
}

/// The resource-set entry (a URL path under the org) that permissions starting with
/// `permission` act on: `okta.users.` → `/api/v1/users`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Resource {
    permission: String,
    path: String,
}

pub struct Roles {
    mappings: Vec<Mapping>,
    no_permission: Vec<NoPermission>,
    resources: Vec<Resource>,
}

/// What one call needs of an admin role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleNeed<'a> {
    Permissions {
        grants: &'a [String],
        source: &'a str,
        note: Option<&'a str>,
    },
    /// No custom-role permission covers it.
    Standard(&'a str),
    /// The scope is not in the mapping.
    Unknown,
}

impl Roles {
    pub fn parse(text: &str, origin: &str) -> Result<Roles> {
        let f: PermissionsFile = tomlfile::parse(text, origin)?;
        Ok(Roles {
            mappings: f.permission,
            no_permission: f.no_permission,
            resources: f.resource,
        })
    }

    /// The most specific mapping for a request that needs `scope`: method and path, then
    /// path, then the scope alone.
    pub fn need(&self, scope: &str, method: Option<&str>, path: &str) -> RoleNeed<'_> {
        let best = self
            .mappings
            .iter()
            .filter(|m| m.scope == scope)
            .filter(|m| {
                m.method
                    .as_deref()
                    .is_none_or(|want| method.is_some_and(|got| got.eq_ignore_ascii_case(want)))
            })
            .filter(|m| m.path.as_deref().is_none_or(|p| path_matches(p, path)))
            .max_by_key(|m| {
                (
                    m.method.is_some() && m.path.is_some(),
                    m.path
                        .as_ref()
                        .map_or(0, |p| p.len() + usize::from(!p.ends_with("/**"))),
                    m.method.is_some(),
                )
            });
        if let Some(m) = best {
            return RoleNeed::Permissions {
                grants: &m.grants,
                source: &m.source,
                note: m.note.as_deref(),
            };
        }
        match self.no_permission.iter().find(|n| n.scope == scope) {
            Some(n) => RoleNeed::Standard(&n.why),
            None => RoleNeed::Unknown,
        }
    }

    /// Resource-set paths for a set of permissions (empty for permissions that act on
    /// no particular objects).
    pub fn resources<'a>(&self, permissions: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut out = BTreeSet::new();
        for p in permissions {
            if let Some(r) = self
                .resources
                .iter()
                .filter(|r| p.starts_with(&r.permission))
                .max_by_key(|r| r.permission.len())
            {
                out.insert(r.path.clone());
            }
        }
        out.into_iter().collect()
    }

    /// Every scope the mapping names (for the test that checks it covers the spec).
    #[cfg(test)]
    pub fn scopes(&self) -> BTreeSet<&str> {
        self.mappings
            .iter()
            .map(|m| m.scope.as_str())
            .chain(self.no_permission.iter().map(|n| n.scope.as_str()))
            .collect()
    }

    /// Every permission the mapping grants.
    #[cfg(test)]
    pub fn permissions(&self) -> BTreeSet<&str> {
        self.mappings
            .iter()
            .flat_map(|m| m.grants.iter().map(String::as_str))
            .collect()
    }
}

/// `/api/v1/users` matches itself; `/api/v1/users/**` matches it and every path under it.
fn path_matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix("/**") {
        Some(prefix) => {
            path == prefix
                || path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('/'))
        }
        None => pattern == path,
    }
}

/// A component's admin role: permissions with the requests that need each, and what no
/// custom role can grant.
#[derive(Debug, Default, Serialize)]
pub struct RolePlan {
    pub permissions: Vec<PermissionUse>,
    /// Resource-set entries (paths under the org URL) the permissions act on.
    pub resources: Vec<String>,
    /// Requests only a standard admin role allows, with why.
    pub standard: Vec<StandardUse>,
    /// Mappings that are inferred rather than stated by Okta, to review.
    pub inferred: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PermissionUse {
    pub permission: String,
    pub calls: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct StandardUse {
    pub scope: String,
    pub why: String,
    pub calls: Vec<String>,
}

/// The role plan for requests, each as (scope, method, path).
pub fn plan<'a>(
    roles: &Roles,
    requests: impl IntoIterator<Item = (&'a str, Option<&'a str>, &'a str)>,
) -> RolePlan {
    let mut permissions: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut standard: BTreeMap<&str, (&str, BTreeSet<String>)> = BTreeMap::new();
    let mut inferred = BTreeSet::new();
    for (scope, method, path) in requests {
        let request = format!("{} {path}", method.unwrap_or("?"));
        match roles.need(scope, method, path) {
            RoleNeed::Permissions {
                grants,
                source,
                note,
            } => {
                for g in grants {
                    permissions.entry(g).or_default().insert(request.clone());
                }
                if source == "inferred" {
                    inferred.insert(format!(
                        "{request} → {}{}",
                        grants.join(", "),
                        note.map(|n| format!(" ({n})")).unwrap_or_default()
                    ));
                }
            }
            RoleNeed::Standard(why) => {
                standard
                    .entry(scope)
                    .or_insert_with(|| (why, BTreeSet::new()))
                    .1
                    .insert(request);
            }
            RoleNeed::Unknown => {}
        }
    }
    RolePlan {
        resources: roles.resources(permissions.keys().copied()),
        permissions: permissions
            .into_iter()
            .map(|(p, calls)| PermissionUse {
                permission: p.to_string(),
                calls: calls.into_iter().collect(),
            })
            .collect(),
        standard: standard
            .into_iter()
            .map(|(scope, (why, calls))| StandardUse {
                scope: scope.to_string(),
                why: why.to_string(),
                calls: calls.into_iter().collect(),
            })
            .collect(),
        inferred: inferred.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::data::AuditData;

    /// Every scope of Okta's spec has a mapping or says why it has none, and every
    /// permission granted is one the okta provider's okta_admin_role_custom documents.
    #[test]
    fn the_mapping_covers_the_spec_with_permissions_the_provider_knows() {
        let data = AuditData::load().unwrap();
        let covered = data.roles.scopes();
        let missing: Vec<&str> = data
            .operation_scopes()
            .into_iter()
            .filter(|s| !covered.contains(s))
            .collect();
        assert!(missing.is_empty(), "no mapping for {missing:?}");
        let schema = include_str!("../../tests/fixtures/audit/terraform-provider-okta-schema.txt");
        let valid: BTreeSet<&str> = schema
            .lines()
            .filter_map(|l| l.strip_prefix("permission-value "))
            .collect();
        assert!(valid.len() > 40);
        let unknown: Vec<&str> = data
            .roles
            .permissions()
            .into_iter()
            .filter(|p| !valid.contains(p))
            .collect();
        assert!(unknown.is_empty(), "not a provider permission: {unknown:?}");
    }

    #[test]
    fn the_most_specific_mapping_wins() {
        let roles = AuditData::load().unwrap().roles;
        let grants = |scope, method, path| match roles.need(scope, method, path) {
            RoleNeed::Permissions { grants, .. } => grants.join(" "),
            RoleNeed::Standard(why) => format!("standard: {why}"),
            RoleNeed::Unknown => "unknown".into(),
        };
        assert_eq!(
            grants("okta.users.manage", Some("POST"), "/api/v1/users"),
            "okta.users.create"
        );
        assert_eq!(
            grants(
                "okta.users.manage",
                Some("POST"),
                "/api/v1/users/{id}/lifecycle/deactivate"
            ),
            "okta.users.lifecycle.deactivate"
        );
        assert_eq!(
            grants(
                "okta.users.manage",
                Some("DELETE"),
                "/api/v1/users/{id}/credentials/x"
            ),
            "okta.users.credentials.manage"
        );
        assert_eq!(
            grants("okta.users.manage", None, "/api/v1/users/{id}/x"),
            "okta.users.manage"
        );
        assert_eq!(
            grants(
                "okta.groups.manage",
                Some("PUT"),
                "/api/v1/groups/{id}/users/{id}"
            ),
            "okta.groups.members.manage"
        );
        assert!(
            grants("okta.policies.manage", Some("PUT"), "/api/v1/policies/{id}")
                .starts_with("standard: ")
        );
        assert_eq!(grants("okta.nothing", None, "/"), "unknown");
        let plan = plan(
            &roles,
            [
                ("okta.users.read", Some("GET"), "/api/v1/users"),
                ("okta.groups.manage", Some("POST"), "/api/v1/groups"),
                ("okta.policies.manage", Some("PUT"), "/api/v1/policies/{id}"),
            ],
        );
        let perms: Vec<&str> = plan
            .permissions
            .iter()
            .map(|p| p.permission.as_str())
            .collect();
        assert_eq!(perms, ["okta.groups.create", "okta.users.read"]);
        assert_eq!(plan.resources, ["/api/v1/groups", "/api/v1/users"]);
        assert_eq!(plan.standard.len(), 1);
    }
}
