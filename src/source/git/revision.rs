//! Files as one commit has them, whatever is checked out: the Action reads the settings of
//! a pull request's base revision, which the pull request cannot edit.

use std::path::Path;

use super::repo::open_git2;
use crate::error::{Error, Result};

/// Symbolic links followed at most this many times (git's own limit for a work tree's
/// checkout is the system's; this is only for a settings file).
const MAX_LINKS: usize = 8;

/// The file at `rel` (`/`-separated, relative to the repository root) in commit `rev`;
/// `None` when that commit has no such file. A symbolic link is followed inside the
/// commit's tree, as a checkout would read it; one pointing outside the repository is an
/// error (nothing outside it is read). Larger than `max` bytes is an error.
pub fn file_at(repo: &Path, rev: &str, rel: &str, max: u64) -> Result<Option<Vec<u8>>> {
    let repo = open_git2(repo)?;
    let tree = tree_of(&repo, rev)?;
    let mut path = rel.to_string();
    let mut links = 0;
    let blob = loop {
        let Ok(entry) = tree.get_path(Path::new(&path)) else {
            return Ok(None);
        };
        let Ok(blob) = entry.to_object(&repo).and_then(|o| o.peel_to_blob()) else {
            return Ok(None);
        };
        if entry.filemode() != 0o120000 {
            break blob;
        }
        links += 1;
        let target = String::from_utf8_lossy(blob.content());
        path = match (links <= MAX_LINKS)
            .then(|| link_target(&path, &target))
            .flatten()
        {
            Some(p) => p,
            None => {
                return Err(Error::repository(format!(
                    "{rel} at {}: a symbolic link that leads outside the repository or \
                     around in circles",
                    short(rev)
                )));
            }
        };
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

/// Where a link at `at` pointing to `target` leads, relative to the repository root;
/// `None` for an absolute target or one that climbs out of the repository.
fn link_target(at: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || target.contains('\\') || target.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = at.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
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

#[cfg(test)]
mod tests {
    use super::link_target;

    #[test]
    fn links_lead_inside_the_repository_only() {
        assert_eq!(
            link_target(".tokenwarden.toml", "ci/tw.toml").as_deref(),
            Some("ci/tw.toml")
        );
        assert_eq!(link_target("a/b/x", "../c/./y").as_deref(), Some("a/c/y"));
        assert_eq!(link_target("a/x", "../../etc/passwd"), None);
        assert_eq!(link_target("x", "/etc/passwd"), None);
        assert_eq!(link_target("x", "C:\\x"), None);
        assert_eq!(link_target("a/x", ".."), None);
    }
}
