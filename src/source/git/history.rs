//! `tokenwarden history` over every ref or one revision: the roots, every blob they reach
//! scanned once, then each finding attributed to the commits that introduced it. Each step
//! is its own module (`refs`, `enumerate`, `blobs`, `attribute`), so a scan can be told
//! what an earlier one covered and attribute over only what is new.

use gix::ObjectId;
use gix::hashtable::HashSet;

use super::attribute::{Intro, attribute};
use super::blobs::scan_blobs;
use super::enumerate::{BlobEntry, Known, enumerate};
use super::messages::{COMMIT_MESSAGE_PATH, scan_message};
use super::meta::commit_provenance;
use super::refs::Roots;
use super::repo::{Repo, SHALLOW_WARNING, git2_oid};
use super::resident::{release_freed_memory, with_bounded_packs};
use super::state::State;
use super::tags;
use crate::error::{Error, Result};
use crate::outcome::{Outcome, Unit};
use crate::source::Scanner;
use crate::source::progress::Progress;

pub struct HistoryOptions<'a> {
    /// Limit to what this revision reaches (default: every ref). Of the annotated tags,
    /// only those the revision itself names are scanned (`--branch v1.2`, or the tag a
    /// push event names), not every tag pointing into its history.
    pub branch: Option<&'a str>,
    pub max_size: u64,
    pub progress: &'a dyn Progress,
}

pub fn scan_history(repo: &Repo, scanner: &dyn Scanner, opts: &HistoryOptions) -> Result<Outcome> {
    with_bounded_packs(|| scan(repo, scanner, opts, None, false)).map(|(out, _)| out)
}

/// `history --state`: every ref's history as `scan_history` reads it, past what `prior`
/// (a state already checked against this repository and rule set) covered; returns the
/// findings, old and new (a finding is `new` when the commit introducing it was not
/// covered), and the state to save. Findings of commits no ref reaches any more are
/// dropped, as a full scan would not see them; the outcome's notes say how many.
pub fn scan_with_state(
    repo: &Repo,
    scanner: &dyn Scanner,
    opts: &HistoryOptions,
    prior: Option<&State>,
) -> Result<(Outcome, State)> {
    with_bounded_packs(|| scan(repo, scanner, opts, prior, true))
}

/// `with_state`: mark each finding `new` (its commit not covered by `prior`, or no prior)
/// and fill the state to save; a plain scan does neither.
fn scan(
    repo: &Repo,
    scanner: &dyn Scanner,
    opts: &HistoryOptions,
    prior: Option<&State>,
    with_state: bool,
) -> Result<(Outcome, State)> {
    let mut out = Outcome::default();
    let mut state = State::default();
    if repo.git2.is_shallow() {
        out.stats.warnings.push(SHALLOW_WARNING.into());
    }
    let mut roots = match opts.branch {
        Some(rev) => Roots::revision(&repo.git2, rev)?,
        None => Roots::all(&repo.git2)?,
    };
    if roots.is_empty() {
        if let Some(first) = roots.skipped.first() {
            return Err(Error::repository(format!(
                "no ref could be read, so nothing was scanned ({}: {}); the repository is damaged (try `git fsck`)",
                first.path, first.reason
            )));
        }
        out.stats
            .warnings
            .push("the repository has no commits: nothing to scan".into());
        return Ok((out, state));
    }
    out.stats.skipped.append(&mut roots.skipped);
    // What the prior state covered that is still reachable: all of it unless a ref was
    // rewound or deleted since (then the commits no ref reaches are found and left out).
    let (known, earlier, old_messages) = match prior {
        None => (None, Vec::new(), Vec::new()),
        Some(p) => {
            let reachable = still_reachable(repo, p, &roots.tips);
            let keep = |c: &ObjectId| reachable.as_ref().is_none_or(|r| r.contains(c));
            let commits: HashSet<ObjectId> = p.commits.iter().copied().filter(keep).collect();
            let gone = p.commits.len() - commits.len();
            if gone > 0 {
                out.stats.warnings.push(format!(
                    "{gone} commit(s) of the saved state are no longer reachable from any ref (a force-push or a deleted ref): their findings are dropped, as a full scan would not see them"
                ));
            }
            let earlier: Vec<Intro> = p
                .introductions
                .iter()
                .filter(|(_, _, c)| keep(c))
                .cloned()
                .collect();
            let messages: Vec<ObjectId> = p.messages.iter().copied().filter(keep).collect();
            let known = Known {
                commits,
                blobs: p.blobs.iter().copied().collect(),
            };
            (Some(known), earlier, messages)
        }
    };
    let nothing_known = Known::default();
    let known = known.as_ref().unwrap_or(&nothing_known);
    tags::scan_messages(&repo.git2, scanner, &roots.tags, &mut out);
    opts.progress.phase("enumerating commits and trees", None);
    // A commit's message is scanned as it is walked; those with findings are recorded.
    let mut message_commits = Vec::new();
    let mut message = |commit: ObjectId, text: &[u8], out: &mut Outcome| {
        let before = out.findings.len();
        scan_message(
            scanner,
            COMMIT_MESSAGE_PATH,
            &format_args!("commit {commit}"),
            text,
            || commit_provenance(&repo.git2, git2_oid(&commit)),
            out,
        );
        if out.findings.len() > before {
            message_commits.push(commit);
        }
    };
    let listed = enumerate(&repo.gix, &roots, known, &mut |commit, text| {
        message(commit, text, &mut out)
    })
    .map_err(Error::repository)?;
    // The traversal's caches and sets are gone: give their memory back before the blobs
    // are read.
    release_freed_memory();
    // Earlier commits' messages with findings, read again (their secrets are not saved).
    for commit in old_messages {
        if let Ok(c) = repo.gix.find_commit(commit) {
            message(commit, c.message_raw_sloppy(), &mut out);
        }
    }
    out.stats.skipped.extend(listed.skipped);
    // The blobs the prior state found secrets in are scanned again with the new ones:
    // their introductions in new commits are found, and --verify gets their secrets.
    let mut blobs = listed.blobs;
    let new_blobs = blobs.len();
    if let Some(p) = prior {
        for (id, path) in &p.targets {
            if repo.gix.has_object(id) {
                blobs.push(BlobEntry {
                    id: *id,
                    path: path.clone(),
                });
            }
        }
    }
    opts.progress
        .phase("scanning blobs", Some(blobs.len() as u64));
    let scanned = scan_blobs(&repo.gix, &blobs, opts.max_size, scanner, opts.progress);
    opts.progress.phase("attributing findings to commits", None);
    out.stats.merge(scanned.stats);
    out.stats.unit = Unit::Blob;
    state.targets = scanned
        .results
        .iter()
        .map(|(i, _)| (blobs[*i].id, blobs[*i].path.clone()))
        .collect();
    // A blob of the prior state that no commit introduces any more is still reported if
    // a ref names it (or a tree holding it) directly, as a full scan would.
    // Only a prior state's blobs can have lost every way to reach them; a plain scan skips
    // this bookkeeping (git/git lists 262k blobs).
    let (listed_now, loose): (HashSet<ObjectId>, HashSet<ObjectId>) = match prior {
        Some(_) => (
            blobs[..new_blobs].iter().map(|b| b.id).collect(),
            loose_blobs(&repo.gix, &roots),
        ),
        None => Default::default(),
    };
    let reachable =
        |id: &ObjectId| prior.is_none() || listed_now.contains(id) || loose.contains(id);
    let (attributed, intros) = attribute(
        repo,
        &listed.commits,
        &blobs,
        scanned.results,
        &earlier,
        &reachable,
    );
    out.findings.extend(attributed);
    if !with_state {
        return Ok((out, state));
    }
    for f in &mut out.findings {
        if let Some(p) = f.provenance.as_mut() {
            p.new =
                ObjectId::from_hex(p.commit.as_bytes()).is_ok_and(|c| !known.commits.contains(&c));
        }
    }
    state.tips = roots.tips.clone();
    state.commits = known.commits.iter().copied().collect();
    state
        .commits
        .extend(listed.commits.iter().map(|(c, _, _)| c));
    state.blobs = known.blobs.iter().copied().collect();
    state.blobs.extend(blobs[..new_blobs].iter().map(|b| b.id));
    state.introductions = intros;
    state.messages = message_commits;
    Ok((out, state))
}

