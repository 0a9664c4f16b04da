//! Reading each commit's root tree on other threads, ahead of the history traversal.
//!
//! The traversal must decide in order what is new (the first path a blob is seen at
//! depends on it), so it runs on one thread; but inflating trees is most of its work, and
//! a commit's root tree is the largest of them (git/git: 192,000 root trees, 3.2 of the
//! 4.7 GB of trees its history holds) and known before the traversal starts. Readers take
//! the commits in turns, each with its own delta-base cache, a bounded distance ahead;
//! the traversal reads the subtrees itself, and any root a reader could not read.

use gix::ObjectId;

use super::changes::{TreeBytes, read_tree_bytes};
use super::tree::with_traversal_cache;

/// How many root trees each reader may be ahead of the traversal.
const AHEAD: usize = 32;

/// Calls `visit` with each of the root `trees`, in order, and its bytes if a reader read
/// them (`None` for a tree the same reader read before, or could not read).
pub fn with_roots_read_ahead(
    repo: &gix::Repository,
    trees: &[ObjectId],
    readers: usize,
    mut visit: impl FnMut(ObjectId, Option<TreeBytes>),
) {
    let sync = repo.clone().into_sync();
    std::thread::scope(|scope| {
        let channels: Vec<_> = (0..readers)
            .map(|k| {
                let (send, receive) = std::sync::mpsc::sync_channel(AHEAD);
                let sync = &sync;
                scope.spawn(move || {
                    let repo = with_traversal_cache(&sync.to_thread_local());
                    let mut seen = gix::hashtable::HashSet::default();
                    let mut buf = Vec::new();
                    for tree in trees.iter().skip(k).step_by(readers) {
                        let bytes = if seen.insert(*tree) {
                            read_tree_bytes(&repo, tree, &mut buf)
                        } else {
                            None
                        };
                        if send.send(bytes).is_err() {
                            break;
                        }
                    }
                });
                receive
            })
            .collect();
        for (i, tree) in trees.iter().enumerate() {
            visit(*tree, channels[i % readers].recv().ok().flatten());
        }
    });
}
