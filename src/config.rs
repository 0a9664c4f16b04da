//! `.tokenwarden.toml`: per-repository settings. Unknown keys are errors, so a typo never
//! silently disables a setting.

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::finding::Confidence;
use crate::regex_budget::{Budget, BuildError, Limits};
use crate::suppress::LineAllow;
use crate::tomlfile;

pub const FILE_NAME: &str = ".tokenwarden.toml";
/// A config larger than this is not a config: refuse it before reading it all.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// `[allow]` entries (paths, secrets, lines, stopwords together).
pub const MAX_ALLOW_ENTRIES: usize = 10_000;
/// `[allow] secrets` and `lines` together. They only run on the lines of findings, so a
/// small lazy DFA cache costs nothing that matters, and a program of 1 MiB is far more
/// than an allow rule needs (`\w+@example\.com` takes 18 KiB): a few hundred regexes fit.
pub const ALLOW_REGEX_LIMITS: Limits = Limits {
    program: 1 << 20,
    cache: 32 << 10,
    total: 16 << 20,
    set: "the regexes of [allow]",
};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigSpec {
    /// Extra rule directories, relative to this file.
    #[serde(default)]
    rules: Vec<String>,
    /// Default for `--min-confidence`.
    min_confidence: Option<Confidence>,
    #[serde(default)]
    allow: AllowSpec,
    #[serde(default)]
    verify: VerifySpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifySpec {
    /// Org URLs `--verify` may send tokens to, besides Okta-hosted ones found in files.
    #[serde(default)]
    orgs: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowSpec {
    /// Globs (relative to the scanned directory) whose files are not scanned.
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    /// Regexes on the secret: a match suppresses the finding.
    #[serde(default)]
    secrets: Vec<Spanned<String>>,
    /// Regexes on the line holding the secret.
    #[serde(default)]
    lines: Vec<Spanned<String>>,
    /// Case-insensitive substrings: a secret containing one is suppressed.
    #[serde(default)]
    stopwords: Vec<Spanned<String>>,
}

#[derive(Default, Clone)]
pub struct Config {
    /// Where the settings came from, if anywhere.
    pub origin: Option<PathBuf>,
    /// Named by the user (`--config`), not found inside the scanned tree. Only a trusted
    /// config may choose where `--verify` sends tokens or load rules that verify.
    pub trusted: bool,
    allow_paths: Option<GlobSet>,
    /// `[verify] orgs`, as written.
    pub verify_orgs: Vec<String>,
    /// `rules`, resolved against the config file's directory.
    pub rule_dirs: Vec<PathBuf>,
    pub min_confidence: Option<Confidence>,
    /// `[allow] secrets`, `lines`, `stopwords`.
    pub line_allow: LineAllow,
    /// Every `[allow]` entry as written, with its line: what a review of a change to the
    /// settings compares.
    pub allow_entries: Vec<AllowEntry>,
}

/// The parts of a trusted config that grant trust (where `--verify` may send tokens, rules
/// that may verify), as the base revision of a change has them. The Action takes them from
/// there when the config named with `--config` is inside the checkout: a pull request
/// editing it must not choose where its own (or later) tokens go.
#[derive(Debug, Default)]
pub struct BaseTrust {
    pub verify_orgs: Vec<String>,
    /// Rule files of the config's rule directories at the base: (origin, text).
    pub rules: Vec<(String, String)>,
}

/// One `[allow]` entry: its key (`paths`, `secrets`, `lines`, `stopwords`), its value as
/// written, and its 1-based line in the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowEntry {
    pub key: &'static str,
    pub value: String,
    pub line: usize,
}

impl Config {
    /// `explicit` (from `--config`) must exist and is trusted; otherwise
    /// `.tokenwarden.toml` in `root` is used when present, as untrusted input (it belongs to
    /// whoever wrote the scanned tree).
    pub fn load(explicit: Option<&Path>, root: Option<&Path>) -> Result<Config> {
        let path = match (explicit, root) {
            (Some(p), _) => p.to_path_buf(),
            (None, Some(dir)) => {
                let p = dir.join(FILE_NAME);
                if !p.is_file() {
                    return Ok(Config::default());
                }
                p
            }
            (None, None) => return Ok(Config::default()),
        };
        let text = tomlfile::read_limited(&path, MAX_CONFIG_BYTES, "config")?;
        let mut config = Config::parse(&text, &path.display().to_string(), path.parent())?;
        config.origin = Some(path);
        config.trusted = explicit.is_some();
        Ok(config)
    }

    /// Settings from `text`; `origin` names it in errors, `base` resolves `rules` dirs.
    pub fn parse(text: &str, origin: &str, base: Option<&Path>) -> Result<Config> {
        let spec: ConfigSpec = tomlfile::parse(text, origin)?;
        let a = &spec.allow;
        let entries = a.paths.len() + a.secrets.len() + a.lines.len() + a.stopwords.len();
        if entries > MAX_ALLOW_ENTRIES {
            return Err(Error::settings(format!(
                "{origin}: [allow] has {entries} entries, more than the {MAX_ALLOW_ENTRIES} allowed; \
                 use globs and regexes that cover many cases, or a baseline (`tokenwarden baseline create`)"
            )));
        }
        let paths: Vec<String> = a.paths.iter().map(|p| p.get_ref().clone()).collect();
        let allow_paths = if paths.is_empty() {
            None
        } else {
            Some(glob_set(&paths, origin)?)
        };
        let lines = &tomlfile::LineIndex::new(text);
        let allow_entries = [
            ("paths", &a.paths),
            ("secrets", &a.secrets),
            ("lines", &a.lines),
            ("stopwords", &a.stopwords),
        ]
        .into_iter()
        .flat_map(|(key, list)| {
            list.iter().map(move |e| AllowEntry {
                key,
                value: e.get_ref().clone(),
                line: lines.line(e.span().start),
            })
        })
        .collect();
        let mut budget = Budget::new(ALLOW_REGEX_LIMITS);
        let mut regexes = |list: &[Spanned<String>], key: &str| -> Result<Vec<Regex>> {
            list.iter()
                .map(|s| {
                    budget.build(s.get_ref()).map_err(|e| {
                        let (line, col) = tomlfile::line_col(text, s.span().start);
                        let why = match e {
                            // regex's message repeats the whole pattern, which may hold
                            // the very secret being allowed: quote it redacted, keep the
                            // reason.
                            BuildError::Invalid(e) => format!(
                                "invalid regex `{}`: {}",
                                crate::finding::redact(s.get_ref()),
                                regex_reason(&e)
                            ),
                            BuildError::Refused(why) => why,
                        };
                        Error::settings(format!("{origin}:{line}:{col}: allow.{key}: {why}"))
                    })
                })
                .collect()
        };
        let line_allow = LineAllow {
            secrets: regexes(&spec.allow.secrets, "secrets")?,
            lines: regexes(&spec.allow.lines, "lines")?,
            stopwords: spec
                .allow
                .stopwords
                .iter()
                .map(|w| w.get_ref().to_lowercase())
                .collect(),
        };
        let base = base.unwrap_or(Path::new("."));
        Ok(Config {
            rule_dirs: spec.rules.iter().map(|d| base.join(d)).collect(),
            min_confidence: spec.min_confidence,
            origin: None,
            trusted: false,
            allow_paths,
            verify_orgs: spec.verify.orgs,
            line_allow,
            allow_entries,
        })
    }

    /// `rel` is relative to the scanned directory, `/`-separated.
    pub fn is_path_allowed(&self, rel: &str) -> bool {
        self.allow_paths.as_ref().is_some_and(|g| g.is_match(rel))
    }
}

/// Whether one `[allow] paths` entry covers `rel` (an invalid glob covers nothing: the
/// config that holds it fails to load anyway).
pub fn path_entry_covers(entry: &str, rel: &str) -> bool {
    glob_set(&[entry.to_string()], "").is_ok_and(|g| g.is_match(rel))
}

/// The reason line of a regex error (`error: unclosed group`), without the pattern that
/// regex's message repeats.
pub fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map_or_else(|| "not a valid regex".to_string(), str::to_string)
}

