//! What a change (a pull request, a push) does to the settings that silence findings, read
//! against its base revision. A suppression is the cheapest way to get a leak past the
//! check: every one the change adds or widens is listed, where it is added, with what it
//! hides in this run, so that the reviewers see it next to the code.
//!
//! Suppressions are `tokenwarden:allow` markers, `.tokenwardenignore` lines, `[allow]`
//! entries of the config (paths, secrets, lines, stopwords) and baseline entries.

use std::collections::HashSet;

use crate::config::{AllowEntry, path_entry_covers};
use crate::finding::{Finding, SuppressedBy};
use crate::outcome::Outcome;

/// The suppression settings of one revision: where each file is (relative to the
/// repository root, `/`-separated) and what it holds. A file the revision does not have
/// holds nothing.
#[derive(Debug, Default)]
pub struct Suppressions {
    pub config_path: Option<String>,
    pub allow: Vec<AllowEntry>,
    pub ignore_path: Option<String>,
    /// Fingerprints, lowercased, with their 1-based lines.
    pub ignore: Vec<(String, usize)>,
    pub baseline_path: Option<String>,
    pub baseline: HashSet<(String, String)>,
    /// The baseline's text, to point at the line that adds an entry.
    pub baseline_text: String,
}

/// One suppression the change adds or widens.
#[derive(Debug)]
pub struct Added<'o> {
    /// Where it is added: a file relative to the repository root and a 1-based line.
    pub path: String,
    pub line: usize,
    /// What it is, in words (`[allow] paths`).
    pub what: String,
    /// The entry as the change wrote it (a glob, a regex, a fingerprint), if it has one.
    pub value: Option<String>,
    /// The findings of this run it hides.
    pub hides: Vec<&'o Finding>,
}

/// Every suppression in `head` that `base` does not have, with the findings of `out` each
/// one hides, in the order: markers, config entries, ignore file lines, baseline.
/// `changed_lines_only`: `out` holds only findings on lines the change adds (a range scan),
/// so a marker on a finding's line is the change's own.
pub fn added<'o>(
    out: &'o Outcome,
    head: &Suppressions,
    base: &Suppressions,
    changed_lines_only: bool,
) -> Vec<Added<'o>> {
    let mut added = Vec::new();
    let by = |f: &&Finding, want: &dyn Fn(&SuppressedBy) -> bool| {
        f.suppression.as_ref().is_some_and(|s| want(&s.by))
    };
    if changed_lines_only {
        for f in out
            .findings
            .iter()
            .filter(|f| by(f, &|b| *b == SuppressedBy::Marker))
        {
            added.push(Added {
                path: f.path.clone(),
                line: f.line,
                what: "tokenwarden:allow marker".into(),
                value: None,
                hides: vec![f],
            });
        }
    }
    if let Some(config) = &head.config_path {
        let known = |e: &AllowEntry| {
            base.allow
                .iter()
                .any(|b| b.key == e.key && same_value(e.key, &b.value, &e.value))
        };
        for e in head.allow.iter().filter(|e| !known(e)) {
            let hides = if e.key == "paths" {
                out.hidden
                    .iter()
                    .filter(|f| path_entry_covers(&e.value, &f.path))
                    .collect()
            } else {
                out.findings
                    .iter()
                    .filter(|f| {
                        by(f, &|b| {
                            matches!(b, SuppressedBy::Allow { key, value }
                                if *key == e.key && same_value(key, value, &e.value))
                        })
                    })
                    .collect()
            };
            added.push(Added {
                path: config.clone(),
                line: e.line,
                what: format!("[allow] {}", e.key),
                // A regex on secrets may spell out most of the secret it allows.
                value: Some(if e.key == "secrets" {
                    crate::finding::redact(&e.value)
                } else {
                    e.value.clone()
                }),
                hides,
            });
        }
    }
    if let Some(ignore) = &head.ignore_path {
        let known: HashSet<&str> = base.ignore.iter().map(|(fp, _)| fp.as_str()).collect();
        for (fp, line) in head
            .ignore
            .iter()
            .filter(|(fp, _)| !known.contains(fp.as_str()))
        {
            added.push(Added {
                path: ignore.clone(),
                line: *line,
                what: "ignored fingerprint".into(),
                value: Some(fp.clone()),
                hides: out
                    .findings
                    .iter()
                    .filter(|f| by(f, &|b| *b == SuppressedBy::IgnoreFile) && f.fingerprint == *fp)
                    .collect(),
            });
        }
    }
    if let Some(baseline) = &head.baseline_path {
        let new: Vec<&(String, String)> = head.baseline.difference(&base.baseline).collect();
        if !new.is_empty() {
            let hides = out
                .findings
                .iter()
                .filter(|f| {
                    by(f, &|b| *b == SuppressedBy::Baseline)
                        && new
                            .iter()
                            .any(|(fp, p)| *fp == f.fingerprint && *p == f.path)
                })
                .collect();
            let first = new
                .iter()
                .map(|(fp, _)| fp.as_str())
                .min()
                .unwrap_or_default();
            added.push(Added {
                path: baseline.clone(),
                line: line_of(&head.baseline_text, first),
                what: format!(
                    "{} new baseline entr{}",
                    new.len(),
                    if new.len() == 1 { "y" } else { "ies" }
                ),
                value: None,
                hides,
            });
        }
    }
    added
}

