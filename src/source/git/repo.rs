//! Opening a repository: once per run, through one door, so ownership (`safe.directory`)
//! and unsupported formats get one answer everywhere, and each of the two libraries gets
//! the same repository.

use std::path::Path;

use gix::ObjectId;

use crate::error::{Error, Result};
use crate::scrub::scrub_builtin;

/// One repository through both libraries: `gix` for the hot paths (every blob of history,
/// the index), `git2` for revisions, line diffs and metadata.
pub struct Repo {
    pub git2: git2::Repository,
    pub gix: gix::Repository,
}

impl Repo {
    /// The repository containing `path` (a work tree, a subdirectory of one, or a bare
    /// repository), opened once by each library.
    pub fn open(path: &Path) -> Result<Repo> {
        let git2 = open_git2(path)?;
        let gix = gix_for(&git2, path)?;
        Ok(Repo { git2, gix })
    }
}

/// The repository containing `path` through libgit2 alone.
pub fn open_git2(path: &Path) -> Result<git2::Repository> {
    // Re-hashing every object read only detects disk corruption, and costs ~10% of a
    // pre-commit run; corrupt objects are reported when they fail to inflate or parse.
    git2::opts::strict_hash_verification(false);
    git2::Repository::discover(path).map_err(|e| open_error(path, &e))
}

/// The repository containing `path` through gix alone, after libgit2's checks.
pub fn open_gix(path: &Path) -> Result<gix::Repository> {
    gix_for(&open_git2(path)?, path)
}

/// The repository `checked` opened, through gix, with object replacement
/// (`refs/replace/*`, grafts) off: objects are scanned as stored, and the replacements
/// are scanned in their own right because refs name them.
fn gix_for(checked: &git2::Repository, path: &Path) -> Result<gix::Repository> {
    let options = gix::open::Options::default().config_overrides(["core.useReplaceRefs=false"]);
    gix::open_opts(checked.path(), options).map_err(|e| {
        Error::repository(format!(
            "{} is not in a git repository ({})",
            path.display(),
            scrub_builtin(&e.to_string())
        ))
    })
}

fn open_error(path: &Path, e: &git2::Error) -> Error {
    let message = e.message();
    if e.code() == git2::ErrorCode::Owner {
        // git's own wording and advice, so that the fix people know applies.
        let dir = owned_dir(path);
        let word = crate::escape::shell_word(&dir, cfg!(windows));
        return Error::repository(format!(
            "detected dubious ownership in repository at '{}': it is owned by someone else \
             (git refuses it too). To trust it, run: git config --global --add safe.directory {word}",
            crate::escape::sanitize(&dir)
        ));
    }
    if message.contains("sha256") || message.contains("object format") {
        return Error::repository(format!(
            "{}: SHA-256 repositories are not supported yet",
            path.display()
        ));
    }
    Error::repository(format!(
        "{} is not in a git repository ({message})",
        path.display()
    ))
}

/// The work tree (or bare repository) that `path` is in, for the safe.directory advice:
/// git wants that directory, not a subdirectory, and on Windows in the `C:/dir` form
/// (`display_path` drops the `\\?\` prefix that canonical paths carry there).
fn owned_dir(path: &Path) -> String {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let top = abs
        .ancestors()
        .find(|d| {
            d.join(".git").exists() || (d.join("HEAD").is_file() && d.join("objects").is_dir())
        })
        .unwrap_or(&abs);
    crate::source::display_path(top)
}

/// Shown when a shallow clone means history can't be complete.
pub const SHALLOW_WARNING: &str = "this is a shallow clone: commits before the shallow boundary were not scanned. \
Fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout) for a complete scan.";

/// Both libraries open only SHA-1 repositories (see `open_error`), so ids convert 1:1.
pub fn git2_oid(id: &ObjectId) -> git2::Oid {
    git2::Oid::from_bytes(id.as_bytes()).unwrap_or(git2::Oid::ZERO_SHA1)
}

pub fn gix_oid(oid: git2::Oid) -> Result<ObjectId> {
    ObjectId::try_from(oid.as_bytes())
        .map_err(|e| Error::repository(format!("unsupported object id {oid}: {e}")))
}
