//! Git sources (every git access of the program is in this folder). Two libraries, each where it is strongest (measurements in
//! docs/git-engine.md): `gix` enumerates and inflates every blob of the whole history (the
//! hot path) and reads the index for `staged` (libgit2 re-hashes the whole index on every
//! read, half of a pre-commit run); `git2` computes line diffs and walks commit ranges.

pub mod blobs;
pub mod checkout;
pub mod diff;
pub mod history;
pub mod index_diff;
pub mod meta;
pub mod provenance;
pub mod range;
pub mod revision;
pub mod staged;
pub mod tags;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::finding::Provenance;
use crate::outcome::{Outcome, Skipped};
use crate::scrub::scrub_builtin;
use crate::source::progress::Progress;
use crate::source::{Blob, Data, Origin, PathFilter, Scanner, drop_allowed};

/// What of a repository's history to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every blob reachable from any ref.
    All,
    /// Every blob this branch, tag or commit reaches.
    Branch(String),
    /// The lines added by the commits of `BASE..HEAD`.
    Range(String),
}

/// Scans `selection` of the repository at `path` into `out`; findings at paths `allowed`
/// excludes are dropped and the paths recorded as skipped.
pub fn scan(
    path: &Path,
    selection: &Selection,
    scanner: &dyn Scanner,
    max_size: u64,
    allowed: PathFilter<'_>,
    progress: &dyn Progress,
    out: &mut Outcome,
) -> Result<()> {
    let scanned = scan_selection(path, selection, scanner, max_size, progress, out);
    progress.finish();
    scanned?;
    drop_allowed(out, allowed);
    Ok(())
}

fn scan_selection(
    path: &Path,
    selection: &Selection,
    scanner: &dyn Scanner,
    max_size: u64,
    progress: &dyn Progress,
    out: &mut Outcome,
) -> Result<()> {
    let branch = match selection {
        Selection::Range(range) => {
            let repo = open_git2(path)?;
            if repo.is_shallow() {
                out.stats.warnings.push(SHALLOW_WARNING.into());
            }
            return range::scan(&repo, scanner, range, max_size, out);
        }
        Selection::All => None,
        Selection::Branch(b) => Some(b.as_str()),
    };
    history::scan(
        path,
        scanner,
        &history::HistoryOptions {
            branch,
            max_size,
            progress,
        },
        out,
    )
}

/// The work tree of the repository containing `path` (`None` for a bare repository):
/// where its `.tokenwarden.toml` and `.tokenwardenignore` are.
pub fn work_tree(path: &Path) -> Result<Option<PathBuf>> {
    Ok(open_git2(path)?.workdir().map(Path::to_path_buf))
}

/// The repository containing `path` (a work tree, a subdirectory of one, or a bare
/// repository). Every git source opens through here, so ownership (`safe.directory`) and
/// unsupported formats get one answer everywhere.
pub fn open_git2(path: &Path) -> Result<git2::Repository> {
    // Re-hashing every object read only detects disk corruption, and costs ~10% of a
    // pre-commit run; corrupt objects are reported when they fail to inflate or parse.
    git2::opts::strict_hash_verification(false);
    git2::Repository::discover(path).map_err(|e| open_error(path, &e))
}

/// The same repository through gix, after `open_git2`'s checks, with object replacement
/// (`refs/replace/*`, grafts) off: objects are scanned as stored, and the replacements
/// are scanned in their own right because refs name them.
pub fn open_gix(path: &Path) -> Result<gix::Repository> {
    let checked = open_git2(path)?;
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
        return Error::repository(format!(
            "detected dubious ownership in repository at '{dir}': it is owned by someone else \
             (git refuses it too). To trust it, run: git config --global --add safe.directory {dir}"
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
/// git wants that directory, not a subdirectory.
fn owned_dir(path: &Path) -> String {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let top = abs
        .ancestors()
        .find(|d| {
            d.join(".git").exists() || (d.join("HEAD").is_file() && d.join("objects").is_dir())
        })
        .unwrap_or(&abs);
    top.display().to_string()
}

/// Where git runs the hooks of the repository containing `path`: `core.hooksPath` if set
/// (relative to the work tree, as git resolves it), else the common git directory's
/// `hooks/` (shared by linked worktrees).
pub fn hooks_dir(path: &Path) -> Result<PathBuf> {
    let repo = open_git2(path)?;
    let config = repo
        .config()
        .map_err(|e| Error::repository(format!("cannot read git config: {}", e.message())))?;
    if let Ok(custom) = config.get_path("core.hooksPath") {
        if custom.is_absolute() {
            return Ok(custom);
        }
        let base = repo.workdir().unwrap_or_else(|| repo.path());
        return Ok(base.join(custom));
    }
    Ok(repo.commondir().join("hooks"))
}

/// The path reported for a secret found in a commit message (the commit is in the
/// finding's provenance).
pub const COMMIT_MESSAGE_PATH: &str = "<commit message>";

/// The path reported for a secret found in an annotated tag's message (the tag is in the
/// finding's provenance).
pub const TAG_MESSAGE_PATH: &str = "<tag message>";

/// Scans a commit or tag message like a blob at `path`, though it is not a file (it is not
/// counted as one). What it finds gets the provenance `provenance` makes; a message that
/// cannot be scanned is skipped as `<{object} message>`.
pub fn scan_message(
    scanner: &dyn Scanner,
    path: &str,
    object: &dyn std::fmt::Display,
    message: &[u8],
    provenance: impl FnOnce() -> Provenance,
    out: &mut Outcome,
) {
    match scanner.scan(Blob::new(path, Origin::Message, Data::Bytes(message))) {
        Ok(scanned) if scanned.findings.is_empty() => {}
        Ok(scanned) => {
            let prov = provenance();
            out.findings
                .extend(scanned.findings.into_iter().map(|mut f| {
                    f.provenance = Some(prov.clone());
                    f
                }));
        }
        Err(reason) => out.stats.skipped.push(Skipped {
            path: format!("<{object} message>"),
            reason,
        }),
    }
}

/// Shown when a shallow clone means history can't be complete.
pub const SHALLOW_WARNING: &str = "this is a shallow clone: commits before the shallow boundary were not scanned. \
Fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout) for a complete scan.";
