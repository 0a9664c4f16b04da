//! Added lines of a change (git2): what the staged and range scans report on.

use std::collections::{BTreeMap, BTreeSet};

use git2::{Diff, DiffFindOptions, DiffOptions, FileMode, Oid, Repository, Tree};

use super::tree::push_component;
use crate::source::escape_non_utf8;

/// A file on the new side of a diff and the line numbers (1-based, new side) it adds.
pub struct ChangedFile {
    pub path: String,
    pub blob: Oid,
    pub added: BTreeSet<usize>,
}

/// New-side line numbers of the lines `new` adds relative to `old`. Always a text diff,
/// whatever `.gitattributes` says: a `-diff` attribute in the scanned tree must not hide
/// what a change adds.
pub fn added_lines(old: &[u8], new: &[u8]) -> BTreeSet<usize> {
    let mut opts = DiffOptions::new();
    opts.context_lines(0).force_text(true);
    let mut added = BTreeSet::new();
    let Ok(patch) = git2::Patch::from_buffers(old, None, new, None, Some(&mut opts)) else {
        // Cannot diff: treat every line as added rather than miss a secret.
        return (1..=new.split(|&b| b == b'\n').count()).collect();
    };
    for h in 0..patch.num_hunks() {
        for l in 0..patch.num_lines_in_hunk(h).unwrap_or(0) {
            if let Ok(line) = patch.line_in_hunk(h, l)
                && line.origin() == '+'
                && let Some(n) = line.new_lineno()
            {
                added.insert(n as usize);
            }
        }
    }
    added
}

pub fn options(max_size: u64) -> DiffOptions {
    let mut o = DiffOptions::new();
    o.context_lines(0)
        .ignore_submodules(true)
        .include_typechange(true)
        .max_size(i64::try_from(max_size).unwrap_or(i64::MAX));
    o
}

/// A file with new content on the new side of a tree diff, and the blob it replaces: the
/// same path's, or its rename source (none for a new file).
pub struct Change {
    pub path: String,
    pub old: Option<Oid>,
    pub new: Oid,
}

/// Files with new content in `diff`, after rename detection. Only the deltas: line diffs
/// are left to `added_lines`, because libgit2's own patches consult `.gitattributes`, which
/// the scanned tree writes (and look them up for every directory of every path).
pub fn changes(diff: &mut Diff<'_>) -> Result<Vec<Change>, git2::Error> {
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    let mut by_path: BTreeMap<String, Change> = BTreeMap::new();
    for delta in diff.deltas() {
        let (old, new) = (delta.old_file(), delta.new_file());
        if new.id().is_zero() || matches!(new.mode(), FileMode::Commit | FileMode::Link) {
            continue;
        }
        let Some(path) = new.path_bytes() else {
            continue;
        };
        let path = escape_non_utf8(path);
        by_path.entry(path.clone()).or_insert(Change {
            path,
            old: Some(old.id()).filter(|id| !id.is_zero() && old.mode() != FileMode::Commit),
            new: new.id(),
        });
    }
    Ok(by_path.into_values().collect())
}

/// Files with new content in `new` relative to `old` at the same path (no rename
/// detection), and the length of the longest directory path where the trees differ. A
/// walk with its own stack and one path buffer: trees nest as deep as their author wants.
pub fn walk_changes(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
) -> Result<(Vec<Change>, usize), git2::Error> {
    struct Level<'r> {
        old: Option<Tree<'r>>,
        new: Tree<'r>,
        next: usize,
        path_len: usize,
    }
    let mut levels = vec![Level {
        old: old.cloned(),
        new: new.clone(),
        next: 0,
        path_len: 0,
    }];
    let mut path = String::new();
    let mut changes = Vec::new();
    let mut longest = 0;
    while let Some(level) = levels.last_mut() {
        let Some(entry) = level.new.get(level.next) else {
            levels.pop();
            continue;
        };
        level.next += 1;
        let before = level
            .old
            .as_ref()
            .and_then(|t| t.get_name_bytes(entry.name_bytes()))
            .map(|e| (e.id(), e.kind()));
        let (id, kind) = (entry.id(), entry.kind());
        if before.is_some_and(|(b, _)| b == id) || entry.filemode() == i32::from(FileMode::Link) {
            continue;
        }
        path.truncate(level.path_len);
        push_component(&mut path, entry.name_bytes());
        drop(entry); // it borrows `levels`
        let was = |k| before.filter(|&(_, bk)| bk == Some(k)).map(|(b, _)| b);
        match kind {
            Some(git2::ObjectType::Blob) => changes.push(Change {
                path: path.clone(),
                old: was(git2::ObjectType::Blob),
                new: id,
            }),
            Some(git2::ObjectType::Tree) => {
                let old = match was(git2::ObjectType::Tree) {
                    Some(b) => Some(repo.find_tree(b)?),
                    None => None,
                };
                let next = Level {
                    old,
                    new: repo.find_tree(id)?,
                    next: 0,
                    path_len: path.len(),
                };
                levels.push(next);
                longest = longest.max(path.len());
            }
            _ => {} // submodules are not entered
        }
    }
    Ok((changes, longest))
}
