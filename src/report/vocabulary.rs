//! The words every reporter uses for the same facts, so a finding reads the same in the
//! terminal, in annotations, in the job summary and in code scanning. What is specific to
//! a rule (its name, what to do when its secret is live, its remediation steps) comes from
//! the rule's data, never from a reporter.

use crate::blast::Exposure;
use crate::escape::sanitize;
use crate::finding::{Finding, Status, Verification};
use crate::finding::{Level, RuleInfo as Rule};

/// How loud a finding is: the rule's severity, except that a live credential is an
/// incident whatever its rule says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn of(rule: &Rule, f: &Finding) -> Severity {
        if f.is_live() {
            return Severity::Error;
        }
        match rule.severity {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Note => Severity::Note,
        }
    }

    /// The GitHub Actions workflow command (`::error`, `::warning`, `::notice`).
    pub fn workflow_command(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        }
    }
}

/// Opens every message about a secret `--verify` found live.
pub const LIVE_HEADLINE: &str = "This token is live: revoke it now.";
/// What to do about a secret that is not known to be live.
pub const ROTATE: &str = "Rotate it and remove it from the code; see the rule help for the steps.";

/// What `--verify` said, in a few words: `live at ORG`, `invalid at ORG: why`,
/// `unverified: why`.
pub fn verification(v: &Verification) -> String {
    let at = v
        .org
        .as_deref()
        .map(|o| format!(" at {o}"))
        .unwrap_or_default();
    let why = v
        .reason
        .as_deref()
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    match v.status {
        Status::Live => match &v.exposure {
            Some(e) => format!("live{at}, {} impact", e.impact.level.as_str()),
            None => format!("live{at}"),
        },
        Status::Invalid => format!("invalid{at}{why}"),
        Status::Unknown => format!("unverified{why}"),
    }
}

/// How urgent a finding is, for lists that put the worst first: live before the rest,
/// and among live tokens the higher impact first.
pub fn urgency(f: &Finding) -> (bool, Option<crate::blast::Level>) {
    (f.is_live(), f.exposure().map(|e| e.impact.level))
}

/// What a live token can do, in a sentence: `Impact: critical (Super Administrator: the
/// whole org; usable from any network). Owner: a@example.com (00u1).`
pub fn impact(e: &Exposure) -> String {
    let owner = e
        .owner
        .as_ref()
        .map(|o| format!(" Owner: {} ({}).", sanitize(&o.login), sanitize(&o.id)))
        .unwrap_or_default();
    format!(
        "Impact: {} ({}).{owner}",
        e.impact.level.as_str(),
        sanitize(&e.impact.why)
    )
}

/// What else was learned of a live token, for a line under it: roles (or why they are
/// unknown) and the token's name, expiry and network condition (or why unknown).
pub fn exposure_details(e: &Exposure) -> String {
    let roles = match (&e.roles, &e.roles_unknown) {
        (Some(r), _) if r.is_empty() => "no admin roles".to_string(),
        (Some(r), _) => format!(
            "roles: {}",
            r.iter()
                .map(|r| sanitize(&r.label))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (None, why) => format!(
            "roles unknown ({})",
            sanitize(why.as_deref().unwrap_or("?"))
        ),
    };
    let token = match (&e.token, &e.token_unknown) {
        (Some(t), _) => {
            let expires = t
                .expires_at
                .as_deref()
                .map(|x| format!(", expires {} unless used", x.get(..10).unwrap_or(x)))
                .unwrap_or_default();
            let network = if t.restricted() {
                format!("network zones {}", sanitize(&t.zones.join(", ")))
            } else {
                "any network".to_string()
            };
            format!("token \"{}\" ({network}{expires})", sanitize(&t.name))
        }
        (None, why) => format!(
            "token metadata unknown ({})",
            sanitize(why.as_deref().unwrap_or("?"))
        ),
    };
    format!("{roles}; {token}")
}

/// The one-paragraph message for a finding (annotations, SARIF results): for a live
/// secret the headline and the rule's own live action, otherwise what was found and the
/// standing advice.
pub fn message(rule: &Rule, f: &Finding) -> String {
    if f.is_live() {
        let org = f.verified_org().unwrap_or("its org");
        let impact = f
            .exposure()
            .map(|e| format!(" {}", impact(e)))
            .unwrap_or_default();
        format!(
            "{LIVE_HEADLINE} {} {} is accepted by {org}.{impact} {}",
            rule.name,
            f.secret,
            rule.live_action.as_deref().unwrap_or(DEFAULT_LIVE_ACTION)
        )
    } else {
        format!(
            "{} found ({} confidence): {}. {ROTATE}",
            rule.name, f.confidence, f.secret
        )
    }
}

const DEFAULT_LIVE_ACTION: &str =
    "Revoke it with its issuer, check the issuer's logs for its use, then replace it.";

/// A rule's remediation where Markdown is rendered: a trusted rule's own Markdown; the
/// text of a rule from the scanned tree literally, so that it cannot lay links, images or
/// HTML in front of whoever reads the alert.
pub fn remediation_markdown(rule: &Rule) -> String {
    if rule.trusted {
        rule.remediation.trim().to_string()
    } else {
        format!(
            "{UNTRUSTED_RULE}\n\n{}",
            crate::escape::markdown_literal(&rule.remediation)
        )
    }
}

/// Says where an untrusted rule's text comes from, before showing it.
pub const UNTRUSTED_RULE: &str = "This rule comes from the scanned repository (a rule directory named by its \
     .tokenwarden.toml); its remediation is shown as written, not rendered:";

/// A remediation's numbered steps, whole, one per line (each step's continuation lines
/// joined to it): for places with no room for the full Markdown.
pub fn steps(remediation: &str) -> Vec<String> {
    let mut steps: Vec<String> = Vec::new();
    let mut in_steps = false;
    for line in remediation.lines() {
        let t = line.trim();
        let numbered = t
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if numbered {
            steps.push(t.to_string());
            in_steps = true;
        } else if in_steps && !t.is_empty() && line.starts_with(' ') {
            if let Some(last) = steps.last_mut() {
                last.push(' ');
                last.push_str(t);
            }
        } else {
            in_steps = false;
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_whole() {
        let md =
            "intro\n\n1. **Revoke it now.** x\n   more\n2. Check.\n3. Replace.\n\nReferences: y";
        assert_eq!(
            steps(md),
            ["1. **Revoke it now.** x more", "2. Check.", "3. Replace."]
        );
    }
}
