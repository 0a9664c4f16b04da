//! Which commit introduced a blob at a path: a commit whose tree has the blob at that path
//! where none of its parents has it there.
//!
//! Computed only for blobs that produced findings, in one pass over the commit graph that
//! descends only into subtrees that (a) differ from every parent's subtree at the same
//! name and (b) contain a target blob somewhere below (memoized per tree id). Unchanged
//! history costs one root-tree comparison per commit.

use gix::ObjectId;
use gix::hashtable::{HashMap, HashSet};

use super::blobs::{EntryKind, TreeEntry, join, read_tree};

pub struct Introduction {
    pub path: String,
    pub commit: ObjectId,
}

pub fn introductions(
    repo: &gix::Repository,
    tips: &[ObjectId],
    targets: &HashSet<ObjectId>,
) -> HashMap<ObjectId, Vec<Introduction>> {
    let mut finder = Finder {
        repo,
        targets,
        contains: HashMap::default(),
        buf: Vec::new(),
        found: HashMap::default(),
    };
    let Ok(walk) = repo.rev_walk(tips.iter().copied()).all() else {
        return finder.found;
    };
    for info in walk.flatten() {
        let Some(tree) = tree_of(repo, info.id) else {
            continue;
        };
        let parents: Vec<ObjectId> = info
            .parent_ids()
            .filter_map(|p| tree_of(repo, p.detach()))
            .collect();
        finder.compare(info.id, tree, &parents, "");
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
    buf: Vec<u8>,
    found: HashMap<ObjectId, Vec<Introduction>>,
}

impl Finder<'_> {
    fn entries(&mut self, tree: &ObjectId) -> Vec<TreeEntry> {
        read_tree(self.repo, tree, &mut self.buf).unwrap_or_default()
    }

    fn contains_target(&mut self, tree: ObjectId) -> bool {
        if let Some(&known) = self.contains.get(&tree) {
            return known;
        }
        // Marked first so a (corrupt) self-referencing tree cannot recurse forever.
        self.contains.insert(tree, false);
        let mut found = false;
        for e in self.entries(&tree) {
            found |= match e.kind {
                EntryKind::Blob => self.targets.contains(&e.id),
                EntryKind::Tree => self.contains_target(e.id),
                _ => false,
            };
        }
        self.contains.insert(tree, found);
        found
    }

    fn compare(&mut self, commit: ObjectId, tree: ObjectId, parents: &[ObjectId], prefix: &str) {
        if parents.contains(&tree) || !self.contains_target(tree) {
            return;
        }
        let entries = self.entries(&tree);
        let parent_entries: Vec<Vec<TreeEntry>> = parents.iter().map(|p| self.entries(p)).collect();
        let in_parent = |name: &[u8], pred: &dyn Fn(&TreeEntry) -> bool| -> Vec<ObjectId> {
            parent_entries
                .iter()
                .flat_map(|es| {
                    es.iter()
                        .filter(|e| e.name == name && pred(e))
                        .map(|e| e.id)
                })
                .collect()
        };
        for e in entries {
            match e.kind {
                EntryKind::Blob if self.targets.contains(&e.id) => {
                    let same = in_parent(&e.name, &|p| p.kind == EntryKind::Blob);
                    if !same.contains(&e.id) {
                        self.found.entry(e.id).or_default().push(Introduction {
                            path: join(prefix, &e.name),
                            commit,
                        });
                    }
                }
                EntryKind::Tree => {
                    let subs = in_parent(&e.name, &|p| p.kind == EntryKind::Tree);
                    self.compare(commit, e.id, &subs, &join(prefix, &e.name));
                }
                _ => {}
            }
        }
    }
}
