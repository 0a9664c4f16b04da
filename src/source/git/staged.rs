//! `tokenwarden staged`: what `git commit` is about to record (index vs HEAD), reporting
//! only secrets on the lines the change adds. Reads only the changed blobs.

use crate::engine::{Engine, looks_binary};
use crate::error::{Error, Result};
use crate::outcome::{Outcome, SkipReason, Skipped};

use super::diff::{changed_files, options};

pub fn scan(
    repo: &git2::Repository,
    engine: &Engine,
    max_size: u64,
    out: &mut Outcome,
) -> Result<()> {
    let fail = |what: &str, e: git2::Error| Error::new(format!("cannot {what}: {}", e.message()));
    let head_tree = match repo.head() {
        Ok(head) => Some(
            head.peel_to_tree()
                .map_err(|e| fail("read HEAD's tree", e))?,
        ),
        // First commit: everything staged is new.
        Err(e)
            if matches!(
                e.code(),
                git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
            ) =>
        {
            None
        }
        Err(e) => return Err(fail("read HEAD", e)),
    };
    let index = repo.index().map_err(|e| fail("read the index", e))?;
    let mut opts = options(max_size);
    let mut diff = repo
        .diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut opts))
        .map_err(|e| fail("diff the index against HEAD", e))?;
    let files = changed_files(&mut diff).map_err(|e| fail("diff the index against HEAD", e))?;
    for file in files {
        let found = scan_added(repo, engine, max_size, &file, out);
        out.findings.extend(found);
    }
    Ok(())
}

/// Scans the new version of `file` whole (so contexts such as an org URL elsewhere in the
/// file count) and keeps the findings on added lines. Shared with range scans.
pub fn scan_added(
    repo: &git2::Repository,
    engine: &Engine,
    max_size: u64,
    file: &super::diff::ChangedFile,
    out: &mut Outcome,
) -> Vec<crate::finding::Finding> {
    let skip = |out: &mut Outcome, reason| {
        out.stats.skipped.push(Skipped {
            path: file.path.clone(),
            reason,
        })
    };
    let blob = match repo.find_blob(file.blob) {
        Ok(b) => b,
        Err(e) => {
            skip(
                out,
                SkipReason::MissingObject(format!("blob {}: {}", file.blob, e.message())),
            );
            return Vec::new();
        }
    };
    let data = blob.content();
    if data.len() as u64 > max_size {
        skip(
            out,
            SkipReason::TooLarge {
                size: data.len() as u64,
                limit: max_size,
            },
        );
        return Vec::new();
    }
    if looks_binary(data) {
        skip(out, SkipReason::Binary);
        return Vec::new();
    }
    out.stats.files_scanned += 1;
    out.stats.bytes_scanned += data.len() as u64;
    let mut found = engine.scan_blob(&file.path, data);
    found.retain(|f| file.added.contains(&f.line));
    found
}
