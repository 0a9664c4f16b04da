//! Every commit, tree and blob a set of roots reaches, each once: the list a history scan
//! inflates, and the commits attribution later walks. What an earlier scan already covered
//! (`Known`) is left out, so a scan can start where another stopped.

use gix::ObjectId;
use gix::hashtable::{HashMap, HashSet};

use super::changes::{TreeBytes, for_each_changed, read_tree_bytes};
use super::prefetch::with_roots_read_ahead;
use super::refs::Roots;
use super::tree::{join, with_traversal_cache};
use crate::outcome::{SkipReason, Skipped};

/// What an earlier scan covered. A known commit is not walked, nor are its ancestors (a
/// scan covers everything its tips reach); a known blob is not listed again.
#[derive(Default)]
pub struct Known {
    pub commits: HashSet<ObjectId>,
    pub blobs: HashSet<ObjectId>,
}

impl Known {
    fn has_blob(&self, id: &gix::oid) -> bool {
        // Asked once per tree entry (135M on git/git): no hashing when nothing is known.
        !self.blobs.is_empty() && self.blobs.contains(id)
    }
}

/// A distinct blob and the first path it was seen at (used for path-based contexts).
pub struct BlobEntry {
    pub id: ObjectId,
    pub path: String,
}

/// The walked commits with their trees and parents: the graph attribution needs, so it
/// does not walk history again. Flat, because git/git has 200,000 commits: 60 bytes each
/// here, twice that as a struct with its own parent list.
#[derive(Default)]
pub struct Commits {
    ids: Vec<ObjectId>,
    trees: Vec<ObjectId>,
    /// `parents[parent_ends[i - 1]..parent_ends[i]]` are commit i's.
    parent_ends: Vec<u32>,
    parents: Vec<ObjectId>,
}

impl Commits {
    fn push(&mut self, id: ObjectId, tree: ObjectId, parents: &[ObjectId]) {
        self.ids.push(id);
        self.trees.push(tree);
        self.parents.extend_from_slice(parents);
        self.parent_ends.push(self.parents.len() as u32);
    }

    fn parents_of(&self, i: usize) -> &[ObjectId] {
        let start = if i == 0 {
            0
        } else {
            self.parent_ends[i - 1] as usize
        };
        &self.parents[start..self.parent_ends[i] as usize]
    }

    /// Indices of the commits, each followed by its first parent while that parent is
    /// not listed yet, then by the other parents' lines: neighbours in this order are
    /// parent and child, so their trees differ in few entries (the walk's own order is
    /// breadth-first over every ref, which puts commits of different years side by side).
    fn lineage_order(&self) -> Vec<usize> {
        let index: HashMap<ObjectId, usize> = self
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i))
            .collect();
        let mut listed = vec![false; self.ids.len()];
        let mut order = Vec::with_capacity(self.ids.len());
        let mut stack = Vec::new();
        for start in 0..self.ids.len() {
            stack.push(start);
            while let Some(i) = stack.pop() {
                if std::mem::replace(&mut listed[i], true) {
                    continue;
                }
                order.push(i);
                let parents = self.parents_of(i).iter().rev();
                stack.extend(
                    parents
                        .filter_map(|p| index.get(p).copied())
                        .filter(|&p| !listed[p]),
                );
            }
        }
        order
    }

    /// (commit, its tree, its parents), newest first (the walk's order).
    pub fn iter(&self) -> impl Iterator<Item = (ObjectId, ObjectId, &[ObjectId])> {
        (0..self.ids.len()).map(|i| {
            let start = if i == 0 {
                0
            } else {
                self.parent_ends[i - 1] as usize
            };
            let end = self.parent_ends[i] as usize;
            (self.ids[i], self.trees[i], &self.parents[start..end])
        })
    }
}

#[derive(Default)]
pub struct Enumeration {
    pub blobs: Vec<BlobEntry>,
    pub commits: Commits,
    pub skipped: Vec<Skipped>,
}

