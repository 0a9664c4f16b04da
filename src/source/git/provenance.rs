//! Which commit introduced a blob at a path: a commit whose tree has the blob at that path
//! where none of its parents has it there.
//!
//! Computed only for blobs that produced findings, in one pass over the commit graph that
//! descends only into subtrees that (a) differ from every parent's subtree at the same
//! name and (b) contain a target blob somewhere below (memoized per tree id). Unchanged
//! history costs one root-tree comparison per commit.
//!
//! Both descents keep their own stack rather than recursing: whoever wrote the history
//! chose how deep its trees nest (20,000 levels overflowed the thread's stack).

use gix::ObjectId;
use gix::hashtable::{HashMap, HashSet};
use gix::prelude::FindExt as _;

use super::enumerate::Commits;
use super::tree::{EntryKind, TreeEntry, join, push_component, read_tree};

pub struct Introduction {
    pub path: String,
    pub commit: ObjectId,
}

/// Introductions of each of `targets`, over exactly `commits` (the enumeration's: a commit
/// an earlier scan covered is not looked at again). A parent outside `commits` is read
/// from the repository.
pub fn introductions(
    repo: &gix::Repository,
    commits: &Commits,
    targets: &HashSet<ObjectId>,
) -> HashMap<ObjectId, Vec<Introduction>> {
    // Trees are read in history order, as the enumeration reads them: the same cache.
    let repo = &super::tree::with_traversal_cache(repo);
    let mut finder = Finder {
        repo,
        targets,
        contains: HashMap::default(),
        pending: Vec::new(),
        buf: Vec::new(),
        found: HashMap::default(),
    };
    let trees: HashMap<ObjectId, ObjectId> = commits.iter().map(|(c, t, _)| (c, t)).collect();
    for (commit, tree, parents) in commits.iter() {
        let parents: Vec<ObjectId> = parents
            .iter()
            .filter_map(|p| trees.get(p).copied().or_else(|| tree_of(repo, *p)))
            .collect();
        finder.compare(commit, tree, &parents);
    }
    finder.found
}

fn tree_of(repo: &gix::Repository, commit: ObjectId) -> Option<ObjectId> {
    let c = repo.find_commit(commit).ok()?;
    c.tree_id().ok().map(|t| t.detach())
}

struct Finder<'a> {
    repo: &'a gix::Repository,
    targets: &'a HashSet<ObjectId>,
    /// Tree id → does a target blob occur anywhere below it.
    contains: HashMap<ObjectId, bool>,
    /// Subtrees `contains_target` has still to look into: those of each open tree lie
    /// above those of the trees opened before it.
    pending: Vec<ObjectId>,
    buf: Vec<u8>,
    found: HashMap<ObjectId, Vec<Introduction>>,
}

/// A tree `contains_target` is looking into; its subtrees not yet known are `pending[start..]`.
struct Open {
    tree: ObjectId,
    start: usize,
    found: bool,
}

/// A tree `compare` is walking, beside the parents' trees at the same path.
struct Level {
    entries: Vec<TreeEntry>,
    parents: Vec<Vec<TreeEntry>>,
    next: usize,
    /// The length of the walk's path buffer while it is in this tree.
    path_len: usize,
}

impl Level {
    /// Whether a parent has `e` at the same path.
    fn unchanged(&self, e: &TreeEntry) -> bool {
        self.in_parents(&e.name, e.kind).any(|p| p == e.id)
    }

    fn in_parents<'s>(
        &'s self,
        name: &'s [u8],
        kind: EntryKind,
    ) -> impl Iterator<Item = ObjectId> + 's {
        self.parents
            .iter()
            .flatten()
            .filter(move |e| e.kind == kind && e.name == name)
            .map(|e| e.id)
    }
}

impl Finder<'_> {
    fn entries(&mut self, tree: &ObjectId) -> Vec<TreeEntry> {
        read_tree(self.repo, tree, &mut self.buf).unwrap_or_default()
    }

    fn contains_target(&mut self, root: ObjectId) -> bool {
        if let Some(&known) = self.contains.get(&root) {
            return known;
        }
        let mut open = vec![self.open(root)];
        while let Some(top) = open.last_mut() {
            let sub = if self.pending.len() > top.start {
                self.pending.pop()
            } else {
                None
            };
            match sub {
                Some(sub) => match self.contains.get(&sub) {
                    // Seen since it was queued (a subtree shared by siblings).
                    Some(&known) => top.found |= known,
                    None => {
                        let next = self.open(sub);
                        open.push(next);
                    }
                },
                None => {
                    let (tree, found) = (top.tree, top.found);
                    open.pop();
                    self.contains.insert(tree, found);
                    if let Some(parent) = open.last_mut() {
                        parent.found |= found;
                    }
                }
            }
        }
        self.contains.get(&root).copied().unwrap_or(false)
    }

    /// Starts looking into `tree`: its blobs are checked at once, its subtrees answered
    /// from the memo or queued.
    fn open(&mut self, tree: ObjectId) -> Open {
        // Marked first so a (corrupt) tree that contains itself ends the descent.
        self.contains.insert(tree, false);
        let start = self.pending.len();
        let mut found = false;
        if let Ok(iter) = self.repo.objects.find_tree_iter(&tree, &mut self.buf) {
            for entry in iter {
                let Ok(entry) = entry else {
                    // A corrupt tree counts as empty, as `read_tree` has it.
                    self.pending.truncate(start);
                    found = false;
                    break;
                };
                if entry.mode.is_tree() {
                    match self.contains.get(entry.oid) {
                        Some(&known) => found |= known,
                        None => self.pending.push(entry.oid.to_owned()),
                    }
                } else if !entry.mode.is_commit() && !entry.mode.is_link() {
                    found |= self.targets.contains(entry.oid);
                }
            }
        }
        Open { tree, start, found }
    }

    fn compare(&mut self, commit: ObjectId, tree: ObjectId, parents: &[ObjectId]) {
        if parents.contains(&tree) || !self.contains_target(tree) {
            return;
        }
        // One path buffer for the whole descent: each level truncates it to its own path.
        let mut path = String::new();
        let mut levels = vec![self.level(tree, parents, 0)];
        while let Some(level) = levels.last_mut() {
            let Some(e) = level.entries.get(level.next) else {
                levels.pop();
                continue;
            };
            level.next += 1;
            path.truncate(level.path_len);
            match e.kind {
                EntryKind::Blob if self.targets.contains(&e.id) && !level.unchanged(e) => {
                    self.found.entry(e.id).or_default().push(Introduction {
                        path: join(&path, &e.name),
                        commit,
                    });
                }
                EntryKind::Tree if !level.unchanged(e) && self.contains_target(e.id) => {
                    let subs: Vec<ObjectId> = level.in_parents(&e.name, EntryKind::Tree).collect();
                    push_component(&mut path, &e.name);
                    let next = self.level(e.id, &subs, path.len());
                    levels.push(next);
                }
                _ => {}
            }
        }
    }

    fn level(&mut self, tree: ObjectId, parents: &[ObjectId], path_len: usize) -> Level {
        Level {
            entries: self.entries(&tree),
            parents: parents.iter().map(|p| self.entries(p)).collect(),
            next: 0,
            path_len,
        }
    }
}
