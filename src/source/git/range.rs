//! `tokenwarden history --range BASE..HEAD`: the pull-request view. Every commit in
//! `git rev-list BASE..HEAD` is diffed against its parents and only added lines are
//! reported, each attributed to the commit that added it.

use std::collections::{BTreeSet, HashMap};

use git2::{Oid, Repository, Sort};

use super::diff::{Change, ChangedFile, added_lines, changes, options, walk_changes};
use super::messages::{COMMIT_MESSAGE_PATH, scan_message};
use super::meta::commit_provenance;
use super::refs::resolve_commit;
use super::tags;
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::outcome::{Outcome, SkipReason};
use crate::source::{Blob, Data, Origin, Scanner, escape_non_utf8, load_blob, tally};

/// The lines `BASE..HEAD` adds, each finding attributed to the commit that added it, and
/// the messages of those commits and of the annotated tags HEAD names and BASE does not.
pub fn scan_range(
    repo: &Repository,
    scanner: &dyn Scanner,
    range: &str,
    max_size: u64,
) -> Result<Outcome> {
    let mut out = Outcome::default();
    let (base, head) = range.split_once("..").ok_or_else(|| {
        Error::new(format!(
            "--range takes BASE..HEAD (two revisions), got `{range}`"
        ))
    })?;
    if head.starts_with('.') {
        return Err(Error::new(format!(
            "--range takes BASE..HEAD; the symmetric form `{range}` is not supported"
        )));
    }
    let (base, base_tags) = resolve_commit(repo, if base.is_empty() { "HEAD" } else { base })?;
    let (head, head_tags) = resolve_commit(repo, if head.is_empty() { "HEAD" } else { head })?;
    // A pushed tag is new content too: the tags HEAD names and BASE does not.
    let new_tags: Vec<Oid> = head_tags
        .into_iter()
        .filter(|t| !base_tags.contains(t))
        .collect();
    tags::scan_messages(repo, scanner, &new_tags, &mut out);
    let fail = |e: git2::Error| Error::new(format!("cannot walk {range}: {}", e.message()));
    let mut walk = repo.revwalk().map_err(fail)?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
        .map_err(fail)?;
    walk.push(head).map_err(fail)?;
    walk.hide(base).map_err(fail)?;
    let commits: Vec<Oid> = walk.collect::<std::result::Result<_, _>>().map_err(fail)?;

    let head_tree = repo
        .find_commit(head)
        .and_then(|c| c.tree())
        .map_err(fail)?;
    for commit in commits {
        scan_commit_message(repo, scanner, commit, &mut out);
        let files = added_by_commit(repo, commit, max_size)
            .map_err(|e| Error::new(format!("cannot diff commit {commit}: {}", e.message())))?;
        for file in files {
            let found = scan_changed(repo, scanner, max_size, &file, &mut out);
            if found.is_empty() {
                continue;
            }
            let head_fingerprints = fingerprints_at(repo, scanner, &head_tree, &file.path);
            let mut prov = commit_provenance(repo, commit);
            for mut f in found {
                prov.at_head = head_fingerprints.contains(&f.fingerprint);
                f.provenance = Some(prov.clone());
                out.findings.push(f);
            }
        }
    }
    Ok(out)
}

/// A commit message is part of what a push adds: a token pasted into one leaks as surely
/// as one in a file.
fn scan_commit_message(repo: &Repository, scanner: &dyn Scanner, commit: Oid, out: &mut Outcome) {
    let Ok(c) = repo.find_commit(commit) else {
        return; // the diff of the same commit reports it as missing
    };
    scan_message(
        scanner,
        COMMIT_MESSAGE_PATH,
        &format_args!("commit {commit}"),
        c.message_bytes(),
        || commit_provenance(repo, commit),
        out,
    );
}

/// Loads the new version of `file` and keeps the findings on its added lines.
fn scan_changed(
    repo: &Repository,
    scanner: &dyn Scanner,
    max_size: u64,
    file: &ChangedFile,
    out: &mut Outcome,
) -> Vec<Finding> {
    let result = load(repo, file.blob, max_size).and_then(|blob| {
        let added = |line| file.added.contains(&line);
        scanner.scan(Blob {
            lines: Some(&added),
            ..Blob::new(&file.path, Origin::GitBlob, Data::Bytes(blob.content()))
        })
    });
    tally(&mut out.stats, &file.path, result)
}

/// A blob through `load_blob`: the size from the object header, then the object.
fn load(
    repo: &Repository,
    id: Oid,
    max_size: u64,
) -> std::result::Result<git2::Blob<'_>, SkipReason> {
    let missing = |e: git2::Error| SkipReason::MissingObject(format!("blob {id}: {}", e.message()));
    let size = repo
        .odb()
        .and_then(|odb| odb.read_header(id))
        .map(|(size, _)| size as u64)
        .map_err(missing);
    load_blob(size, max_size, || repo.find_blob(id).map_err(missing))
}

