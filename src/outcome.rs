//! What a run produced: findings plus the bookkeeping that proves nothing was skipped
//! silently.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::finding::Finding;

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
    pub path: String,
    pub reason: SkipReason,
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
    pub stats: Stats,
    /// Findings at paths that `[allow] paths` excludes, where a source found them before
    /// the exclusion applied (git sources read whole commits). In no report: kept so that a
    /// review can say what a new `[allow] paths` entry hides.
    pub hidden: Vec<Finding>,
}

impl Outcome {
    /// Findings that count: not suppressed.
    pub fn reported(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppression.is_none())
    }

    pub fn suppressed(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppression.is_some())
    }

    /// Deterministic order regardless of thread scheduling.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.path, a.line, a.column, &a.rule_id).cmp(&(&b.path, b.line, b.column, &b.rule_id))
        });
        self.stats
            .skipped
            .sort_by(|a, b| (&a.path, &a.reason).cmp(&(&b.path, &b.reason)));
    }
}
