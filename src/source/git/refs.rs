//! Where a history scan starts: the commits, trees and blobs that refs name, and the
//! annotated tags on the way to them.

use git2::{Oid, Repository};
use gix::ObjectId;

use super::repo::gix_oid;
use super::tags::{self, Tags, peel};
use crate::error::{Error, Result};
use crate::outcome::{SkipReason, Skipped};
use crate::source::escape_non_utf8;

/// A ref that names a tree or a blob directly (e.g. git/git's `junio-gpg-pub` tag).
pub struct LooseRoot {
    pub id: ObjectId,
    pub is_tree: bool,
    /// The ref name, used as the path (`refs/tags/x`, `refs/tags/x:dir/file`).
    pub name: String,
}

/// Where a history scan starts.
#[derive(Default)]
pub struct Roots {
    /// Commits to walk.
    pub tips: Vec<ObjectId>,
    /// Trees and blobs refs name directly.
    pub loose: Vec<LooseRoot>,
    /// Annotated tags on the way, each once.
    pub tags: Vec<Oid>,
    /// Refs whose object cannot be read.
    pub skipped: Vec<Skipped>,
}

impl Roots {
    /// Commits named by every ref (branches, tags, remotes, stash, notes) and a detached
    /// HEAD, trees and blobs that refs name directly, and every annotated tag in between.
    pub fn all(repo: &Repository) -> Result<Roots> {
        let mut roots = Roots::default();
        let mut tags = Tags::default();
        let refs = repo
            .references()
            .map_err(|e| Error::repository(format!("cannot list refs: {}", e.message())))?;
        for r in refs {
            let Ok(r) = r else { continue };
            let name = escape_non_utf8(r.name_bytes());
            let target = r.resolve().ok().and_then(|r| r.target());
            let peeled = target.map(|t| peel(repo, t, &mut tags));
            let Some(Ok(peeled)) = peeled else {
                // The object it names can't be read (corrupt or truncated pack, partial clone).
                let target = target.map_or("an unknown object".to_string(), |t| t.to_string());
                roots.skipped.push(Skipped::new(
                    name,
                    SkipReason::MissingObject(format!(
                        "the ref points to {target}, which cannot be read"
                    )),
                ));
                continue;
            };
            // None: reached through a tag another ref reached first.
            let Some(object) = peeled else { continue };
            let id = gix_oid(object.id())?;
            let is_tree = match object.kind() {
                Some(git2::ObjectType::Commit) => {
                    roots.tips.push(id);
                    continue;
                }
                Some(git2::ObjectType::Tree) => true,
                Some(git2::ObjectType::Blob) => false,
                _ => continue,
            };
            roots.loose.push(LooseRoot { id, is_tree, name });
        }
        if let Some(head) = tags::head_commit(repo) {
            roots.tips.push(gix_oid(head.id())?);
        }
        roots.tips.sort();
        roots.tips.dedup();
        roots.tags = tags.found;
        Ok(roots)
    }

    /// The commit `rev` names, and only the annotated tags `rev` itself names (`--branch
    /// v1.2`, or the tag a push event names), not every tag pointing into its history.
    pub fn revision(repo: &Repository, rev: &str) -> Result<Roots> {
        let (commit, tags) = resolve_commit(repo, rev)?;
        Ok(Roots {
            tips: vec![gix_oid(commit)?],
            tags,
            ..Roots::default()
        })
    }

    pub fn is_empty(&self) -> bool {
        self.tips.is_empty() && self.loose.is_empty()
    }
}

/// Resolves `rev` to a commit, with a message naming what was asked for, and the annotated
/// tags `rev` names on the way to it (outermost first).
pub fn resolve_commit(repo: &Repository, rev: &str) -> Result<(Oid, Vec<Oid>)> {
    let obj = repo.revparse_single(rev).map_err(|e| {
        let unborn = repo
            .head()
            .err()
            .filter(|h| h.code() == git2::ErrorCode::UnbornBranch);
        match unborn {
            // `HEAD` on a branch with no commits yet (new repository, `git checkout --orphan`).
            Some(_) if rev == "HEAD" || rev.starts_with("HEAD~") || rev.starts_with("HEAD^") => {
                Error::new(format!(
                    "unknown revision `{rev}`: HEAD is on a branch with no commits yet; \
                     commit first, or name another branch"
                ))
            }
            _ => Error::new(format!("unknown revision `{rev}`: {}", e.message())),
        }
    })?;
    let mut tags = Tags::default();
    match peel(repo, obj.id(), &mut tags) {
        Ok(Some(o)) if o.kind() == Some(git2::ObjectType::Commit) => Ok((o.id(), tags.found)),
        Ok(_) => Err(Error::new(format!("revision `{rev}` is not a commit"))),
        Err(e) => Err(Error::new(format!(
            "revision `{rev}` cannot be read: {}",
            e.message()
        ))),
    }
}
