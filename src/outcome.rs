//! What a run produced: findings plus the bookkeeping that proves nothing was skipped
//! silently.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::finding::{Finding, Root, RuleInfo};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipReason {
    /// A NUL byte in the first 8 KiB. The full rule set skips it; the strict pass scans
    /// it (`Stats::binary_strict_scanned`).
    Binary,
    TooLarge {
        size: u64,
        limit: u64,
    },
    Unreadable(String),
    /// Symbolic links are not followed.
    Symlink,
    /// FIFOs, sockets, devices: opening them could block or has no meaning.
    NotRegular(&'static str),
    /// Matched `[allow] paths` in the config.
    AllowedByConfig,
    /// A git object that should exist but can't be read (partial clone, corruption).
    MissingObject(String),
    /// A submodule (gitlink) entry: its history lives in another repository.
    Submodule,
    /// Content tokenwarden cannot scan as it is; the text says why.
    Unsupported(String),
}

impl SkipReason {
    /// A stable key for summaries and JSON.
    pub fn key(&self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge { .. } => "too_large",
            SkipReason::Unreadable(_) => "unreadable",
            SkipReason::Symlink => "symlink",
            SkipReason::NotRegular(_) => "not_regular_file",
            SkipReason::AllowedByConfig => "allowed_by_config",
            SkipReason::MissingObject(_) => "missing_object",
            SkipReason::Submodule => "submodule",
            SkipReason::Unsupported(_) => "unsupported",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::size::human_bytes;
        match self {
            SkipReason::Binary => f.write_str(
                "binary file (NUL byte in the first 8 KiB): searched for high-confidence tokens only",
            ),
            SkipReason::TooLarge { size, limit } => write!(
                f,
                "{} is over --max-file-size {}",
                human_bytes(*size),
                human_bytes(*limit)
            ),
            SkipReason::Unreadable(why) => write!(f, "unreadable: {why}"),
            SkipReason::Symlink => f.write_str("symbolic link (not followed)"),
            SkipReason::NotRegular(kind) => write!(f, "not a regular file ({kind})"),
            SkipReason::AllowedByConfig => f.write_str("allowed by config [allow] paths"),
            SkipReason::MissingObject(why) => write!(f, "missing git object: {why}"),
            SkipReason::Submodule => {
                f.write_str("submodule (not entered; scan its repository separately)")
            }
            SkipReason::Unsupported(why) => f.write_str(why),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Skipped {
    /// What the run read it from (`Outcome::set_root`), as for findings.
    pub root: Root,
    pub path: String,
    pub reason: SkipReason,
}

impl Skipped {
    /// Skipped in the root the source is reading (set by `Outcome::set_root`).
    pub fn new(path: String, reason: SkipReason) -> Skipped {
        Skipped {
            root: Root::default(),
            path,
            reason,
        }
    }
}

/// Where a source's additions to an outcome begin (`Outcome::mark`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Mark {
    findings: usize,
    hidden: usize,
    skipped: usize,
}

/// One repository of a run that names several (or one, for history): what was asked for,
/// what was read, or why it could not be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepositoryRun {
    /// As reports name it: the clone URL or the path as the user wrote it.
    pub name: String,
    /// An absolute URI for it (SARIF `versionControlProvenance`): the URL, or a `file:`
    /// URI of the local repository.
    pub uri: Option<String>,
    /// The commit HEAD named, and its branch, when it names one.
    pub head: Option<String>,
    pub branch: Option<String>,
    /// Why it could not be scanned; `None` when it was.
    pub error: Option<String>,
    pub blobs_scanned: u64,
    pub bytes_scanned: u64,
    /// What the run must say about this repository (also in the run's warnings).
    pub warnings: Vec<String>,
}

/// What a run reads: files (directories, the index, ranges) or blobs (whole history).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    #[default]
    File,
    Blob,
}

