//! Git sources (every git access of the program is in this folder). Two libraries, each where it is strongest (measurements in
//! docs/git-engine.md): `gix` enumerates and inflates every blob of the whole history (the
//! hot path) and reads the index for `staged` (libgit2 re-hashes the whole index on every
//! read, half of a pre-commit run); `git2` computes line diffs and walks commit ranges.

mod attribute;
mod blobs;
mod changes;
pub mod checkout;
mod diff;
pub mod enumerate;
pub mod history;
mod index_diff;
mod messages;
mod meta;
pub mod mirror;
mod prefetch;
mod provenance;
pub mod range;
pub mod refs;
pub mod repo;
mod resident;
pub mod revision;
#[cfg(test)]
mod scratch;
pub mod staged;
pub mod state;
mod tags;
mod tree;

pub use enumerate::Known;
pub use messages::{COMMIT_MESSAGE_PATH, TAG_MESSAGE_PATH};
pub use repo::{Repo, SHALLOW_WARNING, open_git2, open_gix};

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::outcome::Outcome;
use crate::source::progress::Progress;
use crate::source::{PathFilter, Scanner, drop_allowed};

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

impl Selection {
    /// Whether findings are attributed to the commits that introduced their blob, so that
    /// one secret in a file regenerated in many commits comes back many times (collapsed
    /// per path by the pipeline); a range reports the lines each commit adds instead.
    pub fn finds_introductions(&self) -> bool {
        !matches!(self, Selection::Range(_))
    }
}

/// Scans `selection` of the repository at `path`; findings at paths `allowed` excludes are
/// dropped and the paths recorded as skipped.
pub fn scan_selection(
    path: &Path,
    selection: &Selection,
    scanner: &dyn Scanner,
    max_size: u64,
    allowed: PathFilter<'_>,
    progress: &dyn Progress,
) -> Result<Outcome> {
    let scanned = match selection {
        Selection::Range(range) => {
            open_git2(path).and_then(|repo| range::scan_range(&repo, scanner, range, max_size))
        }
        Selection::All | Selection::Branch(_) => Repo::open(path).and_then(|repo| {
            let options = history::HistoryOptions {
                branch: match selection {
                    Selection::Branch(b) => Some(b.as_str()),
                    _ => None,
                },
                max_size,
                progress,
            };
            history::scan_history(&repo, scanner, &options)
        }),
    };
    progress.finish();
    let mut out = scanned?;
    drop_allowed(&mut out, allowed);
    Ok(out)
}

/// `history --state FILE`: every ref's history past what the state at `state_path` covered
/// (a full scan, with the reason in the outcome's warnings, when the state is missing or
/// does not fit this repository, rule set or version), then the new state saved there.
pub fn scan_incremental(
    path: &Path,
    state_path: &Path,
    rules: &str,
    scanner: &dyn Scanner,
    max_size: u64,
    allowed: PathFilter<'_>,
    progress: &dyn Progress,
) -> Result<Outcome> {
    let repo = Repo::open(path)?;
    let mut notes = Vec::new();
    let prior = if state_path.exists() {
        match state::State::read(state_path).and_then(|s| fits(&repo, s, rules)) {
            Ok(s) => Some(s),
            Err(why) => {
                notes.push(format!(
                    "the state {} is not used, so the whole history is scanned: {why}",
                    state_path.display()
                ));
                None
            }
        }
    } else {
        None
    };
    let options = history::HistoryOptions {
        branch: None,
        max_size,
        progress,
    };
    let scanned = history::scan_with_state(&repo, scanner, &options, prior.as_ref());
    progress.finish();
    let (mut out, mut next) = scanned?;
    next.tool = env!("CARGO_PKG_VERSION").to_string();
    next.rules = rules.to_string();
    next.write(state_path)
        .map_err(|e| Error::io("write the state", state_path, &e))?;
    out.stats.warnings.extend(notes);
    drop_allowed(&mut out, allowed);
    Ok(out)
}

/// `state` if it was written by this version with these rules for this repository.
fn fits(
    repo: &Repo,
    state: state::State,
    rules: &str,
) -> std::result::Result<state::State, String> {
    if state.tool != env!("CARGO_PKG_VERSION") {
        return Err(format!(
            "written by tokenwarden {} (this is {})",
            state.tool,
            env!("CARGO_PKG_VERSION")
        ));
    }
    if state.rules != rules {
        return Err("scanned with other rules".into());
    }
    // A state of another repository names commits this one does not have (all of a
    // rewritten repository's are gone too: then a full scan is right anyway).
    let sample = state.tips.iter().chain(state.commits.iter().take(64));
    if !state.commits.is_empty() && !sample.clone().any(|c| repo.gix.has_object(c)) {
        return Err("none of its commits are in this repository".into());
    }
    Ok(state)
}

/// The work tree of the repository containing `path` (`None` for a bare repository):
/// where its `.tokenwarden.toml` and `.tokenwardenignore` are.
pub fn work_tree(path: &Path) -> Result<Option<PathBuf>> {
    Ok(open_git2(path)?.workdir().map(Path::to_path_buf))
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

/// The commit HEAD of the repository at `path` names, and its branch's short name when it
/// is on one (`None`s for an unborn or unreadable HEAD).
pub fn head(path: &Path) -> (Option<String>, Option<String>) {
    let Ok(repo) = open_git2(path) else {
        return (None, None);
    };
    let Ok(head) = repo.head() else {
        return (None, None);
    };
    // Peeled by hand, a few tags deep: libgit2's own peel never ends on a tag that names
    // itself, which a scanned repository may hold.
    let mut id = head.target();
    for _ in 0..8 {
        match id.and_then(|i| repo.find_object(i, None).ok()) {
            Some(o) if o.kind() == Some(git2::ObjectType::Tag) => {
                id = o.as_tag().map(|t| t.target_id()).filter(|t| Some(*t) != id);
            }
            Some(o) if o.kind() == Some(git2::ObjectType::Commit) => break,
            _ => id = None,
        }
    }
    let commit = id
        .and_then(|i| repo.find_commit(i).ok())
        .map(|c| c.id().to_string());
    let branch = head
        .is_branch()
        .then(|| head.shorthand().ok().map(crate::escape::sanitize))
        .flatten();
    (commit, branch)
}
