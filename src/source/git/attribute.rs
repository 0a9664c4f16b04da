//! Attribution: which commits introduced each finding's blob, and at which path.
//!
//! Rule: a finding in blob B is reported once per (path, commit) where the commit's tree
//! has B at that path and none of its parents does. When the same (B, path) is introduced
//! by several commits, only those with no other introducing commit among their ancestors
//! are kept: a cherry-pick onto another branch is reported again, a re-add after a delete
//! on the same line of history is not.

use std::collections::HashMap;

use gix::ObjectId;
use gix::hashtable::HashSet;

use super::enumerate::{BlobEntry, Commits};
use super::meta::commit_provenance;
use super::provenance::{Introduction, introductions};
use super::repo::{Repo, git2_oid, gix_oid};
use super::tags;
use super::tree::{EntryKind, read_tree};
use crate::finding::{Finding, Provenance};

/// (blob, path, commit): the commit introduced the blob at the path.
pub type Intro = (ObjectId, String, ObjectId);

/// The findings of each scanned blob (by index into `blobs`), attributed over `commits`
/// and the `earlier` introductions an earlier scan found (over commits it covered): one
/// copy per introducing (path, commit), with that commit's provenance and whether the
/// secret is still in HEAD's tree. Findings in blobs no commit introduces (a tag of a
/// tree) come back as they are if `unattributed` says the blob is still reachable. Also
/// returns every introduction of the findings' blobs.
pub fn attribute(
    repo: &Repo,
    commits: &Commits,
    blobs: &[BlobEntry],
    results: Vec<(usize, Vec<Finding>)>,
    earlier: &[Intro],
    unattributed: &dyn Fn(&ObjectId) -> bool,
) -> (Vec<Finding>, Vec<Intro>) {
    let mut out = Vec::new();
    if results.is_empty() {
        return (out, Vec::new());
    }
    let targets: HashSet<ObjectId> = results.iter().map(|(i, _)| blobs[*i].id).collect();
    let mut intros = introductions(&repo.gix, commits, &targets);
    for (blob, path, commit) in earlier.iter().filter(|(b, _, _)| targets.contains(b)) {
        let list = intros.entry(*blob).or_default();
        if !list.iter().any(|i| i.commit == *commit && &i.path == path) {
            list.push(Introduction {
                path: path.clone(),
                commit: *commit,
            });
        }
    }
    let all: Vec<Intro> = intros
        .iter()
        .flat_map(|(b, list)| list.iter().map(|i| (*b, i.path.clone(), i.commit)))
        .collect();
    let head_tree = tags::head_commit(&repo.git2).and_then(|c| gix_oid(c.tree_id()).ok());
    let at_head = head_fingerprints(&repo.gix, head_tree, &targets, &results, blobs);
    let graph = Graph::new(commits);
    let mut metadata: HashMap<ObjectId, Provenance> = HashMap::new();
    for (i, findings) in results {
        let blob = &blobs[i];
        let kept = independent(
            &repo.git2,
            &graph,
            intros.get(&blob.id).map(Vec::as_slice).unwrap_or_default(),
        );
        if kept.is_empty() {
            // Reachable only outside commits (e.g. a tag of a tree): no commit to name;
            // or, for a blob an earlier scan found, not reachable at all any more.
            if unattributed(&blob.id) {
                out.extend(findings);
            }
            continue;
        }
        for (path, commit) in kept {
            let prov = metadata
                .entry(commit)
                .or_insert_with(|| commit_provenance(&repo.git2, git2_oid(&commit)));
            for f in &findings {
                let mut f = f.clone();
                f.path = path.clone();
                let mut p = prov.clone();
                p.at_head = at_head.contains(&f.fingerprint);
                f.provenance = Some(p);
                out.push(f);
            }
        }
    }
    (out, all)
}

/// The walked commits' parents, in memory, with generation numbers (1 + the largest of
/// the parents'): an ancestor's is always smaller, which bounds each search.
struct Graph<'a> {
    parents: HashMap<ObjectId, (&'a [ObjectId], u32)>,
}

