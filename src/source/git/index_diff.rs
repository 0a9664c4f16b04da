//! Index vs HEAD, the way `git diff --cached` does it: the index's cache-tree extension
//! names the tree each unchanged directory would have, so a directory whose cached tree
//! id equals HEAD's is skipped without reading anything below it. A commit hook on a big
//! repository then reads one or two trees, not thousands.

use std::collections::HashMap;

use gix::ObjectId;
use gix::index::entry::{Flags, Mode, Stage};
use gix::index::extension::Tree as CacheTree;

use super::tree::{EntryKind, TreeEntry, read_tree};
use crate::source::escape_non_utf8;

/// A staged file whose content differs from HEAD.
pub struct StagedFile {
    pub path: String,
    pub new: ObjectId,
    /// HEAD's blob at the same path, or, for a file new at this path, a blob deleted
    /// elsewhere that it was probably moved from (same file name).
    pub old: Option<ObjectId>,
}

struct IndexFile<'a> {
    path: &'a [u8],
    id: ObjectId,
}

/// Staged files that add or change content relative to `head_tree` (None before the first
/// commit). Pure renames (same blob at a new path) are not returned.
pub fn staged_files(
    repo: &gix::Repository,
    index: &gix::index::File,
    head_tree: Option<ObjectId>,
) -> Vec<StagedFile> {
    let files: Vec<IndexFile<'_>> = index
        .entries()
        .iter()
        .filter(|e| {
            e.stage() == Stage::Unconflicted
                && !e.flags.contains(Flags::INTENT_TO_ADD)
                && (e.mode == Mode::FILE || e.mode == Mode::FILE_EXECUTABLE)
        })
        .map(|e| IndexFile {
            path: e.path(index).as_ref(),
            id: e.id,
        })
        .collect();
    let mut walk = Walk {
        repo,
        buf: Vec::new(),
        changed: Vec::new(),
        deleted: Vec::new(),
    };
    walk.compare(head_tree, index.tree(), &files);
    walk.finish()
}

struct Walk<'r> {
    repo: &'r gix::Repository,
    buf: Vec<u8>,
    /// (path, new blob, HEAD's blob at the path).
    changed: Vec<(String, ObjectId, Option<ObjectId>)>,
    /// Blobs (or whole trees) present in HEAD but gone from the index: rename sources.
    deleted: Vec<(Vec<u8>, ObjectId, EntryKind)>,
}

/// A directory being compared: HEAD's entries not matched yet, and the index entries
/// below it (contiguous: the index is sorted), of which `files[next..]` are left.
struct Dir<'a> {
    prefix_len: usize,
    cache: Option<&'a CacheTree>,
    files: &'a [IndexFile<'a>],
    next: usize,
    in_head: HashMap<Vec<u8>, (ObjectId, EntryKind)>,
}

