//! The settings of a change's base revision. In a pull request (or a push) the checkout
//! is the change itself, so what it says about trust and suppressions is what its author
//! wrote; the base revision is what the repository had agreed on before.

use std::fs;
use std::path::{Component, Path};

use crate::config::{self, BaseTrust, Config};
use crate::error::{Error, Result};
use crate::outcome::Outcome;
use crate::review::{Suppressions, ignore_lines};
use crate::source::git::revision::{file_at, toml_files_at};
use crate::suppress::{IGNORE_FILE, parse_baseline};

/// Rule files and ignore files are at most this large (as when read from disk).
const MAX_SETTINGS_FILE: u64 = 1 << 20;
/// A baseline lists every finding of a repository: allow more.
const MAX_BASELINE: u64 = 64 << 20;

/// `path` relative to the work tree `root`, `/`-separated, if it is inside it.
pub fn in_tree(root: &Path, path: &Path) -> Option<String> {
    let root = fs::canonicalize(root).ok()?;
    let path = fs::canonicalize(path).ok()?;
    let rel = path.strip_prefix(&root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// The trust-granting parts of the in-tree config `rel` as commit `base` has them: its
/// `[verify] orgs` and the rule files of its rule directories. When they differ from the
/// checkout's, a warning in `out` says that the change's own apply once it is merged.
pub fn trust(
    repo: &Path,
    root: &Path,
    base: &str,
    rel: &str,
    out: &mut Outcome,
) -> Result<BaseTrust> {
    let at = short(base);
    let head = read_head(root, rel)
        .and_then(|text| Config::parse(&text, rel, Some(&root.join(parent(rel)))).ok());
    let Some(text) = file_at(repo, base, rel, config::MAX_CONFIG_BYTES)? else {
        if head.is_some_and(|h| !h.verify_orgs.is_empty() || !h.rule_dirs.is_empty()) {
            out.stats.warnings.push(format!(
                "{rel} is not in the base revision {at}: its [verify] orgs and rules apply once \
                 this change is merged, not in this run"
            ));
        }
        return Ok(BaseTrust::default());
    };
    let text = String::from_utf8(text)
        .map_err(|_| Error::settings(format!("{rel} at {at}: not UTF-8 text")))?;
    let origin = format!("{rel} at {at}");
    let base_config = Config::parse(&text, &origin, Some(Path::new(parent(rel))))?;
    let mut rules = Vec::new();
    for dir in &base_config.rule_dirs {
        let Some(dir) = normalize(dir) else {
            return Err(Error::settings(format!(
                "{origin}: rule directory {} is outside the repository",
                dir.display()
            )));
        };
        for (path, bytes) in toml_files_at(repo, base, &dir, MAX_SETTINGS_FILE)? {
            let text = String::from_utf8(bytes)
                .map_err(|_| Error::settings(format!("{path} at {at}: not UTF-8 text")))?;
            rules.push((path, text));
        }
    }
    let head_rules: Vec<(String, String)> = head
        .as_ref()
        .map(|h| {
            h.rule_dirs
                .iter()
                .flat_map(|d| rule_files(root, d))
                .collect()
        })
        .unwrap_or_default();
    let same = head
        .as_ref()
        .is_some_and(|h| h.verify_orgs == base_config.verify_orgs)
        && head_rules == rules;
    if !same {
        out.stats.warnings.push(format!(
            "this change edits what {rel} trusts ([verify] orgs, or the rules it loads): its \
             version applies once merged; this run uses the base revision's ({at})"
        ));
    }
    Ok(BaseTrust {
        verify_orgs: base_config.verify_orgs,
        rules: rules
            .into_iter()
            .map(|(path, text)| (format!("{path} at {at}"), text))
            .collect(),
    })
}

/// The suppression settings in effect for the checkout: the config the pipeline loaded,
/// the work tree's ignore file, and the baseline if it is inside the tree.
pub fn suppressions_in_checkout(
    root: &Path,
    config: &Config,
    baseline: Option<&Path>,
) -> Suppressions {
    let ignore_text = read_head(root, IGNORE_FILE);
    let baseline_rel = baseline.and_then(|b| in_tree(root, b));
    let baseline_text = baseline_rel.as_deref().and_then(|rel| read_head(root, rel));
    Suppressions {
        config_path: config.origin.as_deref().and_then(|o| in_tree(root, o)),
        allow: config.allow_entries.clone(),
        ignore_path: ignore_text.as_ref().map(|_| IGNORE_FILE.to_string()),
        ignore: ignore_text.as_deref().map(ignore_lines).unwrap_or_default(),
        baseline: baseline_text
            .as_deref()
            .and_then(|t| parse_baseline(t, "baseline").ok())
            .unwrap_or_default(),
        baseline_path: baseline_rel,
        baseline_text: baseline_text.unwrap_or_default(),
    }
}

/// The same files as commit `base` has them. A file it does not have, or cannot parse,
/// holds nothing: everything in the checkout's version then counts as added.
pub fn suppressions_at(repo: &Path, base: &str, head: &Suppressions) -> Suppressions {
    let text = |rel: &Option<String>, max: u64| -> Option<String> {
        let bytes = file_at(repo, base, rel.as_deref()?, max).ok()??;
        String::from_utf8(bytes).ok()
    };
    let config = text(&head.config_path, config::MAX_CONFIG_BYTES)
        .and_then(|t| Config::parse(&t, "base", None).ok());
    let baseline = text(&head.baseline_path, MAX_BASELINE);
    Suppressions {
        config_path: head.config_path.clone(),
        allow: config.map(|c| c.allow_entries).unwrap_or_default(),
        ignore_path: head.ignore_path.clone(),
        ignore: text(&head.ignore_path, MAX_SETTINGS_FILE)
            .as_deref()
            .map(ignore_lines)
            .unwrap_or_default(),
        baseline_path: head.baseline_path.clone(),
        baseline: baseline
            .as_deref()
            .and_then(|t| parse_baseline(t, "baseline").ok())
            .unwrap_or_default(),
        baseline_text: String::new(),
    }
}

fn read_head(root: &Path, rel: &str) -> Option<String> {
    fs::read_to_string(root.join(rel)).ok()
}

/// The `*.toml` files of directory `dir` in the work tree, as (path relative to `root`,
/// text), sorted like `toml_files_at`.
fn rule_files(root: &Path, dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, String)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| Some((in_tree(root, &p)?, fs::read_to_string(&p).ok()?)))
        .collect();
    files.sort();
    files
}

/// The directory part of a `/`-separated relative path (`""` at the root).
fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `dir` (relative to the repository root, possibly with `.` and `..`) as a clean
/// `/`-separated path; `None` if it leaves the repository.
fn normalize(dir: &Path) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in dir.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_str()?),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

fn short(rev: &str) -> &str {
    &rev[..rev.len().min(10)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_directories_stay_in_the_repository() {
        assert_eq!(normalize(Path::new("./rules/../x")).as_deref(), Some("x"));
        assert_eq!(normalize(Path::new("a/./b")).as_deref(), Some("a/b"));
        assert_eq!(normalize(Path::new("../outside")), None);
        assert_eq!(normalize(Path::new("/etc")), None);
        assert_eq!(parent(".github/tw.toml"), ".github");
        assert_eq!(parent("tw.toml"), "");
    }
}
