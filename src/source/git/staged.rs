//! `tokenwarden staged`: what `git commit` is about to record (index vs HEAD), reporting
//! only secrets on the lines the change adds. Reads only the changed blobs and, thanks to
//! the index's cache-tree, only the trees of changed directories.

use gix::ObjectId;
use gix::prelude::FindExt as _;

use super::diff::added_lines;
use super::index_diff::staged_files;
use crate::engine::{Engine, looks_binary};
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::outcome::{Outcome, SkipReason, Skipped};

pub fn scan(
    repo: &gix::Repository,
    engine: &Engine,
    max_size: u64,
    out: &mut Outcome,
) -> Result<()> {
    let index_path = repo.index_path();
    if !index_path.exists() {
        return Ok(()); // nothing was ever staged
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
    let mut buf = Vec::new();
    let mut old_buf = Vec::new();
    for file in staged_files(repo, &index, head_tree) {
        let skip = |out: &mut Outcome, reason| {
            out.stats.skipped.push(Skipped {
                path: file.path.clone(),
                reason,
            })
        };
        match repo.find_header(file.new) {
            Ok(h) if h.size() > max_size => {
                skip(
                    out,
                    SkipReason::TooLarge {
                        size: h.size(),
                        limit: max_size,
                    },
                );
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                skip(
                    out,
                    SkipReason::MissingObject(format!("blob {}: {e}", file.new)),
                );
                continue;
            }
        }
        let Ok(new) = repo.objects.find_blob(&file.new, &mut buf) else {
            skip(
                out,
                SkipReason::MissingObject(format!("blob {} is unreadable", file.new)),
            );
            continue;
        };
        let old = file
            .old
            .and_then(|id: ObjectId| repo.objects.find_blob(&id, &mut old_buf).ok())
            .map(|b| b.data);
        let added = old.map(|o| added_lines(o, new.data));
        let found = scan_added(
            engine,
            &file.path,
            new.data,
            &|line| added.as_ref().is_none_or(|a| a.contains(&line)),
            out,
        );
        out.findings.extend(found);
    }
    Ok(())
}

/// Scans the new version of a file whole (so contexts such as an org URL elsewhere in the
/// file count) and keeps the findings on lines for which `is_added` holds. Shared with
/// range scans.
pub fn scan_added(
    engine: &Engine,
    path: &str,
    data: &[u8],
    is_added: &dyn Fn(usize) -> bool,
    out: &mut Outcome,
) -> Vec<Finding> {
    if looks_binary(data) {
        out.stats.skipped.push(Skipped {
            path: path.to_string(),
            reason: SkipReason::Binary,
        });
        return Vec::new();
    }
    out.stats.files_scanned += 1;
    out.stats.bytes_scanned += data.len() as u64;
    let mut found = engine.scan_blob(path, data);
    found.retain(|f| is_added(f.line));
    found
}