#[derive(Debug, Default)]
pub struct Stats {
    /// Files or blobs, as `unit` says (the JSON field keeps its name).
    pub files_scanned: u64,
    pub unit: Unit,
    pub bytes_scanned: u64,
    pub skipped: Vec<Skipped>,
    /// Binary files or blobs (each also in `skipped`, as `SkipReason::Binary`) that the
    /// strict pass scanned: the rules with `scan_binary`, high-confidence findings only.
    pub binary_strict_scanned: u64,
    /// Things the user must know about the run as a whole (e.g. a shallow clone).
    pub warnings: Vec<String>,
    pub elapsed: Duration,
}

impl Stats {
    pub fn merge(&mut self, other: Stats) {
        // A run counts blobs if a part of it did (an empty part reads nothing either way).
        if other.unit == Unit::Blob {
            self.unit = Unit::Blob;
        }
        self.files_scanned += other.files_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.skipped.extend(other.skipped);
        self.binary_strict_scanned += other.binary_strict_scanned;
        self.warnings.extend(other.warnings);
    }

    pub fn skipped_by_reason(&self) -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for s in &self.skipped {
            *m.entry(s.reason.key()).or_default() += 1;
        }
        m
    }
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// The rules of the run, in the order reports list them: what reporters say about
    /// each finding's rule.
    pub rules: Vec<RuleInfo>,
    pub stats: Stats,
    /// Findings at paths that `[allow] paths` excludes, where a source found them before
    /// the exclusion applied (git sources read whole commits). In no report: kept so that a
    /// review can say what a new `[allow] paths` entry hides.
    pub hidden: Vec<Finding>,
    /// The repositories of a history run, in the order they were named: scanned or not.
    pub repositories: Vec<RepositoryRun>,
    /// The run was asked for a list of repositories (reports list them, even none: an
    /// empty shard says so).
    pub lists_repositories: bool,
}

