//! Ways to silence a finding without weakening a rule, each leaving a trace: suppressed
//! findings don't fail the run, but are counted, listed in JSON and carried into SARIF
//! with `suppressions` so code scanning closes their alerts.
//!
//! - in the source: `tokenwarden:allow` anywhere on the line (any comment syntax);
//! - `.tokenwarden.toml`: `[allow] secrets`/`lines` regexes and `stopwords`;
//! - `.tokenwardenignore`: one fingerprint per line, suppressed everywhere;
//! - `--baseline FILE`: a previous JSON report; what it lists (same fingerprint, same
//!   path) is not new.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use regex::bytes::Regex;

use crate::error::{Error, Result};
use crate::finding::{Finding, SuppressedBy, Suppression, SuppressionKind as Kind};

pub const INLINE_MARKER: &[u8] = b"tokenwarden:allow";
pub const IGNORE_FILE: &str = ".tokenwardenignore";
/// 1 MiB holds 40,000 fingerprints; anything larger is not an ignore file.
pub const MAX_IGNORE_FILE_BYTES: u64 = 1 << 20;

/// Rules that look at the raw secret and its line, so they run inside the engine,
/// before redaction.
#[derive(Default, Clone)]
pub struct LineAllow {
    pub secrets: Vec<Regex>,
    pub lines: Vec<Regex>,
    /// Lowercased.
    pub stopwords: Vec<String>,
}

impl LineAllow {
    pub fn check(&self, line: &[u8], secret: &[u8]) -> Option<Suppression> {
        if memchr::memmem::find(line, INLINE_MARKER).is_some() {
            return Some(Suppression {
                kind: Kind::InSource,
                justification: "marked tokenwarden:allow on the line".into(),
                by: SuppressedBy::Marker,
            });
        }
        let external = |why: String, key: &'static str, value: &str| {
            Some(Suppression {
                kind: Kind::External,
                justification: why,
                by: SuppressedBy::Allow {
                    key,
                    value: value.to_string(),
                },
            })
        };
        if let Some(r) = self.secrets.iter().find(|r| r.is_match(secret)) {
            // Quoted redacted: a regex on secrets may spell out most of the secret.
            let why = format!(
                "secret matches [allow] secrets `{}`",
                crate::finding::redact(r.as_str())
            );
            return external(why, "secrets", r.as_str());
        }
        if let Some(r) = self.lines.iter().find(|r| r.is_match(line)) {
            let why = format!("line matches [allow] lines `{}`", r.as_str());
            return external(why, "lines", r.as_str());
        }
        let lower = secret.to_ascii_lowercase();
        if let Some(w) = self
            .stopwords
            .iter()
            .find(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
        {
            let why = format!("secret contains [allow] stopword `{w}`");
            return external(why, "stopwords", w);
        }
        None
    }
}

/// Fingerprint-based suppressions, applied to finished findings.
#[derive(Default, Clone)]
pub struct Known {
    ignored: HashSet<String>,
    ignore_origin: String,
    baseline: HashSet<(String, String)>,
    baseline_origin: String,
}

impl Known {
    /// The run's `--baseline` (which must exist), or nothing: each root's ignore file is
    /// added with `with_ignore_file`.
    pub fn baseline(baseline: Option<&Path>) -> Result<Known> {
        let mut known = Known::default();
        if let Some(path) = baseline {
            let text =
                fs::read_to_string(path).map_err(|e| Error::io("read baseline", path, &e))?;
            known.baseline_origin = path.display().to_string();
            known.baseline = parse_baseline(&text, &known.baseline_origin)?;
        }
        Ok(known)
    }

    /// These suppressions and those of `ignore_file`, read if it exists.
    pub fn with_ignore_file(&self, ignore_file: Option<&Path>) -> Result<Known> {
        let mut known = self.clone();
        if let Some(path) = ignore_file.filter(|p| p.is_file()) {
            let text = crate::tomlfile::read_limited(path, MAX_IGNORE_FILE_BYTES, "ignore file")?;
            known.ignore_origin = path.display().to_string();
            known.ignored = parse_ignore_file(&text, &known.ignore_origin)?;
        }
        Ok(known)
    }

    /// These suppressions and the fingerprints of an ignore file's `text`, read from
    /// somewhere else than a work tree (a mirror's HEAD); `origin` names it in
    /// justifications and errors.
    pub fn with_ignore_text(&self, text: &str, origin: &str) -> Result<Known> {
        Ok(Known {
            ignored: parse_ignore_file(text, origin)?,
            ignore_origin: origin.to_string(),
            ..self.clone()
        })
    }

    pub fn check(&self, f: &Finding) -> Option<Suppression> {
        if self.ignored.contains(&f.fingerprint) {
            return Some(Suppression {
                kind: Kind::External,
                justification: format!("fingerprint listed in {}", self.ignore_origin),
                by: SuppressedBy::IgnoreFile,
            });
        }
        if self
            .baseline
            .contains(&(f.fingerprint.clone(), f.path.clone()))
        {
            return Some(Suppression {
                kind: Kind::External,
                justification: format!("already in baseline {}", self.baseline_origin),
                by: SuppressedBy::Baseline,
            });
        }
        None
    }
}

/// The fingerprints of an ignore file's text, lowercased; `origin` names it in errors.
pub fn parse_ignore_file(text: &str, origin: &str) -> Result<HashSet<String>> {
    let mut ignored = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let entry = line.split('#').next().unwrap_or_default().trim();
        if entry.is_empty() {
            continue;
        }
        if entry.len() != 24 || !entry.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::settings(format!(
                "{origin}:{}: `{}` is not a finding fingerprint (24 hex characters, as printed in every report)",
                n + 1,
                // Someone may have pasted the secret itself: never echo it.
                crate::finding::redact(entry)
            )));
        }
        ignored.insert(entry.to_ascii_lowercase());
    }
    Ok(ignored)
}

/// The (fingerprint, path) pairs of a baseline's text (a JSON report).
pub fn parse_baseline(text: &str, origin: &str) -> Result<HashSet<(String, String)>> {
    let doc: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::settings(format!("{origin}: not a tokenwarden JSON report: {e}")))?;
    let findings = doc["findings"].as_array().ok_or_else(|| {
        Error::settings(format!(
            "{origin}: not a tokenwarden JSON report (no `findings` array); create one with `tokenwarden baseline create`"
        ))
    })?;
    Ok(findings
        .iter()
        .filter_map(|f| Some((f["fingerprint"].as_str()?, f["path"].as_str()?)))
        .map(|(fp, p)| (fp.to_string(), p.to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_marker_wins_and_regexes_apply() {
        let allow = LineAllow {
            secrets: vec![Regex::new("^00TEST").unwrap()],
            lines: vec![Regex::new("fixture").unwrap()],
            stopwords: vec!["dummy".into()],
        };
        assert_eq!(
            allow
                .check(b"x = 1 # tokenwarden:allow", b"s")
                .unwrap()
                .kind,
            Kind::InSource
        );
        assert!(allow.check(b"x", b"00TESTabc").is_some());
        assert!(allow.check(b"a fixture line", b"s").is_some());
        assert!(allow.check(b"x", b"aDuMmYb").is_some());
        assert!(allow.check(b"x", b"real").is_none());
    }
}