/// Every commit reachable from `roots.tips` and not `known`, every tree of theirs once,
/// every blob once; plus trees and blobs named directly by refs. Each commit's message is
/// handed to `on_message` as it is walked (messages are a place secrets leak too).
///
/// The commits are walked first; their trees are then traversed parent after child
/// (`Commits::lineage_order`), so that each tree is compared with the version of its
/// directory just before (`changes`), while other threads read the root trees ahead
/// (`prefetch`). A blob is listed at the first path this order meets it at: the same
/// list for any number of threads.
pub fn enumerate(
    repo: &gix::Repository,
    roots: &Roots,
    known: &Known,
    on_message: &mut dyn FnMut(ObjectId, &[u8]),
) -> Result<Enumeration, String> {
    let mut out = Enumeration::default();
    out.commits = walk(repo, roots, known, on_message, &mut out.skipped)?;
    let order = out.commits.lineage_order();
    let trees: Vec<ObjectId> = order.iter().map(|&i| out.commits.trees[i]).collect();
    let traversal = with_traversal_cache(repo);
    let mut e = Enumerator::new(&traversal, known, out);
    // The traversal's own thread is one of the run's; the readers are the rest, up to a
    // few: with one reader the traversal is already the slower side (git/git: the reader
    // waits 40% of the time), and each reader holds a 64 MiB cache.
    let readers = rayon::current_num_threads()
        .saturating_sub(1)
        .min(MAX_READERS);
    if readers == 0 || trees.len() < MIN_READ_AHEAD {
        for tree in &trees {
            e.tree(*tree, String::new(), None);
        }
    } else {
        with_roots_read_ahead(repo, &trees, readers, |tree, bytes| {
            e.tree(tree, String::new(), bytes)
        });
    }
    for root in &roots.loose {
        if root.is_tree {
            e.tree(root.id, format!("{}:", root.name), None);
        } else {
            e.blob(root.id, root.name.clone());
        }
    }
    Ok(e.out)
}

/// Below this many commits, reading root trees on other threads costs more than it saves.
const MIN_READ_AHEAD: usize = 512;

/// Root-tree readers at most, however many threads the run has.
const MAX_READERS: usize = 2;

/// The commits reachable from `roots.tips` and not `known`, newest first, each message
/// handed to `on_message`; a commit that cannot be read is a skip with the reason.
fn walk(
    repo: &gix::Repository,
    roots: &Roots,
    known: &Known,
    on_message: &mut dyn FnMut(ObjectId, &[u8]),
    skipped: &mut Vec<Skipped>,
) -> Result<Commits, String> {
    let mut commits = Commits::default();
    // The walk reads each commit for its parents; it is read again for its tree and
    // message, from this cache instead of the pack (a third of the walk on git/git).
    let mut repo = repo.clone();
    repo.object_cache_size(Some(1 << 20));
    let platform = repo.rev_walk(roots.tips.iter().copied());
    let walk = if known.commits.is_empty() {
        platform.all()
    } else {
        platform.selected(|id| !known.commits.contains(id))
    }
    .map_err(|err| format!("cannot walk history: {err}"))?;
    for info in walk {
        let info = match info {
            Ok(i) => i,
            Err(err) => {
                skipped.push(Skipped::new(
                    "<history>".into(),
                    SkipReason::MissingObject(format!("commit walk stopped early: {err}")),
                ));
                break;
            }
        };
        match repo.find_commit(info.id).and_then(|c| {
            on_message(info.id, c.message_raw_sloppy());
            Ok(c.tree_id()?.detach())
        }) {
            Ok(tree) => commits.push(info.id, tree, &info.parent_ids),
            Err(err) => skipped.push(Skipped::new(
                format!("<commit {}>", info.id),
                SkipReason::MissingObject(err.to_string()),
            )),
        }
    }
    Ok(commits)
}

