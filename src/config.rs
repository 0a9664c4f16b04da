//! `.tokenwarden.toml`: per-repository settings. Unknown keys are errors, so a typo never
//! silently disables a setting.

use std::fs;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::finding::Confidence;
use crate::suppress::LineAllow;
use crate::tomlfile;

pub const FILE_NAME: &str = ".tokenwarden.toml";

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
    paths: Vec<String>,
    /// Regexes on the secret: a match suppresses the finding.
    #[serde(default)]
    secrets: Vec<Spanned<String>>,
    /// Regexes on the line holding the secret.
    #[serde(default)]
    lines: Vec<Spanned<String>>,
    /// Case-insensitive substrings: a secret containing one is suppressed.
    #[serde(default)]
    stopwords: Vec<String>,
}

#[derive(Default)]
pub struct Config {
    /// Where the settings came from, if anywhere.
    pub origin: Option<PathBuf>,
    allow_paths: Option<GlobSet>,
    /// `[verify] orgs`, as written.
    pub verify_orgs: Vec<String>,
    /// `rules`, resolved against the config file's directory.
    pub rule_dirs: Vec<PathBuf>,
    pub min_confidence: Option<Confidence>,
    /// `[allow] secrets`, `lines`, `stopwords`.
    pub line_allow: LineAllow,
}

impl Config {
    /// `explicit` (from `--config`) must exist; otherwise `.tokenwarden.toml` in `root` is
    /// used when present.
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
        let text = fs::read_to_string(&path).map_err(|e| Error::io("read config", &path, &e))?;
        let mut config = Config::parse(&text, &path.display().to_string(), path.parent())?;
        config.origin = Some(path);
        Ok(config)
    }

    /// Settings from `text`; `origin` names it in errors, `base` resolves `rules` dirs.
    pub fn parse(text: &str, origin: &str, base: Option<&Path>) -> Result<Config> {
        let spec: ConfigSpec = tomlfile::parse(text, origin)?;
        let allow_paths = if spec.allow.paths.is_empty() {
            None
        } else {
            Some(glob_set(&spec.allow.paths, origin)?)
        };
        let regexes = |list: &[Spanned<String>], key: &str| -> Result<Vec<Regex>> {
            list.iter()
                .map(|s| {
                    Regex::new(s.get_ref()).map_err(|e| {
                        let (line, col) = tomlfile::line_col(text, s.span().start);
                        let detail = e.to_string().replace('\n', " ");
                        Error::new(format!(
                            "{origin}:{line}:{col}: allow.{key}: invalid regex: {detail}"
                        ))
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
                .map(|w| w.to_lowercase())
                .collect(),
        };
        let base = base.unwrap_or(Path::new("."));
        Ok(Config {
            rule_dirs: spec.rules.iter().map(|d| base.join(d)).collect(),
            min_confidence: spec.min_confidence,
            origin: None,
            allow_paths,
            verify_orgs: spec.verify.orgs,
            line_allow,
        })
    }

    /// For git sources, where files are not walked: removes findings in allowed paths and
    /// records each such path once as skipped.
    pub fn drop_allowed(&self, out: &mut crate::outcome::Outcome) {
        use crate::outcome::{SkipReason, Skipped};
        let mut dropped = std::collections::BTreeSet::new();
        out.findings.retain(|f| {
            let allowed = self.is_path_allowed(&f.path);
            if allowed {
                dropped.insert(f.path.clone());
            }
            !allowed
        });
        out.stats
            .skipped
            .extend(dropped.into_iter().map(|path| Skipped {
                path,
                reason: SkipReason::AllowedByConfig,
            }));
    }

    /// `rel` is relative to the scanned directory, `/`-separated.
    pub fn is_path_allowed(&self, rel: &str) -> bool {
        self.allow_paths.as_ref().is_some_and(|g| g.is_match(rel))
    }
}

/// gitignore-like globs: a pattern without `/` matches a name at any depth, a leading `/`
/// anchors at the root, and a pattern naming a directory covers everything below it.
fn glob_set(patterns: &[String], origin: &str) -> Result<GlobSet> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let trimmed = p.trim_end_matches('/');
        let anchored = match trimmed.strip_prefix('/') {
            Some(rest) => rest.to_string(),
            None if !trimmed.contains('/') => format!("**/{trimmed}"),
            None => trimmed.to_string(),
        };
        for pattern in [anchored.clone(), format!("{anchored}/**")] {
            let glob = GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    Error::new(format!(
                        "{origin}: allow.paths: invalid glob `{p}`: {}",
                        e.kind()
                    ))
                })?;
            b.add(glob);
        }
    }
    b.build()
        .map_err(|e| Error::new(format!("{origin}: allow.paths: {e}")))
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
    fn glob_semantics() {
        let c = set(&["rules/*.toml", "*.md", "/top.txt", "fixtures/"]);
        assert!(c.is_path_allowed("rules/a.toml"));
        assert!(!c.is_path_allowed("rules/sub/a.toml"));
        assert!(c.is_path_allowed("docs/deep/x.md"));
        assert!(c.is_path_allowed("top.txt"));
        assert!(!c.is_path_allowed("sub/top.txt"));
        assert!(c.is_path_allowed("fixtures/a/b.json"));
    }
}