/// Above this many new tips, reachability is settled by a walk rather than by asking
/// whether each is a descendant of each saved tip.
const MAX_ANCESTRY_QUESTIONS: usize = 16;

/// Every blob refs name directly or through a tree they name (tags of trees and blobs).
fn loose_blobs(repo: &gix::Repository, roots: &Roots) -> HashSet<ObjectId> {
    let mut blobs = HashSet::default();
    let mut trees: Vec<ObjectId> = Vec::new();
    for r in &roots.loose {
        if r.is_tree {
            trees.push(r.id);
        } else {
            blobs.insert(r.id);
        }
    }
    let (mut seen, mut buf) = (HashSet::default(), Vec::new());
    while let Some(t) = trees.pop() {
        if !seen.insert(t) {
            continue;
        }
        for e in super::tree::read_tree(repo, &t, &mut buf).unwrap_or_default() {
            match e.kind {
                super::tree::EntryKind::Tree => trees.push(e.id),
                super::tree::EntryKind::Blob => {
                    blobs.insert(e.id);
                }
                _ => {}
            }
        }
    }
    blobs
}

/// The prior state's commits still reachable from `tips`: `None` (all of them) when every
/// tip it saved is one of `tips` or an ancestor of a tip it did not save, which is the
/// common case (refs only moved forward) and costs a few ancestry questions. Anything
/// else is settled by one walk: asking libgit2 about every pair of a thousand tags took a
/// minute on git/git.
fn still_reachable(repo: &Repo, prior: &State, tips: &[ObjectId]) -> Option<HashSet<ObjectId>> {
    let saved: HashSet<ObjectId> = prior.tips.iter().copied().collect();
    let current: HashSet<ObjectId> = tips.iter().copied().collect();
    let moved: Vec<&ObjectId> = tips.iter().filter(|t| !saved.contains(*t)).collect();
    let moved_forward = |old: &ObjectId| {
        current.contains(old)
            || moved.iter().any(|t| {
                repo.git2
                    .graph_descendant_of(git2_oid(t), git2_oid(old))
                    .unwrap_or(false)
            })
    };
    if moved.len() <= MAX_ANCESTRY_QUESTIONS && prior.tips.iter().all(moved_forward) {
        return None;
    }
    let mut reachable = HashSet::default();
    if let Ok(walk) = repo.gix.rev_walk(tips.iter().copied()).all() {
        for info in walk.flatten() {
            reachable.insert(info.id);
        }
    }
    Some(reachable)
}
