//! What a live SSWS token can do: an API token acts with its creator's admin roles, from
//! the networks its condition allows. The owner (from `/api/v1/users/me`), the owner's
//! roles and the token's own metadata decide how bad a leak is, from a full-org compromise
//! (a Super Administrator's token usable from anywhere) to housekeeping (a read-only
//! admin's token limited to a network zone). Only these facts are kept, never the profile
//! or anything else an answer carries.

use serde::Serialize;

/// The user a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owner {
    pub id: String,
    pub login: String,
    pub status: String,
}

/// One of the owner's admin role assignments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    /// `SUPER_ADMIN`, `ORG_ADMIN`, …, `CUSTOM`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `Super Administrator`, or a custom role's name.
    pub label: String,
}

/// The token's own metadata, as the API Tokens API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenMeta {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When it expires unless used again (30 days after its last use).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// `ANYWHERE`, or `ZONE` with the zones it is limited to (or barred from).
    pub network: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_zones: Vec<String>,
}

impl TokenMeta {
    /// Usable only from some networks.
    pub fn restricted(&self) -> bool {
        self.network == "ZONE"
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Medium,
    High,
    Critical,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Critical => "critical",
            Level::High => "high",
            Level::Medium => "medium",
        }
    }
}

/// What was learned of a live token beyond its status: each part is absent when it could
/// not be learned, with the reason beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exposure {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<Role>>,
    /// Why the roles are unknown (not "none": a 403 says the token may not list them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles_unknown: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenMeta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_unknown: Option<String>,
    pub impact: Impact,
}

impl Exposure {
    /// What is known from the token's owner alone, before roles and metadata are asked.
    pub fn of(owner: Option<Owner>) -> Exposure {
        let not_asked = Some("not asked".to_string());
        Exposure {
            owner,
            roles: None,
            roles_unknown: not_asked.clone(),
            token: None,
            token_unknown: not_asked,
            impact: assess(None, None),
        }
    }
}

/// How bad the leak of a live token is, and why in a few words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impact {
    pub level: Level,
    pub why: String,
}

/// Roles that administer the whole org.
const ORG_WIDE: [&str; 2] = ["SUPER_ADMIN", "ORG_ADMIN"];
/// Roles that only read.
const READ_ONLY: [&str; 2] = ["READ_ONLY_ADMIN", "REPORT_ADMIN"];

/// The impact of a live token from what could be learned: `roles` is `None` when they
/// could not be listed, `token` when the token's metadata could not be told apart.
pub fn assess(roles: Option<&[Role]>, token: Option<&TokenMeta>) -> Impact {
    let restricted = token.is_some_and(TokenMeta::restricted);
    let reach = match token {
        Some(t) if t.restricted() => "only from its network zones",
        Some(_) => "usable from any network",
        None => "network condition unknown",
    };
    let impact = |level, what: String| Impact {
        level,
        why: format!("{what}; {reach}"),
    };
    let Some(roles) = roles else {
        return impact(
            Level::High,
            "its owner's admin roles could not be listed".into(),
        );
    };
    let names = |pick: &dyn Fn(&Role) -> bool| {
        roles
            .iter()
            .filter(|r| pick(r))
            .map(|r| r.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if roles.iter().any(|r| ORG_WIDE.contains(&r.kind.as_str())) {
        let which = names(&|r| ORG_WIDE.contains(&r.kind.as_str()));
        let level = if restricted {
            Level::High
        } else {
            Level::Critical
        };
        return impact(level, format!("{which}: the whole org"));
    }
    if roles.iter().any(|r| !READ_ONLY.contains(&r.kind.as_str())) {
        let which = names(&|r| !READ_ONLY.contains(&r.kind.as_str()));
        let level = if restricted {
            Level::Medium
        } else {
            Level::High
        };
        return impact(
            level,
            format!("{which}: changes what those roles administer"),
        );
    }
    if roles.is_empty() {
        return impact(Level::Medium, "no admin roles".into());
    }
    impact(
        Level::Medium,
        format!("{}: reads, cannot change", names(&|_| true)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(kind: &str, label: &str) -> Role {
        Role {
            kind: kind.into(),
            label: label.into(),
        }
    }

    fn token(network: &str, zones: &[&str]) -> TokenMeta {
        TokenMeta {
            id: "00T1".into(),
            name: "ci".into(),
            created: None,
            expires_at: None,
            network: network.into(),
            zones: zones.iter().map(|z| z.to_string()).collect(),
            excluded_zones: Vec::new(),
        }
    }

    #[test]
    fn roles_and_network_decide_the_level() {
        let anywhere = token("ANYWHERE", &[]);
        let zoned = token("ZONE", &["nzo1"]);
        let level = |roles: Option<&[Role]>, t: Option<&TokenMeta>| assess(roles, t).level;
        let sa = [role("SUPER_ADMIN", "Super Administrator")];
        let app = [role("APP_ADMIN", "Application Administrator")];
        let ro = [role("READ_ONLY_ADMIN", "Read-only Administrator")];
        assert_eq!(level(Some(&sa), Some(&anywhere)), Level::Critical);
        assert_eq!(level(Some(&sa), None), Level::Critical);
        assert_eq!(level(Some(&sa), Some(&zoned)), Level::High);
        assert_eq!(level(Some(&app), Some(&anywhere)), Level::High);
        assert_eq!(level(Some(&app), Some(&zoned)), Level::Medium);
        assert_eq!(level(Some(&ro), Some(&anywhere)), Level::Medium);
        assert_eq!(level(Some(&[]), Some(&anywhere)), Level::Medium);
        assert_eq!(level(None, Some(&anywhere)), Level::High);
        assert_eq!(
            assess(Some(&sa), Some(&anywhere)).why,
            "Super Administrator: the whole org; usable from any network"
        );
    }
}