impl Walk<'_> {
    /// Depth first over the directories of the index, with a stack of its own: index paths
    /// nest as deep as the trees they were read from.
    fn compare<'a>(
        &mut self,
        head_tree: Option<ObjectId>,
        cache: Option<&'a CacheTree>,
        files: &'a [IndexFile<'a>],
    ) {
        let mut dirs: Vec<Dir<'a>> = self.open(0, head_tree, cache, files).into_iter().collect();
        while let Some(dir) = dirs.last_mut() {
            let files = dir.files;
            let Some(file) = files.get(dir.next) else {
                if let Some(done) = dirs.pop() {
                    for (name, (id, kind)) in done.in_head {
                        if matches!(kind, EntryKind::Blob | EntryKind::Tree) {
                            self.deleted.push((name, id, kind));
                        }
                    }
                }
                continue;
            };
            let rest = &file.path[dir.prefix_len..];
            let Some(slash) = memchr::memchr(b'/', rest) else {
                let old = dir
                    .in_head
                    .remove(rest)
                    .filter(|&(_, kind)| kind == EntryKind::Blob)
                    .map(|(id, _)| id);
                if old != Some(file.id) {
                    let path = escape_non_utf8(file.path);
                    self.changed.push((path, file.id, old));
                }
                dir.next += 1;
                continue;
            };
            let name = &rest[..slash];
            let sub_prefix_len = dir.prefix_len + slash + 1;
            let sub_prefix = &file.path[..sub_prefix_len];
            let end = dir.next
                + files[dir.next..]
                    .iter()
                    .take_while(|f| f.path.starts_with(sub_prefix))
                    .count();
            let head = dir
                .in_head
                .remove(name)
                .filter(|&(_, kind)| kind == EntryKind::Tree)
                .map(|(id, _)| id);
            let child = dir
                .cache
                .and_then(|c| c.children.iter().find(|t| t.name.as_slice() == name));
            let below = &files[dir.next..end];
            dir.next = end;
            if let Some(sub) = self.open(sub_prefix_len, head, child, below) {
                dirs.push(sub);
            }
        }
    }

    /// The directory at `files[..].path[..prefix_len]`, or `None` when the index's
    /// cache-tree says it is HEAD's tree unchanged.
    fn open<'a>(
        &mut self,
        prefix_len: usize,
        tree: Option<ObjectId>,
        cache: Option<&'a CacheTree>,
        files: &'a [IndexFile<'a>],
    ) -> Option<Dir<'a>> {
        if let (Some(c), Some(t)) = (cache, tree)
            && c.num_entries.is_some()
            && c.id == t
        {
            return None;
        }
        let entries: Vec<TreeEntry> = match tree {
            Some(t) => read_tree(self.repo, &t, &mut self.buf).unwrap_or_default(),
            None => Vec::new(),
        };
        Some(Dir {
            prefix_len,
            cache,
            files,
            next: 0,
            in_head: entries
                .into_iter()
                .map(|e| (e.name, (e.id, e.kind)))
                .collect(),
        })
    }

    fn finish(mut self) -> Vec<StagedFile> {
        let new_paths = self.changed.iter().filter(|c| c.2.is_none()).count();
        // Only expand deleted trees when some file is new at its path (a rename candidate).
        let mut gone: Vec<(Vec<u8>, ObjectId)> = Vec::new();
        if new_paths > 0 {
            let mut stack = std::mem::take(&mut self.deleted);
            while let Some((name, id, kind)) = stack.pop() {
                match kind {
                    EntryKind::Blob => gone.push((name, id)),
                    _ => {
                        for e in read_tree(self.repo, &id, &mut self.buf).unwrap_or_default() {
                            stack.push((e.name, e.id, e.kind));
                        }
                    }
                }
            }
        }
        let mut out = Vec::new();
        for (path, new, old) in self.changed {
            let old = match old {
                Some(o) => Some(o),
                None => {
                    if gone.iter().any(|(_, id)| *id == new) {
                        continue; // moved unchanged: adds nothing
                    }
                    let file_name = path.rsplit('/').next().unwrap_or(&path).as_bytes();
                    gone.iter().find(|(n, _)| n == file_name).map(|(_, id)| *id)
                }
            };
            out.push(StagedFile { path, new, old });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// gix cannot read an index holding a path of 4 KiB or more (so `staged` stops with an
    /// error on one), so this index is built in memory: a test thread's 2 MiB stack held a
    /// few thousand levels of the recursive walk, not 20,000.
    #[test]
    fn a_path_20000_directories_deep_is_compared_without_recursion() {
        let dir = tempfile::tempdir().unwrap();
        git2::Repository::init(dir.path()).unwrap();
        let repo = gix::open(dir.path()).unwrap();
        let path = format!("{}leaf.sh", "a/".repeat(20_000));
        let mut state = gix::index::State::new(gix::hash::Kind::Sha1);
        state.dangerously_push_entry(
            Default::default(),
            ObjectId::null(gix::hash::Kind::Sha1),
            Flags::empty(),
            Mode::FILE,
            path.as_str().into(),
        );
        let index = gix::index::File::from_state(state, dir.path().join("index"));
        let staged = staged_files(&repo, &index, None);
        assert_eq!(staged.len(), 1);
        assert_eq!(staged[0].path, path);
    }
}