/// libgit2's tree diff keeps the full path of every open directory, so its memory grows with
/// depth times path length (430 MB for 20,000 levels of `a/`, 10 GB for 100,000). Below
/// directory paths this long (Linux's PATH_MAX: deeper than any checkout) it stays small.
const MAX_DIFF_PATH: usize = 4096;

/// For a merge, a line counts as added only if it is new relative to every parent, so
/// merging the base branch in does not re-report the base's history.
fn added_by_commit(
    repo: &Repository,
    commit: Oid,
    max_size: u64,
) -> std::result::Result<Vec<ChangedFile>, git2::Error> {
    let c = repo.find_commit(commit)?;
    let tree = c.tree()?;
    let parents: Vec<_> = c.parents().collect();
    let diff_against = |parent: Option<&git2::Tree<'_>>| -> std::result::Result<_, git2::Error> {
        Ok(tree_changes(repo, parent, &tree, max_size)?
            .into_iter()
            .map(|change| ChangedFile {
                added: added(repo, &change, max_size),
                path: change.path,
                blob: change.new,
            })
            .collect::<Vec<_>>())
    };
    if parents.is_empty() {
        return diff_against(None);
    }
    let mut per_parent = Vec::new();
    for p in &parents {
        per_parent.push(diff_against(Some(&p.tree()?))?);
    }
    let mut first = per_parent.remove(0);
    for other in per_parent {
        let by_path: HashMap<&str, &BTreeSet<usize>> =
            other.iter().map(|f| (f.path.as_str(), &f.added)).collect();
        first.retain_mut(|f| match by_path.get(f.path.as_str()) {
            Some(lines) => {
                f.added.retain(|l| lines.contains(l));
                !f.added.is_empty()
            }
            // Identical to this parent's version: nothing new.
            None => false,
        });
    }
    Ok(first)
}

/// What `new` changes relative to `old`: libgit2's diff, with rename detection, unless the
/// trees differ in a directory whose path is longer than `MAX_DIFF_PATH`; then the plain
/// walk's answer, where a moved file counts as new (more lines reported, none missed).
fn tree_changes(
    repo: &Repository,
    old: Option<&git2::Tree<'_>>,
    new: &git2::Tree<'_>,
    max_size: u64,
) -> std::result::Result<Vec<Change>, git2::Error> {
    let (walked, longest) = walk_changes(repo, old, new)?;
    if longest > MAX_DIFF_PATH {
        return Ok(walked);
    }
    let mut opts = options(max_size);
    let mut diff = repo.diff_tree_to_tree(old, Some(new), Some(&mut opts))?;
    changes(&mut diff)
}

/// The lines `change` adds: relative to the blob it replaces, or every line when there is
/// none to compare with (a new file, an old blob missing or over the size limit). None when
/// the new blob itself cannot be loaded; `scan_changed` then says why.
fn added(repo: &Repository, change: &Change, max_size: u64) -> BTreeSet<usize> {
    let Ok(new) = load(repo, change.new, max_size) else {
        return BTreeSet::new();
    };
    let old = change.old.and_then(|id| load(repo, id, max_size).ok());
    added_lines(
        old.as_ref().map_or(&[][..], git2::Blob::content),
        new.content(),
    )
}

/// Fingerprints of the findings in `path` as it is in `tree` (empty if absent).
fn fingerprints_at(
    repo: &Repository,
    scanner: &dyn Scanner,
    tree: &git2::Tree<'_>,
    path: &str,
) -> Vec<String> {
    let Some(blob) = blob_at(repo, tree, path).and_then(|id| repo.find_blob(id).ok()) else {
        return Vec::new();
    };
    scanner
        .scan(Blob::new(
            path,
            Origin::GitBlob,
            Data::Bytes(blob.content()),
        ))
        .map(|s| s.findings.into_iter().map(|f| f.fingerprint).collect())
        .unwrap_or_default()
}

/// The entry at `path` in `tree`, one directory at a time: libgit2's `get_path` recurses
/// once per directory. `path` is a display path, so a name that is not UTF-8 is matched by
/// its escaped form.
fn blob_at(repo: &Repository, tree: &git2::Tree<'_>, path: &str) -> Option<Oid> {
    let mut tree = tree.clone();
    let mut parts = path.split('/').filter(|p| !p.is_empty()).peekable();
    while let Some(part) = parts.next() {
        let id = entry_shown_as(&tree, part)?;
        if parts.peek().is_none() {
            return Some(id);
        }
        tree = repo.find_tree(id).ok()?;
    }
    None
}

fn entry_shown_as(tree: &git2::Tree<'_>, shown: &str) -> Option<Oid> {
    if let Some(e) = tree.get_name_bytes(shown.as_bytes()) {
        return Some(e.id());
    }
    if !shown.contains("\\x") {
        return None;
    }
    tree.iter()
        .find(|e| escape_non_utf8(e.name_bytes()) == shown)
        .map(|e| e.id())
}