impl<'a> Graph<'a> {
    fn new(commits: &'a Commits) -> Graph<'a> {
        let parents: HashMap<ObjectId, &[ObjectId]> =
            commits.iter().map(|(c, _, p)| (c, p)).collect();
        let mut generation: HashMap<ObjectId, u32> = HashMap::with_capacity(parents.len());
        for start in parents.keys() {
            let mut stack = vec![(*start, false)];
            while let Some((c, expanded)) = stack.pop() {
                if generation.contains_key(&c) {
                    continue;
                }
                let ps = parents.get(&c).copied().unwrap_or_default();
                if expanded {
                    let g = ps
                        .iter()
                        .map(|p| generation.get(p).copied().unwrap_or(0))
                        .max();
                    generation.insert(c, g.unwrap_or(0) + 1);
                } else {
                    stack.push((c, true));
                    for p in ps.iter().filter(|p| parents.contains_key(*p)) {
                        if !generation.contains_key(p) {
                            stack.push((*p, false));
                        }
                    }
                }
            }
        }
        Graph {
            parents: parents
                .into_iter()
                .map(|(c, p)| (c, (p, generation.get(&c).copied().unwrap_or(0))))
                .collect(),
        }
    }

    /// Whether `ancestor` is an ancestor of `commit`: in memory while the walked commits
    /// answer, through libgit2 when the question leaves them (a commit an earlier scan
    /// covered). Asking libgit2 every time parsed commits from the object store for each
    /// question: half of attribution's time.
    fn descends(&self, repo: &git2::Repository, commit: ObjectId, ancestor: ObjectId) -> bool {
        let (Some(&(_, low)), Some(_)) = (self.parents.get(&ancestor), self.parents.get(&commit))
        else {
            return repo
                .graph_descendant_of(git2_oid(&commit), git2_oid(&ancestor))
                .unwrap_or(false);
        };
        let mut stack = vec![commit];
        let mut seen: HashSet<ObjectId> = HashSet::default();
        while let Some(c) = stack.pop() {
            let Some(&(parents, _)) = self.parents.get(&c) else {
                return repo
                    .graph_descendant_of(git2_oid(&commit), git2_oid(&ancestor))
                    .unwrap_or(false);
            };
            for p in parents {
                if *p == ancestor {
                    return true;
                }
                // Commits at or below the ancestor's generation cannot lead to it.
                let above = self.parents.get(p).is_none_or(|&(_, g)| g > low);
                if above && seen.insert(*p) {
                    stack.push(*p);
                }
            }
        }
        false
    }
}

/// Introductions of a blob, keeping per path only commits with no other introducing
/// commit of the same path among their ancestors.
fn independent(
    repo: &git2::Repository,
    graph: &Graph,
    intros: &[Introduction],
) -> Vec<(String, ObjectId)> {
    let mut by_path: HashMap<&str, Vec<ObjectId>> = HashMap::new();
    for i in intros {
        by_path.entry(&i.path).or_default().push(i.commit);
    }
    let mut kept = Vec::new();
    for (path, commits) in by_path {
        for c in &commits {
            let has_earlier = commits
                .iter()
                .any(|a| a != c && graph.descends(repo, *c, *a));
            if !has_earlier {
                kept.push((path.to_string(), *c));
            }
        }
    }
    kept.sort();
    kept
}

/// Fingerprints of findings whose blob is in HEAD's tree (none while HEAD has no commit).
fn head_fingerprints(
    repo: &gix::Repository,
    head_tree: Option<ObjectId>,
    targets: &HashSet<ObjectId>,
    results: &[(usize, Vec<Finding>)],
    blobs: &[BlobEntry],
) -> std::collections::HashSet<String> {
    let mut stack: Vec<ObjectId> = head_tree.into_iter().collect();
    let mut at_head: HashSet<ObjectId> = HashSet::default();
    let mut seen: HashSet<ObjectId> = HashSet::default();
    let mut buf = Vec::new();
    while let Some(t) = stack.pop() {
        if !seen.insert(t) {
            continue;
        }
        for e in read_tree(repo, &t, &mut buf).unwrap_or_default() {
            match e.kind {
                EntryKind::Tree => stack.push(e.id),
                EntryKind::Blob if targets.contains(&e.id) => {
                    at_head.insert(e.id);
                }
                _ => {}
            }
        }
    }
    results
        .iter()
        .filter(|(i, _)| at_head.contains(&blobs[*i].id))
        .flat_map(|(_, fs)| fs.iter().map(|f| f.fingerprint.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::git::enumerate::{Known, enumerate};
    use crate::source::git::refs::Roots;
    use crate::source::git::scratch::Scratch;

    const MAIN: &str = "refs/heads/main";

    /// Every ref enumerated past `known`, each blob holding `SECRET` "found" (its content
    /// as the fingerprint), then attributed: (path, commit, at HEAD) per finding, sorted;
    /// the commit is empty for a finding no commit introduced.
    fn attributed(s: &Scratch, known: &Known) -> Vec<(String, String, bool)> {
        s.repo.set_head(MAIN).unwrap();
        let repo = s.open();
        let roots = Roots::all(&repo.git2).unwrap();
        let listed = enumerate(&repo.gix, &roots, known, &mut |_, _| {}).unwrap();
        let results = listed
            .blobs
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                let content = s.repo.find_blob(git2_oid(&b.id)).unwrap();
                let text = String::from_utf8(content.content().to_vec()).unwrap();
                text.contains("SECRET")
                    .then(|| (i, vec![Finding::example(&b.path, &text)]))
            })
            .collect();
        let mut out: Vec<_> =
            attribute(&repo, &listed.commits, &listed.blobs, results, &[], &|_| {
                true
            })
            .0
            .into_iter()
            .map(|f| {
                let p = f.provenance.unwrap_or_default();
                (f.path, p.commit, p.at_head)
            })
            .collect();
        out.sort();
        out
    }

    fn at(path: &str, commit: git2::Oid, at_head: bool) -> (String, String, bool) {
        (path.into(), commit.to_string(), at_head)
    }

    #[test]
    fn a_secret_is_attributed_to_the_commit_that_added_it_not_those_that_kept_it() {
        let mut s = Scratch::new();
        let c1 = s.commit(Some(MAIN), &[], &[("a.txt", "SECRET 1")]);
        s.commit(Some(MAIN), &[c1], &[("a.txt", "SECRET 1"), ("b.txt", "x")]);
        assert_eq!(attributed(&s, &Known::default()), [at("a.txt", c1, true)]);
    }

    #[test]
    fn a_readd_after_a_delete_on_the_same_line_of_history_is_not_reported_again() {
        let mut s = Scratch::new();
        let c1 = s.commit(Some(MAIN), &[], &[("a.txt", "SECRET 1")]);
        let c2 = s.commit(Some(MAIN), &[c1], &[("b.txt", "x")]);
        s.commit(Some(MAIN), &[c2], &[("a.txt", "SECRET 1")]);
        assert_eq!(attributed(&s, &Known::default()), [at("a.txt", c1, true)]);
    }

    #[test]
    fn the_same_secret_added_on_another_branch_is_reported_there_too() {
        let mut s = Scratch::new();
        let c0 = s.commit(Some(MAIN), &[], &[("b.txt", "x")]);
        let c1 = s.commit(Some(MAIN), &[c0], &[("a.txt", "SECRET 1"), ("b.txt", "x")]);
        let side = "refs/heads/side";
        let c2 = s.commit(Some(side), &[c0], &[("a.txt", "SECRET 1"), ("b.txt", "y")]);
        let mut want = vec![at("a.txt", c1, true), at("a.txt", c2, true)];
        want.sort();
        assert_eq!(attributed(&s, &Known::default()), want);
    }

    #[test]
    fn a_move_is_an_introduction_at_the_new_path_and_a_merge_introduces_nothing_new() {
        let mut s = Scratch::new();
        let c0 = s.commit(Some(MAIN), &[], &[("b.txt", "x")]);
        let c1 = s.commit(Some("refs/heads/side"), &[c0], &[("a.txt", "SECRET 1")]);
        let c2 = s.commit(Some(MAIN), &[c0], &[("b.txt", "y")]);
        let merge = s.commit(
            Some(MAIN),
            &[c2, c1],
            &[("a.txt", "SECRET 1"), ("b.txt", "y")],
        );
        let moved = s.commit(Some(MAIN), &[merge], &[("dir/c.txt", "SECRET 1")]);
        assert_eq!(
            attributed(&s, &Known::default()),
            [at("a.txt", c1, true), at("dir/c.txt", moved, true)]
        );
    }

    #[test]
    fn a_secret_gone_from_head_says_so() {
        let mut s = Scratch::new();
        let c1 = s.commit(Some(MAIN), &[], &[("a.txt", "SECRET 1")]);
        s.commit(Some(MAIN), &[c1], &[("a.txt", "clean")]);
        assert_eq!(attributed(&s, &Known::default()), [at("a.txt", c1, false)]);
    }

    #[test]
    fn what_an_earlier_scan_covered_is_neither_listed_nor_walked_again() {
        let mut s = Scratch::new();
        let c1 = s.commit(Some(MAIN), &[], &[("a.txt", "SECRET 1")]);
        let c2 = s.commit(
            Some(MAIN),
            &[c1],
            &[("a.txt", "SECRET 1"), ("b.txt", "SECRET 2")],
        );
        let mut known = Known::default();
        known.commits.insert(gix_oid(c1).unwrap());
        known.blobs.insert(gix_oid(s.blob("SECRET 1")).unwrap());
        let repo = s.open();
        let roots = Roots::all(&repo.git2).unwrap();
        let listed = enumerate(&repo.gix, &roots, &known, &mut |_, _| {}).unwrap();
        let commits: Vec<_> = listed.commits.iter().map(|(c, _, _)| c).collect();
        assert_eq!(commits, [gix_oid(c2).unwrap()]);
        let paths: Vec<_> = listed.blobs.iter().map(|b| b.path.as_str()).collect();
        assert_eq!(paths, ["b.txt"]);
        assert_eq!(attributed(&s, &known), [at("b.txt", c2, true)]);
    }

    #[test]
    fn a_tree_only_a_tag_names_comes_back_without_a_commit() {
        let mut s = Scratch::new();
        s.commit(Some(MAIN), &[], &[("b.txt", "x")]);
        let tree = s.tree(&[("k.txt", "SECRET 3")]);
        s.repo
            .reference("refs/tags/keys", tree, true, "test")
            .unwrap();
        assert_eq!(
            attributed(&s, &Known::default()),
            [("refs/tags/keys:k.txt".into(), String::new(), false)]
        );
    }
}
