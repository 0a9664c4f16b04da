//! What a scan reports, independent of how it is printed.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    /// What a scan reports by default.
    #[default]
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// What a report says about a rule: its words and its weight, without what it takes to
/// match. Results carry the descriptions of the rules that produced them, so reports of
/// two runs can be merged and printed without the rule files of either.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub severity: Level,
    pub security_severity: f64,
    pub tags: Vec<String>,
    pub help_uri: Option<String>,
    /// Markdown (plain text when the rule is not `trusted`).
    pub remediation: String,
    pub live_action: Option<String>,
    /// Built in or named by the user; a rule from the scanned tree is not, and its text is
    /// shown literally.
    pub trusted: bool,
}

impl RuleInfo {
    /// What reports say about a rule they were not told about.
    pub fn unknown(id: &str) -> RuleInfo {
        RuleInfo {
            id: id.to_string(),
            name: id.to_string(),
            description: String::new(),
            severity: Level::Warning,
            security_severity: 5.0,
            tags: Vec::new(),
            help_uri: None,
            remediation: String::new(),
            live_action: None,
            trusted: false,
        }
    }
}

/// What a run reads: a directory named on the command line, a repository, or standard
/// input. Results of several roots (an organization's repositories) stay apart by it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Root {
    #[default]
    Stdin,
    Dir(String),
    Repository(String),
}

/// One secret at one place. `secret` and `snippet` are already redacted unless the user
/// asked for `--no-redact`; nothing downstream ever sees the raw value otherwise.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule, by id: `Outcome::rules` describes it.
    pub rule_id: String,
    /// What the run read this from; `path` is as reports show it (relative to where the
    /// command ran for a directory, to the repository root for git).
    pub root: Root,
    pub confidence: Confidence,
    /// Relative to the scan root, `/`-separated.
    pub path: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in Unicode scalar values of the line.
    pub column: usize,
    /// Column just past the secret (SARIF `endColumn` semantics).
    pub end_column: usize,
    pub secret: String,
    pub fingerprint: String,
    pub snippet: String,
    /// Where in git history it came from (history and range scans only).
    pub provenance: Option<Provenance>,
    /// The answer of `--verify`.
    pub verification: Option<Verification>,
    /// Where the raw token waits for `--verify` (the token itself never sits here).
    pub secret_id: Option<crate::vault::SecretId>,
    /// Why it does not count (it is still reported as suppressed).
    pub suppression: Option<Suppression>,
}

/// The commit that introduced a finding. For a secret in an annotated tag's message: the
/// tag object's id, its tagger and date, and a summary naming the tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// Full SHA.
    pub commit: String,
    pub author: String,
    /// Author date, RFC 3339.
    pub date: String,
    /// First line of the commit message.
    pub summary: String,
    /// Whether the same secret is still in the tree of HEAD (of the range's head commit for
    /// `--range`).
    pub at_head: bool,
    /// Later commits that introduced the same secret at the same path again (a regenerated
    /// bundle, a revert of a removal), oldest first. The finding itself names the first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reintroduced_in: Vec<String>,
    /// `history --state`: introduced by a commit the saved state had not covered.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub new: bool,
}

impl Finding {
    /// A high-confidence Okta token finding at line 1 of `path`, for unit tests to adjust.
    #[cfg(test)]
    pub fn example(path: &str, fingerprint: &str) -> Finding {
        Finding {
            rule_id: "okta-api-token".into(),
            root: Root::default(),
            confidence: Confidence::High,
            path: path.into(),
            line: 1,
            column: 1,
            end_column: 43,
            secret: "00ab…".into(),
            fingerprint: fingerprint.into(),
            snippet: String::new(),
            provenance: None,
            verification: None,
            secret_id: None,
            suppression: None,
        }
    }

    /// `--verify` found the credential accepted by its org.
    pub fn is_live(&self) -> bool {
        self.verification
            .as_ref()
            .is_some_and(|v| v.status == Status::Live)
    }

    /// The org `--verify` asked (the one that said live, when one did).
    pub fn verified_org(&self) -> Option<&str> {
        self.verification.as_ref().and_then(|v| v.org.as_deref())
    }

    /// What `--verify` learned a live token can do.
    pub fn exposure(&self) -> Option<&crate::blast::Exposure> {
        self.verification
            .as_ref()
            .and_then(|v| v.exposure.as_deref())
    }
}

/// What `--verify` learned about a finding's credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Unknown,
    Invalid,
    Live,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Live => "live",
            Status::Invalid => "invalid",
            Status::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub status: Status,
    pub org: Option<String>,
    pub reason: Option<String>,
    /// For a live SSWS token: its owner, the owner's roles, its metadata and the impact.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub exposure: Option<Box<crate::blast::Exposure>>,
}

impl Verification {
    /// A verdict with no more than its status, org and reason.
    pub fn new(status: Status, org: Option<String>, reason: Option<String>) -> Verification {
        Verification {
            status,
            org,
            reason,
            exposure: None,
        }
    }
}

/// How a suppression was decided (SARIF `suppressions[].kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SuppressionKind {
    /// Marked in the scanned text itself.
    #[serde(rename = "inSource")]
    InSource,
    /// Decided outside the text: config, ignore file, baseline.
    #[serde(rename = "external")]
    External,
}

/// Why a finding does not count; it is still reported, as suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub justification: String,
    /// The setting that decided it, so that a review can tell which suppressions a change
    /// of settings brought (`justification` says the same in words).
    #[serde(skip)]
    pub by: SuppressedBy,
}

/// Each way to suppress a finding, with the entry that did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppressedBy {
    /// `tokenwarden:allow` on the finding's line.
    Marker,
    /// An `[allow]` entry of the config: its key (`secrets`, `lines`, `stopwords`) and value
    /// as written.
    Allow { key: &'static str, value: String },
    /// A fingerprint line of `.tokenwardenignore`.
    IgnoreFile,
    /// An entry of the `--baseline` file.
    Baseline,
}

/// Same rule + same secret gives the same fingerprint wherever the secret appears, so a
/// fingerprint can be listed in an ignore file or compared across runs and branches.
pub fn fingerprint(rule_id: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"tokenwarden-fingerprint-v1\0");
    h.update(rule_id.as_bytes());
    h.update(b"\0");
    h.update(secret);
    let digest = h.finalize();
    hex(&digest[..12])
}

pub fn hex(bytes: &[u8]) -> String {
    faster_hex::hex_string(bytes)
}

/// The visible prefix of a redacted secret: 4 characters, fewer for short secrets so that a
/// short password is never mostly revealed.
pub fn redact(secret: &str) -> String {
    let chars = secret.chars().count();
    let keep = if chars >= 16 { 4 } else { chars / 4 };
    let mut out: String = secret.chars().take(keep).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_four_characters_of_long_secrets() {
        assert_eq!(redact("00abcdefghijklmnopqrstuvwxyz"), "00ab…");
        assert_eq!(redact("hunter22"), "hu…");
        assert_eq!(redact("abc"), "…");
    }

    #[test]
    fn fingerprint_depends_on_rule_and_secret_only() {
        let a = fingerprint("r", b"s1");
        assert_eq!(a, fingerprint("r", b"s1"));
        assert_ne!(a, fingerprint("r2", b"s1"));
        assert_ne!(a, fingerprint("r", b"s2"));
        assert_eq!(a.len(), 24);
    }
}
