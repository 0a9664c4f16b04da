//! The checkout a CI job scans: making sure the commits an event names are present
//! (deepening a shallow clone from `origin`), and recognising a force-push whose old tip
//! is gone.

use std::path::Path;
use std::process::{Command, Stdio};

use super::repo::{SHALLOW_WARNING, open_git2};
use super::tags::{Tags, peel};
use crate::error::{Error, Result};
use crate::outcome::Outcome;

/// Makes sure `needed` commits (and the history between them) are present, deepening a
/// shallow checkout from `origin` if needed. Scanning what is there with a warning beats
/// failing when only older history is missing.
pub fn ensure_commits(workspace: &Path, needed: &[&str], out: &mut Outcome) -> Result<()> {
    let repo = open_git2(workspace)?;
    let missing = |repo: &git2::Repository| needed.iter().any(|sha| !has(repo, sha));
    if !repo.is_shallow() && !missing(&repo) {
        return Ok(());
    }
    let mut fetch = Command::new("git");
    fetch
        .arg("-C")
        .arg(workspace)
        .args(["fetch", "--no-tags", "--quiet"]);
    if repo.is_shallow() {
        fetch.arg("--unshallow");
    }
    fetch.arg("origin").args(needed);
    let result = fetch.stdin(Stdio::null()).stdout(Stdio::null()).output();
    let fetched = matches!(&result, Ok(o) if o.status.success());
    let repo =
        git2::Repository::open(repo.path()).map_err(|e| Error::new(e.message().to_string()))?;
    if fetched && !missing(&repo) {
        return Ok(());
    }
    if !missing(&repo) {
        // Everything named is here, but older history is not: scan and say so.
        out.stats.warnings.push(SHALLOW_WARNING.into());
        return Ok(());
    }
    let why = match result {
        Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
        Err(e) => e.to_string(),
    };
    Err(Error::new(format!(
        "the checkout lacks the commits to scan ({}) and fetching them from origin failed ({why}); \
         use `fetch-depth: 0` with actions/checkout",
        needed.join(", ")
    )))
}

/// A push's `before` commit is gone while its `after` is here, in a complete clone: a
/// force-push rewrote the branch. (In a shallow clone a missing commit is missing depth.)
pub fn force_pushed(workspace: &Path, before: &str, after: &str) -> bool {
    open_git2(workspace)
        .is_ok_and(|repo| !repo.is_shallow() && !has(&repo, before) && has(&repo, after))
}

/// The commit branch `name` points at here: `origin`'s copy (what a CI checkout has) or
/// a local branch. `None` for a name that is not a valid branch name or not here.
pub fn branch_tip(workspace: &Path, name: &str) -> Option<String> {
    let repo = open_git2(workspace).ok()?;
    [
        format!("refs/remotes/origin/{name}"),
        format!("refs/heads/{name}"),
    ]
    .iter()
    .filter(|r| git2::Reference::is_valid_name(r))
    .find_map(|r| repo.find_reference(r).ok()?.peel_to_commit().ok())
    .map(|c| c.id().to_string())
}

/// Whether `sha` names a commit here, directly or as an annotated tag of one (a tag push
/// event's `after` is the tag object).
fn has(repo: &git2::Repository, sha: &str) -> bool {
    git2::Oid::from_str(sha).is_ok_and(|id| {
        matches!(peel(repo, id, &mut Tags::default()),
            Ok(Some(o)) if o.kind() == Some(git2::ObjectType::Commit))
    })
}
