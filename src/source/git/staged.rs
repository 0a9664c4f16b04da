//! `tokenwarden staged`: what `git commit` is about to record (index vs HEAD), reporting
//! only secrets on the lines the change adds. Reads only the changed blobs and, thanks to
//! the index's cache-tree, only the trees of changed directories.

use gix::ObjectId;
use gix::prelude::FindExt as _;

use std::path::Path;

use super::blobs::load;
use super::diff::added_lines;
use super::index_diff::staged_files;
use super::repo::open_gix;
use crate::error::{Error, Result};
use crate::outcome::Outcome;
use crate::source::{Blob, Data, Origin, PathFilter, Scanner, drop_allowed, tally};

/// The index and HEAD's tree (`None` before the first commit); `None` when nothing was
/// ever staged. A bare repository has no index to commit from: an error.
fn staged_state(
    repo: &gix::Repository,
    path: &Path,
) -> Result<Option<(gix::index::File, Option<ObjectId>)>> {
    if repo.workdir().is_none() {
        return Err(Error::new(format!(
            "{} is a bare repository: there is no work tree, so nothing is staged \
             (use `tokenwarden history` to scan its commits)",
            path.display()
        )));
    }
    let index_path = repo.index_path();
    if !index_path.exists() {
        return Ok(None);
    }
    let index = gix::index::File::at(&index_path, repo.object_hash(), true, Default::default())
        .map_err(|e| {
            Error::new(format!(
                "cannot read the index {}: {e}",
                index_path.display()
            ))
        })?;
    let head = repo
        .head()
        .map_err(|e| Error::new(format!("cannot read HEAD: {e}")))?;
    let head_tree = if head.is_unborn() {
        None // first commit: everything staged is new
    } else {
        let commit = repo
            .head_commit()
            .map_err(|e| Error::new(format!("cannot read HEAD's commit: {e}")))?;
        Some(
            commit
                .tree_id()
                .map_err(|e| Error::new(format!("cannot read HEAD's tree: {e}")))?
                .detach(),
        )
    };
    Ok(Some((index, head_tree)))
}

/// The files `git commit` would record differently from HEAD, by path.
pub fn staged_paths(path: &Path) -> Result<Vec<String>> {
    let repo = &open_gix(path)?;
    Ok(match staged_state(repo, path)? {
        Some((index, head_tree)) => staged_files(repo, &index, head_tree)
            .into_iter()
            .map(|f| f.path)
            .collect(),
        None => Vec::new(),
    })
}

/// What the index adds over HEAD: each staged file's added lines (every line of a new
/// file), scanned from the index's blobs, not the work tree.
pub fn scan_staged(
    path: &Path,
    scanner: &dyn Scanner,
    max_size: u64,
    allowed: PathFilter<'_>,
) -> Result<Outcome> {
    let mut out = Outcome::default();
    let repo = &open_gix(path)?;
    let Some((index, head_tree)) = staged_state(repo, path)? else {
        return Ok(out); // nothing was ever staged
    };
    let mut buf = Vec::new();
    let mut old_buf = Vec::new();
    for file in staged_files(repo, &index, head_tree) {
        let result = load(repo, &file.new, max_size, &mut buf).and_then(|new| {
            let old = file
                .old
                .and_then(|id: ObjectId| repo.objects.find_blob(&id, &mut old_buf).ok())
                .map(|b| b.data);
            // A new file: every line is added.
            let added = old.map(|o| added_lines(o, new));
            let is_added = |line| added.as_ref().is_none_or(|a| a.contains(&line));
            scanner.scan(Blob {
                lines: Some(&is_added),
                ..Blob::new(&file.path, Origin::GitBlob, Data::Bytes(new))
            })
        });
        let found = tally(&mut out.stats, &file.path, result);
        out.findings.extend(found);
    }
    drop_allowed(&mut out, allowed);
    Ok(out)
}