struct Enumerator<'r> {
    repo: &'r gix::Repository,
    known: &'r Known,
    out: Enumeration,
    // Object ids are already uniformly distributed: gix's hashtable skips rehashing them,
    // which matters at 100M+ lookups (git/git's trees hold 135M entries).
    seen_trees: HashSet<ObjectId>,
    seen_blobs: HashSet<ObjectId>,
    submodules: std::collections::HashSet<String>,
    /// The tree last read completely at each path, as bytes: the next tree at that path
    /// is mostly the same entries, which need no lookup (see `Enumerator::entries`).
    last: std::collections::HashMap<String, TreeBytes>,
    buf: Vec<u8>,
    stack: Vec<(ObjectId, String)>,
}

impl<'r> Enumerator<'r> {
    fn new(repo: &'r gix::Repository, known: &'r Known, out: Enumeration) -> Self {
        Enumerator {
            repo,
            known,
            out,
            seen_trees: HashSet::default(),
            seen_blobs: HashSet::default(),
            submodules: std::collections::HashSet::new(),
            last: std::collections::HashMap::new(),
            buf: Vec::new(),
            stack: Vec::new(),
        }
    }

    fn blob(&mut self, id: ObjectId, path: String) {
        if !self.known.has_blob(&id) && self.seen_blobs.insert(id) {
            self.out.blobs.push(BlobEntry { id, path });
        }
    }

    fn skip(&mut self, path: String, reason: SkipReason) {
        self.out.skipped.push(Skipped::new(path, reason));
    }

    /// Every tree below `root` not seen before, depth first; `read`: `root`'s bytes if
    /// they were read already.
    fn tree(&mut self, root: ObjectId, prefix: String, mut read: Option<TreeBytes>) {
        self.stack.push((root, prefix));
        while let Some((id, prefix)) = self.stack.pop() {
            if !self.seen_trees.insert(id) {
                continue;
            }
            let data = match read.take() {
                Some(bytes) => Some(bytes),
                None => read_tree_bytes(self.repo, &id, &mut self.buf),
            };
            let Some(data) = data else {
                let path = if prefix.is_empty() {
                    format!("<tree {id}>")
                } else {
                    prefix
                };
                self.skip(
                    path,
                    SkipReason::MissingObject(format!("tree {id} is missing or corrupt")),
                );
                continue;
            };
            let previous = self.last.get(&prefix).cloned();
            if self.entries(&id, &prefix, &data, previous.as_deref().map(Vec::as_slice)) {
                self.last.insert(prefix, data);
            }
        }
    }

