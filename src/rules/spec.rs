//! The on-disk rule format (`rules/*.toml`), exactly as users write it. Compiling it into
//! something the matcher can run happens in `compile.rs`.

use serde::Deserialize;

use crate::finding::Confidence;
pub use crate::finding::Level;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub name: String,
    pub description: String,
    /// SARIF result level: `error`, `warning` or `note`.
    pub severity: Level,
    /// GitHub's 0.0–10.0 score (≥ 9 critical, ≥ 7 high, ≥ 4 medium).
    pub security_severity: f64,
    /// Case-insensitive literals; the rule's regex only runs on blobs containing one.
    /// Empty: the regex runs on every blob (it should then start with a rare literal).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Case-sensitive literals; the rule's regex only runs on blobs containing one. For rare,
    /// exact prefixes (`MDA` of a base64 token): all rules' anchors are found in one shared
    /// pass, cheaper than a regex pass per rule.
    #[serde(default)]
    pub anchors: Vec<String>,
    /// Like `anchors`, for the `regex_variants` only: the main `regex` runs on every blob,
    /// the variants only where one of these occurs.
    #[serde(default)]
    pub variant_anchors: Vec<String>,
    /// A blob-level check the main `regex` needs to pass first, for rules without a literal
    /// rare enough to be an anchor: `query-parameter` (`[?&;]name=value`).
    #[serde(default)]
    pub gate: Option<super::gate::Gate>,
    /// `regex::bytes` syntax; must have a named group `secret`. A group `name` is checked
    /// against `filters.names`.
    pub regex: String,
    /// More patterns for the same secret in another encoding (e.g. JSON-escaped `:\/\/`),
    /// with the same named groups. Kept apart from `regex` because an alternation of
    /// literals can cost the regex engine its literal prefilter (measured: 2.7x slower).
    #[serde(default)]
    pub regex_variants: Vec<String>,
    /// A character class (regex syntax, e.g. `[A-Za-z0-9_-]`): the secret must not touch a
    /// character of this class on either side, so substrings of longer strings never match.
    #[serde(default)]
    pub not_adjacent: Option<String>,
    /// How to decode the captured secret before filtering and fingerprinting.
    #[serde(default)]
    pub decode: Decode,
    /// Rules whose findings this rule replaces when both find the same secret; the finding
    /// keeps the higher of the two confidences.
    #[serde(default)]
    pub supersedes: Vec<String>,
    /// Also run on blobs that look binary (a NUL byte in the first 8 KiB), which the other
    /// rules skip; there only high-confidence findings are kept.
    #[serde(default)]
    pub scan_binary: bool,
    #[serde(default)]
    pub tags: Vec<String>,
    /// What the secret is (`okta-api-token`, …): chooses how `--verify` checks it live.
    #[serde(default)]
    pub credential: Option<crate::credential::Kind>,
    /// The older spelling of `credential = "okta-api-token"`: `verify = "okta"`.
    #[serde(default)]
    pub verify: Option<Verifier>,
    /// Values to capture around a match for the credential (an org URL, a client id).
    #[serde(default)]
    pub companions: Vec<CompanionSpec>,
    #[serde(default)]
    pub help_uri: Option<String>,
    /// Markdown shown in SARIF `help.markdown` and `tokenwarden rules list --verbose`.
    pub remediation: String,
    /// What to do right now when `--verify` finds a secret of this rule live: a sentence
    /// or two, shown in annotations and code scanning messages after "This token is live:
    /// revoke it now."
    #[serde(default)]
    pub live_action: Option<String>,
    #[serde(default)]
    pub filters: FilterSpec,
    /// Confidence of a match that no `[[context]]` entry upgrades or downgrades.
    #[serde(default = "default_confidence")]
    pub confidence: Confidence,
    /// Tried in order; the first entry whose conditions all hold sets the confidence.
    #[serde(default)]
    pub context: Vec<ContextSpec>,
    #[serde(default)]
    pub examples: Vec<ExampleSpec>,
    #[serde(default)]
    pub negative_examples: Vec<NegativeSpec>,
}