/// gitignore-like globs: a pattern without `/` matches a name at any depth, a leading `/`
/// anchors at the root, and a pattern naming a directory covers everything below it.
/// Paths are `/`-separated on every OS and `\` escapes a glob character everywhere, so one
/// config means the same on Linux, macOS and Windows.
fn glob_set(patterns: &[String], origin: &str) -> Result<GlobSet> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        if let Some(e) = windows_separator(p) {
            return Err(Error::settings(format!(
                "{origin}: allow.paths: `{}`: {e}",
                crate::escape::sanitize(p)
            )));
        }
        let trimmed = p.trim_end_matches('/');
        let anchored = match trimmed.strip_prefix('/') {
            Some(rest) => rest.to_string(),
            None if !trimmed.contains('/') => format!("**/{trimmed}"),
            None => trimmed.to_string(),
        };
        for pattern in [anchored.clone(), format!("{anchored}/**")] {
            let glob = GlobBuilder::new(&pattern)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| {
                    Error::settings(format!(
                        "{origin}: allow.paths: invalid glob `{}`: {}",
                        crate::finding::redact(p),
                        e.kind()
                    ))
                })?;
            b.add(glob);
        }
    }
    b.build()
        .map_err(|e| Error::settings(format!("{origin}: allow.paths: {e}")))
}

