//! The files a git repository tracks below a directory scan's root. Ignore files decide
//! what a walk skips, and they are part of the scanned tree: a pull request that commits
//! `prod.env` with `git add -f` and lists it in `.gitignore` would hide it from `scan .`.
//! Whatever git tracks is scanned, ignore files or not.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// The tracked regular files below a root, as root-relative `/`-separated bytes in the
/// index's order (sorted), each with a mark the walk sets when it lists the file.
pub struct Tracked {
    files: Vec<Vec<u8>>,
    seen: Vec<AtomicBool>,
}

impl Tracked {
    /// The tracked files below `root` when it is in a git work tree whose index can be
    /// read; `None` otherwise (no repository, a bare one, an unreadable or unsupported
    /// index: the walk's answer stands). Reads the index file only: nothing of the
    /// repository's configuration is consulted, so ownership does not matter here.
    pub fn below(root: &Path) -> Option<Tracked> {
        let (path, _trust) = gix::discover::upwards(root).ok()?;
        let (git_dir, work_tree) = path.into_repository_and_work_tree_directories();
        let work_tree = std::fs::canonicalize(work_tree?).ok()?;
        let root = std::fs::canonicalize(root).ok()?;
        let mut prefix = slashed(
            root.strip_prefix(&work_tree)
                .ok()?
                .as_os_str()
                .as_encoded_bytes(),
        )
        .into_owned();
        if !prefix.is_empty() {
            prefix.push(b'/');
        }
        // The checksum only detects disk corruption, and costs as much as the parse.
        let index = gix::index::File::at(
            git_dir.join("index"),
            gix::hash::Kind::Sha1,
            true,
            Default::default(),
        )
        .ok()?;
        let files: Vec<Vec<u8>> = index
            .entries()
            .iter()
            .filter(|e| {
                matches!(
                    e.mode,
                    gix::index::entry::Mode::FILE | gix::index::entry::Mode::FILE_EXECUTABLE
                ) && !e.flags.contains(gix::index::entry::Flags::SKIP_WORKTREE)
            })
            .filter_map(|e| Some(e.path(&index).strip_prefix(prefix.as_slice())?.to_vec()))
            .collect();
        let seen = files.iter().map(|_| AtomicBool::new(false)).collect();
        Some(Tracked { files, seen })
    }

    /// Marks the file at `below` (a path below the root, as the walk joined it) as listed.
    pub fn saw(&self, below: &[u8]) {
        let below = slashed(below);
        if let Ok(i) = self.files.binary_search_by(|f| f.as_slice().cmp(&*below)) {
            self.seen[i].store(true, Ordering::Relaxed);
        }
    }

    /// The tracked files the walk did not list, as paths below `root`.
    pub fn missed(&self, root: &Path) -> Vec<PathBuf> {
        self.files
            .iter()
            .zip(&self.seen)
            .filter(|(_, seen)| !seen.load(Ordering::Relaxed))
            .filter_map(|(f, _)| Some(root.join(gix::path::from_byte_slice(f).ok()?)))
            .filter(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
            .collect()
    }
}

/// `bytes` with `\` as `/` on Windows, where the index says `/` and paths say `\`.
fn slashed(bytes: &[u8]) -> Cow<'_, [u8]> {
    if cfg!(windows) && bytes.contains(&b'\\') {
        Cow::Owned(
            bytes
                .iter()
                .map(|&b| if b == b'\\' { b'/' } else { b })
                .collect(),
        )
    } else {
        Cow::Borrowed(bytes)
    }
}