    /// Lists the entries of tree `id` at `prefix` (its bytes `data`) that `previous`,
    /// the tree read at that path before (all of whose entries were handled then), does
    /// not hold unchanged: subtrees not seen go on the stack, blobs not seen are listed.
    /// Returns whether every entry could be read.
    fn entries(
        &mut self,
        id: &ObjectId,
        prefix: &str,
        data: &[u8],
        previous: Option<&[u8]>,
    ) -> bool {
        let whole = for_each_changed(data, previous, self.repo.object_hash(), |entry| {
            if entry.mode.is_tree() {
                if !self.seen_trees.contains(entry.oid) {
                    self.stack
                        .push((entry.oid.to_owned(), join(prefix, entry.filename)));
                }
            } else if entry.mode.is_commit() {
                let path = join(prefix, entry.filename);
                if self.submodules.insert(path.clone()) {
                    self.out
                        .skipped
                        .push(Skipped::new(path, SkipReason::Submodule));
                }
            } else if !entry.mode.is_link()
                && !self.known.has_blob(entry.oid)
                && self.seen_blobs.insert(entry.oid.to_owned())
            {
                self.out.blobs.push(BlobEntry {
                    id: entry.oid.to_owned(),
                    path: join(prefix, entry.filename),
                });
            }
        });
        if !whole {
            self.skip(
                prefix.to_string(),
                SkipReason::MissingObject(format!("tree {id} is corrupt")),
            );
        }
        whole
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::git::scratch::Scratch;

    /// A history long enough for the traversal to read ahead on other threads: a main
    /// line and side branches merged back, files moving between directories, a file
    /// changed back to an earlier version, a submodule, a symlink; and one root tree and
    /// one subtree deleted from the object store.
    fn history() -> (Scratch, Vec<git2::Oid>) {
        let mut s = Scratch::new();
        let mut tips = Vec::new();
        let mut head = s.commit(Some("refs/heads/main"), &[], &[("README", "start")]);
        for i in 0..(MIN_READ_AHEAD + 100) {
            let files = [
                ("README", "start".to_string()),
                ("src/lib.rs", format!("version {}", i / 3)),
                ("src/deep/a.rs", format!("a {}", i % 7)),
                (
                    if i % 50 < 25 {
                        "docs/x.md"
                    } else {
                        "guide/x.md"
                    },
                    "same".into(),
                ),
                ("tests/t.rs", format!("t {i}")),
            ];
            let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
            if i % 40 == 39 {
                let side = s.commit(None, &[head], &[("side.txt", &format!("side {i}"))]);
                head = s.commit(Some("refs/heads/main"), &[head, side], &files);
            } else {
                head = s.commit(Some("refs/heads/main"), &[head], &files);
            }
            tips.push(head);
        }
        (s, tips)
    }

    /// (blob, path) in listing order, and the skips, enumerated on `threads` threads.
    fn listing(s: &Scratch, threads: usize) -> (Vec<(String, String)>, Vec<String>) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let dir = s.dir.path();
        pool.install(|| {
            let repo = crate::source::git::Repo::open(dir).unwrap();
            let roots = Roots::all(&repo.git2).unwrap();
            let listed = enumerate(&repo.gix, &roots, &Known::default(), &mut |_, _| {}).unwrap();
            let blobs = listed
                .blobs
                .iter()
                .map(|b| (b.id.to_string(), b.path.clone()))
                .collect();
            let skipped = listed
                .skipped
                .iter()
                .map(|s| format!("{}: {}", s.path, s.reason))
                .collect();
            (blobs, skipped)
        })
    }

    #[test]
    fn the_listing_does_not_depend_on_the_number_of_threads() {
        let (s, tips) = history();
        // A root tree and a subtree go missing: each is reported once, the same way.
        let gone_root = s.repo.find_commit(tips[300]).unwrap().tree_id();
        let gone_sub = s
            .repo
            .find_commit(tips[200])
            .unwrap()
            .tree()
            .unwrap()
            .get_name("src")
            .unwrap()
            .id();
        for id in [gone_root, gone_sub] {
            let hex = id.to_string();
            let path = s
                .dir
                .path()
                .join(".git/objects")
                .join(&hex[..2])
                .join(&hex[2..]);
            std::fs::remove_file(path).unwrap();
        }
        let one = listing(&s, 1);
        assert!(
            one.1.iter().any(|r| r.contains(&gone_root.to_string())),
            "{:?}",
            one.1
        );
        assert!(
            one.1.iter().any(|r| r.contains(&gone_sub.to_string())),
            "{:?}",
            one.1
        );
        assert_eq!(listing(&s, 2), one);
        assert_eq!(listing(&s, 4), one);
    }

    #[test]
    fn every_reachable_blob_is_listed_once() {
        let (s, _) = history();
        let (blobs, skipped) = listing(&s, 2);
        assert!(skipped.is_empty(), "{skipped:?}");
        // Every blob of every commit's tree, read naively.
        let mut want = std::collections::BTreeSet::new();
        let mut walk = s.repo.revwalk().unwrap();
        walk.push_glob("refs/*").unwrap();
        for c in walk {
            let tree = s.repo.find_commit(c.unwrap()).unwrap().tree().unwrap();
            tree.walk(git2::TreeWalkMode::PreOrder, |_, e| {
                if e.kind() == Some(git2::ObjectType::Blob) {
                    want.insert(e.id().to_string());
                }
                git2::TreeWalkResult::Ok
            })
            .unwrap();
        }
        let got: std::collections::BTreeSet<String> =
            blobs.iter().map(|(id, _)| id.clone()).collect();
        assert_eq!(got.len(), blobs.len(), "a blob was listed twice");
        assert_eq!(got, want);
    }
}
