//! Git sources. Two libraries, each where it is strongest (measurements in
//! docs/git-engine.md): `gix` enumerates and inflates every blob of the whole history (the
//! hot path) and reads the index for `staged` (libgit2 re-hashes the whole index on every
//! read, half of a pre-commit run); `git2` computes line diffs and walks commit ranges.

pub mod blobs;
pub mod diff;
pub mod history;
pub mod index_diff;
pub mod meta;
pub mod provenance;
pub mod range;
pub mod staged;

use std::path::Path;

use crate::error::{Error, Result};

/// The repository containing `path` (a work tree, a subdirectory of one, or a bare
/// repository).
pub fn open_git2(path: &Path) -> Result<git2::Repository> {
    // Re-hashing every object read only detects disk corruption, and costs ~10% of a
    // pre-commit run; corrupt objects are reported when they fail to inflate or parse.
    git2::opts::strict_hash_verification(false);
    git2::Repository::discover(path).map_err(|e| {
        Error::new(format!(
            "{} is not in a git repository ({})",
            path.display(),
            e.message()
        ))
    })
}

pub fn open_gix(path: &Path) -> Result<gix::Repository> {
    gix::discover(path).map_err(|e| {
        Error::new(format!(
            "{} is not in a git repository ({e})",
            path.display()
        ))
    })
}

/// Shown when a shallow clone means history can't be complete.
pub const SHALLOW_WARNING: &str = "this is a shallow clone: commits before the shallow boundary were not scanned. \
Fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout) for a complete scan.";
