//! Where blobs come from: files, standard input, the staged index, commit ranges, the
//! whole history. A source knows nothing of rules: it hands each blob, with its path and
//! where it came from, to a `Scanner` (the pipeline's), records what it could not hand
//! out and why, and attaches provenance to what the scanner found.

pub mod fs;
pub mod git;
pub mod path;
pub mod progress;
pub mod stdin;
mod tracked;

use std::io::Read;

use crate::finding::Finding;
use crate::outcome::{Outcome, SkipReason, Skipped, Stats};
pub use path::{display_path, escape_non_utf8};

/// Where a blob came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A file on disk, walked or named.
    File,
    Stdin,
    /// A git object (a blob of history, of the index, or of a commit in a range).
    GitBlob,
    /// The message of a commit or an annotated tag.
    Message,
}

/// The content of a blob.
pub enum Data<'a> {
    /// Whole, in memory (git objects, commit messages).
    Bytes(&'a [u8]),
    /// Read as it is scanned (files, standard input), so any length takes bounded memory.
    Stream(&'a mut dyn Read),
}

/// One input with its provenance, as a source hands it out.
pub struct Blob<'a> {
    /// Relative to the scan root, `/`-separated (as reports show it).
    pub path: &'a str,
    pub origin: Origin,
    pub data: Data<'a>,
    /// For diffs: only findings on the lines (1-based) for which this holds count.
    pub lines: Option<&'a dyn Fn(usize) -> bool>,
}

impl<'a> Blob<'a> {
    pub fn new(path: &'a str, origin: Origin, data: Data<'a>) -> Self {
        Blob {
            path,
            origin,
            data,
            lines: None,
        }
    }
}

/// What scanning one blob produced.
#[derive(Debug, Default)]
pub struct ScannedBlob {
    pub findings: Vec<Finding>,
    /// Bytes read.
    pub bytes: u64,
    /// The blob looks binary, so only the strict pass ran on it (the rules with
    /// `scan_binary`, high-confidence findings only).
    pub binary: bool,
}

/// Turns blobs into findings; implemented by the pipeline. A blob it cannot scan (too
/// large once read, unreadable midway) is a skip with the reason; a binary one comes back
/// `ScannedBlob::binary`, with what the strict pass found.
pub trait Scanner: Sync {
    fn scan(&self, blob: Blob<'_>) -> Result<ScannedBlob, SkipReason>;
}

/// Size first, then content: every source loads a blob through here, so a blob over the
/// limit is skipped before it is read, and a missing or unreadable one is the same kind
/// of skip whichever source met it. `size` is what the source knows up front (a file's
/// metadata, a git object's header).
pub fn load_blob<T>(
    size: Result<u64, SkipReason>,
    limit: u64,
    read: impl FnOnce() -> Result<T, SkipReason>,
) -> Result<T, SkipReason> {
    let size = size?;
    if size > limit {
        return Err(SkipReason::TooLarge { size, limit });
    }
    read()
}

/// Whether a path (relative to the scan root, `/`-separated) is excluded by `[allow] paths`.
pub type PathFilter<'a> = &'a (dyn Fn(&str) -> bool + Sync);

/// For sources that do not walk a directory (git): moves the findings at allowed paths out
/// of the report (into `hidden`) and records each such path once as skipped, as the walk
/// would have.
pub fn drop_allowed(out: &mut Outcome, allowed: PathFilter<'_>) {
    let mut dropped = std::collections::BTreeSet::new();
    let (hidden, kept) = std::mem::take(&mut out.findings)
        .into_iter()
        .partition(|f| allowed(&f.path));
    out.findings = kept;
    for f in &hidden {
        dropped.insert(f.path.clone());
    }
    out.hidden.extend(hidden);
    out.stats.skipped.extend(
        dropped
            .into_iter()
            .map(|path| Skipped::new(path, SkipReason::AllowedByConfig)),
    );
}

/// Books one blob's result into `stats`: counted when scanned, recorded when skipped.
/// Returns the findings (none when skipped).
pub fn tally(
    stats: &mut Stats,
    path: &str,
    result: Result<ScannedBlob, SkipReason>,
) -> Vec<Finding> {
    match result {
        // Still a binary skip, with what the strict pass found: the full rule set did not
        // run on it, and the summary and `--verbose` must keep saying so.
        Ok(scanned) if scanned.binary => {
            stats
                .skipped
                .push(Skipped::new(path.to_string(), SkipReason::Binary));
            stats.binary_strict_scanned += 1;
            scanned.findings
        }
        Ok(scanned) => {
            stats.files_scanned += 1;
            stats.bytes_scanned += scanned.bytes;
            scanned.findings
        }
        Err(reason) => {
            stats.skipped.push(Skipped::new(path.to_string(), reason));
            Vec::new()
        }
    }
}
