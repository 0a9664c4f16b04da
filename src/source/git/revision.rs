//! Files as one commit has them, whatever is checked out: the Action reads the settings of
//! a pull request's base revision, which the pull request cannot edit.

use std::path::Path;

use super::repo::open_git2;
use crate::error::{Error, Result};

/// The file at `rel` (`/`-separated, relative to the repository root) in commit `rev`;
/// `None` when that commit has no such file. Larger than `max` bytes is an error.
pub fn file_at(repo: &Path, rev: &str, rel: &str, max: u64) -> Result<Option<Vec<u8>>> {
    let repo = open_git2(repo)?;
    let tree = tree_of(&repo, rev)?;
    let Ok(entry) = tree.get_path(Path::new(rel)) else {
        return Ok(None);
    };
    let Ok(blob) = entry.to_object(&repo).and_then(|o| o.peel_to_blob()) else {
        return Ok(None);
    };
    if blob.size() as u64 > max {
        return Err(Error::repository(format!(
            "{rel} at {}: {} bytes, more than the {max} allowed",
            short(rev),
            blob.size()
        )));
    }
    Ok(Some(blob.content().to_vec()))
}

/// The `*.toml` files directly in directory `dir` of commit `rev`, by name, each at most
/// `max` bytes; none when the directory does not exist there.
pub fn toml_files_at(
    repo: &Path,
    rev: &str,
    dir: &str,
    max: u64,
) -> Result<Vec<(String, Vec<u8>)>> {
    let repo = open_git2(repo)?;
    let tree = tree_of(&repo, rev)?;
    let sub = if dir.is_empty() {
        tree
    } else {
        match tree
            .get_path(Path::new(dir))
            .and_then(|e| e.to_object(&repo))
        {
            Ok(o) => match o.into_tree() {
                Ok(t) => t,
                Err(_) => return Ok(Vec::new()),
            },
            Err(_) => return Ok(Vec::new()),
        }
    };
    let mut files = Vec::new();
    for entry in sub.iter() {
        let Some(name) = entry.name().ok().filter(|n| n.ends_with(".toml")) else {
            continue;
        };
        let Ok(blob) = entry.to_object(&repo).and_then(|o| o.peel_to_blob()) else {
            continue;
        };
        let rel = if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        };
        if blob.size() as u64 > max {
            return Err(Error::repository(format!(
                "{rel} at {}: {} bytes, more than the {max} allowed",
                short(rev),
                blob.size()
            )));
        }
        files.push((rel, blob.content().to_vec()));
    }
    files.sort();
    Ok(files)
}

fn tree_of<'r>(repo: &'r git2::Repository, rev: &str) -> Result<git2::Tree<'r>> {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_tree())
        .map_err(|e| {
            Error::repository(format!(
                "cannot read commit {}: {}",
                short(rev),
                e.message()
            ))
        })
}

fn short(rev: &str) -> &str {
    &rev[..rev.len().min(10)]
}
