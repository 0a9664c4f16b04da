//! Reading trees, and the paths of their entries: shared by every step that walks trees.

use gix::ObjectId;
use gix::prelude::FindExt as _;

use crate::source::path::push_escaped;

/// One tree entry, decoded.
pub struct TreeEntry {
    pub name: Vec<u8>,
    pub id: ObjectId,
    pub kind: EntryKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Tree,
    Blob,
    Link,
    Submodule,
}

pub fn read_tree(
    repo: &gix::Repository,
    id: &ObjectId,
    buf: &mut Vec<u8>,
) -> Option<Vec<TreeEntry>> {
    let iter = repo.objects.find_tree_iter(id, buf).ok()?;
    let mut out = Vec::new();
    for e in iter {
        let e = e.ok()?;
        let kind = if e.mode.is_tree() {
            EntryKind::Tree
        } else if e.mode.is_commit() {
            EntryKind::Submodule
        } else if e.mode.is_link() {
            EntryKind::Link
        } else {
            EntryKind::Blob
        };
        out.push(TreeEntry {
            name: e.filename.to_vec(),
            id: e.oid.to_owned(),
            kind,
        });
    }
    Some(out)
}

/// Delta-base cache for the tree traversal. Trees are visited in history order, not pack
/// order, so the default 64-entry cache misses constantly: on git/git a 128 MiB cache cut
/// the traversal from 35 s to 19 s, 64 MiB to 20 s.
const TRAVERSAL_PACK_CACHE: usize = 64 << 20;

/// `repo` with a delta-base cache sized for walking trees in history order (the
/// enumeration, and attribution after it).
pub fn with_traversal_cache(repo: &gix::Repository) -> gix::Repository {
    let mut repo = repo.clone();
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            TRAVERSAL_PACK_CACHE,
        ))
    });
    repo
}

/// `prefix/name`; a prefix ending in `:` (a ref naming a tree, `refs/tags/x:`) takes the
/// name directly.
pub fn join(prefix: &str, name: &[u8]) -> String {
    let mut path = String::with_capacity(prefix.len() + 1 + name.len());
    path.push_str(prefix);
    push_component(&mut path, name);
    path
}

/// `join` in place: walks that keep one path buffer for a whole descent build paths in
/// linear time, however deep the tree.
pub fn push_component(path: &mut String, name: &[u8]) {
    if !path.is_empty() && !path.ends_with(':') {
        path.push('/');
    }
    push_escaped(path, name);
}