fn default_confidence() -> Confidence {
    Confidence::Medium
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verifier {
    /// An Okta API token: `credential = "okta-api-token"`.
    Okta,
}

/// A value to capture next to a rule's match (Nosey Parker's named captures, Kingfisher's
/// `depends_on_rule`): `regex` must have a group `value`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanionSpec {
    /// `org` (an org URL or host), `client_id` or `key_id`.
    pub name: String,
    pub regex: String,
    /// Look only this many lines above and below the match; the whole file when absent.
    pub within_lines: Option<usize>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decode {
    #[default]
    None,
    /// `%XX` escapes, as in URL query strings and userinfo.
    Percent,
    /// Standard base64 (padding optional), as in Kubernetes `Secret` data: the decoded bytes
    /// are the secret, filtered, fingerprinted and shown redacted.
    Base64,
    /// String literals joined by `+` (`"00abc" + "def"`), or a double-quoted YAML scalar
    /// continued with `\` at the end of a line: quotes, `+`, `\`, line breaks and white
    /// space are removed, so the secret is the joined value.
    Concat,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterSpec {
    /// Minimum length of the decoded secret, in bytes.
    pub min_length: Option<usize>,
    /// Minimum Shannon entropy of the decoded secret, in bits per byte.
    pub min_entropy: Option<f64>,
    /// Case-insensitive substrings that mark a placeholder (`xxxx`, `example`, `your`).
    #[serde(default)]
    pub placeholders: Vec<String>,
    /// Regexes on the decoded secret; a match rejects it (`^[0-9a-f]+$`: a hex digest).
    #[serde(default)]
    pub reject: Vec<String>,
    /// A regex the decoded secret must match whole (for encoded rules: what the decoded
    /// bytes have to be, e.g. an Okta token's shape).
    #[serde(default)]
    pub require: Option<String>,
    /// Regex on the text just before the secret (same line); a match rejects it.
    pub reject_before: Option<String>,
    /// Regex on the text just after the secret (same line); a match rejects it.
    pub reject_after: Option<String>,
    /// Reject a secret with the same character this many times in a row.
    pub max_repeat: Option<usize>,
    /// Reject a secret with an ascending or descending run (`abcde`, `54321`) this long.
    pub max_sequence: Option<usize>,
    /// Allowed values of the `name` group, compared case-insensitively ignoring `_` and `-`.
    #[serde(default)]
    pub names: Vec<String>,
    /// Reject a secret embedded in a longer base64 string (joined by `+` or `/`).
    #[serde(default)]
    pub base64_guard: bool,
    /// For a JWT secret: a regex its decoded payload (the second `.`-separated part,
    /// base64url) must match, such as an `iss` of the issuer the rule is about. A secret
    /// that is no JWT is rejected. The signature is never checked.
    pub jwt_payload: Option<String>,
}

/// Conditions that must all hold for `confidence` to apply. Every regex is `regex::bytes`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextSpec {
    pub confidence: Confidence,
    /// Matches the text that ends right before the secret, on the same line (implicitly
    /// anchored at the secret).
    pub before: Option<String>,
    /// Matches the text that starts right after the secret, on the same line (implicitly
    /// anchored at the secret).
    pub after: Option<String>,
    /// Matches the path of the file (relative, `/`-separated).
    pub path: Option<String>,
    /// Matches anywhere in the same file or blob.
    pub file: Option<String>,
    /// Matches the text of the enclosing top-level block: from the last line before the
    /// secret that starts in column 0 (a YAML root key, an HCL `provider` block) up to it.
    pub block: Option<String>,
    /// Matches the lines just above the secret's line (up to three, at most 512 bytes;
    /// blank lines are skipped): a key on one line and its value on the next, as in
    /// Kubernetes `- name: OKTA_API_TOKEN` / `value: …` or an XML element around a value.
    pub above: Option<String>,
    /// Why this context means what it means; shown by `rules list --verbose`.
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleSpec {
    pub text: String,
    /// The secret the rule must report for this text.
    pub secret: String,
    /// If given, the confidence the finding must have.
    pub confidence: Option<Confidence>,
    /// The path the text is scanned as (for `path` contexts); default `example.txt`.
    pub path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NegativeSpec {
    pub text: String,
    /// The path the text is scanned as; default `example.txt`.
    pub path: Option<String>,
}