/// A `\` that escapes no glob character: a Windows separator, which would otherwise
/// silently match nothing (`docs\examples` is `docsexamples` to a glob).
fn windows_separator(pattern: &str) -> Option<String> {
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('*' | '?' | '[' | ']' | '{' | '}' | '!' | ',' | '-' | '\\') => {}
                _ => {
                    return Some(format!(
                        "paths are matched with `/` on every OS, and `\\` only escapes a glob \
                         character (`\\*`): write `{}`",
                        crate::escape::sanitize(&pattern.replace('\\', "/"))
                    ));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(p: &[&str]) -> Config {
        let p: Vec<String> = p.iter().map(|s| s.to_string()).collect();
        Config {
            allow_paths: Some(glob_set(&p, "t").unwrap()),
            ..Config::default()
        }
    }

    #[test]
    fn hundreds_of_ordinary_allow_regexes_fit() {
        let entries: Vec<String> = (0..100)
            .map(|i| format!(r"'(?i)fixture-{i}', '\w+@example{i}\.com', '^00TEST{i}'"))
            .collect();
        let text = format!("[allow]\nsecrets = [{}]\n", entries.join(", "));
        let config = Config::parse(&text, "t", None).unwrap();
        assert_eq!(config.line_allow.secrets.len(), 300);
    }

    #[test]
    fn glob_semantics() {
        let c = set(&["rules/*.toml", "*.md", "/top.txt", "fixtures/"]);
        assert!(c.is_path_allowed("rules/a.toml"));
        assert!(!c.is_path_allowed("rules/sub/a.toml"));
        assert!(c.is_path_allowed("docs/deep/x.md"));
        assert!(c.is_path_allowed("top.txt"));
        assert!(!c.is_path_allowed("sub/top.txt"));
        assert!(c.is_path_allowed("fixtures/a/b.json"));
    }

    /// One config, one meaning on every OS: `\` escapes (globset's default on Windows is
    /// the opposite), and a Windows separator is an error that says what to write.
    #[test]
    fn globs_mean_the_same_on_every_os() {
        let c = set(&[r"odd\*name.txt", r"a\[b\].txt"]);
        assert!(c.is_path_allowed("odd*name.txt"));
        assert!(!c.is_path_allowed("oddXname.txt"));
        assert!(c.is_path_allowed("a[b].txt"));
        let err = glob_set(&[r"docs\examples\*.md".to_string()], "t").unwrap_err();
        assert!(
            err.to_string().contains("write `docs/examples/*.md`"),
            "{err}"
        );
    }
}