/// Stopwords compare case-insensitively, as they match; everything else as written.
fn same_value(key: &str, a: &str, b: &str) -> bool {
    if key == "stopwords" {
        a.to_lowercase() == b.to_lowercase()
    } else {
        a == b
    }
}

/// The 1-based line of `text` where `needle` first occurs (1 when it does not).
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map_or(1, |at| text[..at].matches('\n').count() + 1)
}

/// The fingerprints of an ignore file's text with their lines (lines that are not
/// fingerprints are left out: the file was validated when it was loaded).
pub fn ignore_lines(text: &str) -> Vec<(String, usize)> {
    text.lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let entry = line.split('#').next().unwrap_or_default().trim();
            (entry.len() == 24 && entry.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| (entry.to_ascii_lowercase(), n + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Suppression, SuppressionKind};

    fn finding(path: &str, by: Option<SuppressedBy>) -> Finding {
        Finding {
            line: 3,
            suppression: by.map(|by| Suppression {
                kind: SuppressionKind::External,
                justification: String::new(),
                by,
            }),
            ..Finding::example(path, "0123456789abcdef01234567")
        }
    }

    fn entry(key: &'static str, value: &str, line: usize) -> AllowEntry {
        AllowEntry {
            key,
            value: value.into(),
            line,
        }
    }

    #[test]
    fn only_what_the_base_lacks_is_listed_with_what_it_hides() {
        let mut out = Outcome::default();
        out.hidden.push(finding("deploy/prod.yaml", None));
        out.findings
            .push(finding("a.sh", Some(SuppressedBy::Marker)));
        out.findings.push(finding(
            "b.sh",
            Some(SuppressedBy::Allow {
                key: "stopwords",
                value: "dummy".into(),
            }),
        ));
        out.findings
            .push(finding("c.sh", Some(SuppressedBy::IgnoreFile)));
        let base = Suppressions {
            config_path: Some(".tokenwarden.toml".into()),
            allow: vec![entry("lines", "fixture", 2)],
            ..Default::default()
        };
        let head = Suppressions {
            config_path: Some(".tokenwarden.toml".into()),
            allow: vec![
                entry("lines", "fixture", 2),
                entry("paths", "deploy/", 3),
                entry("stopwords", "DUMMY", 4),
            ],
            ignore_path: Some(".tokenwardenignore".into()),
            ignore: vec![("0123456789abcdef01234567".into(), 1)],
            ..Default::default()
        };
        let added = added(&out, &head, &base, true);
        let summary: Vec<(&str, usize, &str, usize)> = added
            .iter()
            .map(|a| (a.path.as_str(), a.line, a.what.as_str(), a.hides.len()))
            .collect();
        assert_eq!(
            summary,
            [
                ("a.sh", 3, "tokenwarden:allow marker", 1),
                (".tokenwarden.toml", 3, "[allow] paths", 1),
                (".tokenwarden.toml", 4, "[allow] stopwords", 1),
                (".tokenwardenignore", 1, "ignored fingerprint", 1),
            ]
        );
        assert_eq!(added[1].hides[0].path, "deploy/prod.yaml");
        // The same settings on both sides: nothing added (markers aside, outside a range).
        assert!(super::added(&out, &head, &head, false).is_empty());
    }

    #[test]
    fn ignore_lines_keep_their_line_numbers() {
        let text = "# reviewed\n\n0123456789ABCDEF01234567 # fixture\n";
        assert_eq!(
            ignore_lines(text),
            [("0123456789abcdef01234567".to_string(), 3)]
        );
    }
}