impl Outcome {
    /// Findings that count: not suppressed.
    pub fn reported(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppression.is_none())
    }

    pub fn suppressed(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppression.is_some())
    }

    /// The description of `f`'s rule (a placeholder named by the id if the run did not
    /// describe it).
    pub fn rule_of(&self, f: &Finding) -> std::borrow::Cow<'_, RuleInfo> {
        match self.rules.iter().find(|r| r.id == f.rule_id) {
            Some(r) => std::borrow::Cow::Borrowed(r),
            None => std::borrow::Cow::Owned(RuleInfo::unknown(&f.rule_id)),
        }
    }

    /// Two runs' results as one (repositories of an organization, the parts of a sharded
    /// scan): findings and hidden findings together, a finding both hold (same place, same
    /// fingerprint) once, rules described once, stats added up. Associative, and sorted
    /// like `sort`, so the order of merging does not show in reports.
    pub fn merge(mut self, mut other: Outcome) -> Outcome {
        let key = |f: &Finding| {
            (
                f.root.clone(),
                f.path.clone(),
                f.line,
                f.column,
                f.fingerprint.clone(),
            )
        };
        let mut seen: std::collections::HashSet<_> = self.findings.iter().map(key).collect();
        other.findings.retain(|f| seen.insert(key(f)));
        let mut hidden: std::collections::HashSet<_> = self.hidden.iter().map(key).collect();
        other.hidden.retain(|f| hidden.insert(key(f)));
        self.append(other);
        self.sort();
        self
    }

    /// `other`'s results after these, for parts that cannot overlap (the repositories of
    /// one run): `merge` without its look for duplicates, and unsorted (`sort` once at the
    /// end), so that joining hundreds of parts stays linear.
    pub fn append(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.hidden.extend(other.hidden);
        for r in other.rules {
            if !self.rules.iter().any(|mine| mine.id == r.id) {
                self.rules.push(r);
            }
        }
        self.lists_repositories |= other.lists_repositories;
        for r in other.repositories {
            if !self.repositories.iter().any(|mine| mine.name == r.name) {
                self.repositories.push(r);
            }
        }
        let elapsed = self.stats.elapsed.max(other.stats.elapsed);
        self.stats.merge(other.stats);
        self.stats.elapsed = elapsed;
    }

    /// The part of this outcome read from repository `name`: its findings, skipped paths
    /// and own warnings, with the run's rules.
    pub fn of_repository(&self, name: &str) -> Outcome {
        let root = Root::Repository(name.to_string());
        let run = self.repositories.iter().find(|r| r.name == name);
        Outcome {
            findings: self
                .findings
                .iter()
                .filter(|f| f.root == root)
                .cloned()
                .collect(),
            rules: self.rules.clone(),
            stats: Stats {
                files_scanned: run.map_or(0, |r| r.blobs_scanned),
                unit: self.stats.unit,
                bytes_scanned: run.map_or(0, |r| r.bytes_scanned),
                skipped: self
                    .stats
                    .skipped
                    .iter()
                    .filter(|s| s.root == root)
                    .cloned()
                    .collect(),
                binary_strict_scanned: 0,
                warnings: run.map(|r| r.warnings.clone()).unwrap_or_default(),
                elapsed: self.stats.elapsed,
            },
            hidden: self
                .hidden
                .iter()
                .filter(|f| f.root == root)
                .cloned()
                .collect(),
            repositories: run.cloned().into_iter().collect(),
            lists_repositories: true,
        }
    }

    /// Where what a source adds next begins, for `set_root`.
    pub fn mark(&self) -> Mark {
        Mark {
            findings: self.findings.len(),
            hidden: self.hidden.len(),
            skipped: self.stats.skipped.len(),
        }
    }

    /// Marks what was added since `from` (findings, hidden findings, skipped paths) as read
    /// from `root`.
    pub fn set_root(&mut self, from: Mark, root: &Root) {
        for f in self.findings.iter_mut().skip(from.findings) {
            f.root = root.clone();
        }
        for f in self.hidden.iter_mut().skip(from.hidden) {
            f.root = root.clone();
        }
        for s in self.stats.skipped.iter_mut().skip(from.skipped) {
            s.root = root.clone();
        }
    }

    /// The repositories its findings name, each once, in order: several means reports
    /// must say which repository each place is in.
    pub fn several_repositories(&self) -> bool {
        let mut names =
            self.repositories
                .iter()
                .map(|r| &r.name)
                .chain(self.findings.iter().filter_map(|f| match &f.root {
                    Root::Repository(r) => Some(r),
                    _ => None,
                }));
        let Some(first) = names.next() else {
            return false;
        };
        names.any(|n| n != first)
    }

    /// Deterministic order regardless of thread scheduling.
    pub fn sort(&mut self) {
        fn key(f: &Finding) -> (&Root, &String, usize, usize, &String) {
            (&f.root, &f.path, f.line, f.column, &f.rule_id)
        }
        self.findings.sort_by(|a, b| key(a).cmp(&key(b)));
        self.stats
            .skipped
            .sort_by(|a, b| (&a.root, &a.path, &a.reason).cmp(&(&b.root, &b.path, &b.reason)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(root: &str, path: &str, fp: &str) -> Finding {
        Finding {
            root: Root::Repository(root.into()),
            ..Finding::example(path, fp)
        }
    }

    fn outcome(findings: Vec<Finding>, rule: &str, files: u64) -> Outcome {
        let mut out = Outcome {
            findings,
            rules: vec![RuleInfo::unknown(rule)],
            ..Default::default()
        };
        out.stats.files_scanned = files;
        out
    }

    #[test]
    fn merging_is_associative_keeps_roots_apart_and_dedupes() {
        let a = || {
            outcome(
                vec![finding("a", "x.sh", "1"), finding("a", "y.sh", "2")],
                "r1",
                2,
            )
        };
        let b = || {
            outcome(
                vec![finding("b", "x.sh", "1"), finding("a", "x.sh", "1")],
                "r2",
                3,
            )
        };
        let c = || outcome(vec![finding("c", "z.sh", "3")], "r1", 1);
        let left = a().merge(b()).merge(c());
        let right = a().merge(b().merge(c()));
        let places = |o: &Outcome| {
            o.findings
                .iter()
                .map(|f| (f.root.clone(), f.path.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(places(&left), places(&right));
        // The same secret at the same path in two repositories: two findings; the same
        // finding twice: one.
        assert_eq!(left.findings.len(), 4);
        assert_eq!(left.stats.files_scanned, 6);
        let ids: Vec<&str> = left.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["r1", "r2"]);
        assert_eq!(left.rule_of(&left.findings[0]).name, "okta-api-token");
    }
}
