//! Index vs HEAD, the way `git diff --cached` does it: the index's cache-tree extension
//! names the tree each unchanged directory would have, so a directory whose cached tree
//! id equals HEAD's is skipped without reading anything below it. A commit hook on a big
//! repository then reads one or two trees, not thousands.

use std::collections::HashMap;

use gix::ObjectId;
use gix::index::entry::{Flags, Mode, Stage};
use gix::index::extension::Tree as CacheTree;

use super::blobs::{EntryKind, TreeEntry, read_tree};

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
    walk.dir(b"", head_tree, index.tree(), &files);
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

impl Walk<'_> {
    /// `files` are the index entries under `prefix` (contiguous: the index is sorted).
    fn dir(
        &mut self,
        prefix: &[u8],
        tree: Option<ObjectId>,
        cache: Option<&CacheTree>,
        files: &[IndexFile<'_>],
    ) {
        if let (Some(c), Some(t)) = (cache, tree)
            && c.num_entries.is_some()
            && c.id == t
        {
            return;
        }
        let entries: Vec<TreeEntry> = match tree {
            Some(t) => read_tree(self.repo, &t, &mut self.buf).unwrap_or_default(),
            None => Vec::new(),
        };
        let mut in_head: HashMap<&[u8], &TreeEntry> =
            entries.iter().map(|e| (e.name.as_slice(), e)).collect();
        let mut i = 0;
        while i < files.len() {
            let rest = &files[i].path[prefix.len()..];
            match memchr::memchr(b'/', rest) {
                None => {
                    let head = in_head.remove(rest);
                    let old = head.filter(|e| e.kind == EntryKind::Blob).map(|e| e.id);
                    if old != Some(files[i].id) {
                        let path = String::from_utf8_lossy(files[i].path).into_owned();
                        self.changed.push((path, files[i].id, old));
                    }
                    i += 1;
                }
                Some(slash) => {
                    let name = &rest[..slash];
                    let sub_prefix_len = prefix.len() + slash + 1;
                    let sub_prefix = &files[i].path[..sub_prefix_len];
                    let end = i + files[i..]
                        .iter()
                        .take_while(|f| f.path.starts_with(sub_prefix))
                        .count();
                    let head = in_head
                        .remove(name)
                        .filter(|e| e.kind == EntryKind::Tree)
                        .map(|e| e.id);
                    let child =
                        cache.and_then(|c| c.children.iter().find(|t| t.name.as_slice() == name));
                    let sub_prefix = sub_prefix.to_vec();
                    self.dir(&sub_prefix, head, child, &files[i..end]);
                    i = end;
                }
            }
        }
        for (name, e) in in_head {
            if matches!(e.kind, EntryKind::Blob | EntryKind::Tree) {
                self.deleted.push((name.to_vec(), e.id, e.kind));
            }
        }
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
