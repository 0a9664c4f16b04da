//! `tokenwarden history`: every blob reachable from any ref, scanned once, with each
//! finding attributed to the commits that introduced it.
//!
//! Attribution rule: a finding in blob B is reported once per (path, commit) where the
//! commit's tree has B at that path and none of its parents does. When the same (B, path)
//! is introduced by several commits, only those with no other introducing commit among
//! their ancestors are kept: a cherry-pick onto another branch is reported again, a
//! re-add after a delete on the same line of history is not.

use std::collections::HashMap;

use gix::hashtable::HashSet;
use std::path::Path;

use gix::ObjectId;

use super::blobs::{self, EntryKind, LooseRoot, read_tree};
use super::meta::commit_provenance;
use super::provenance::introductions;
use super::range::resolve_commit;
use super::tags::{self, Tags, peel};
use super::{COMMIT_MESSAGE_PATH, SHALLOW_WARNING, open_git2, open_gix, scan_message};
use crate::error::{Error, Result};
use crate::finding::{Finding, Provenance};
use crate::outcome::{Outcome, SkipReason, Skipped};
use crate::source::Scanner;

pub struct HistoryOptions<'a> {
    /// Limit to what this revision reaches (default: every ref). Of the annotated tags,
    /// only those the revision itself names are scanned (`--branch v1.2`, or the tag a
    /// push event names), not every tag pointing into its history.
    pub branch: Option<&'a str>,
    pub max_size: u64,
    pub progress: &'a dyn crate::source::progress::Progress,
}

pub fn scan(
    path: &Path,
    scanner: &dyn Scanner,
    opts: &HistoryOptions,
    out: &mut Outcome,
) -> Result<()> {
    let repo2 = open_git2(path)?;
    let repo = open_gix(path)?;
    if repo2.is_shallow() {
        out.stats.warnings.push(SHALLOW_WARNING.into());
    }
    let Roots { tips, loose, tags } = match opts.branch {
        Some(rev) => {
            let (commit, tags) = resolve_commit(&repo2, rev)?;
            Roots {
                tips: vec![to_gix(commit)?],
                loose: Vec::new(),
                tags,
            }
        }
        None => all_ref_tips(&repo2, out)?,
    };
    if tips.is_empty() && loose.is_empty() && !out.stats.skipped.is_empty() {
        let first = &out.stats.skipped[0];
        return Err(Error::new(format!(
            "no ref could be read, so nothing was scanned ({}: {}); the repository is damaged (try `git fsck`)",
            first.path, first.reason
        )));
    }
    if tips.is_empty() && loose.is_empty() {
        out.stats
            .warnings
            .push("the repository has no commits: nothing to scan".into());
        return Ok(());
    }
    tags::scan_messages(&repo2, scanner, &tags, out);
    opts.progress.phase("enumerating commits and trees", None);
    let listed = blobs::enumerate(&repo, &tips, &loose, &mut |commit, message| {
        scan_message(
            scanner,
            COMMIT_MESSAGE_PATH,
            &format_args!("commit {commit}"),
            message,
            || commit_provenance(&repo2, git2_oid(&commit)),
            out,
        )
    })
    .map_err(Error::new)?;
    out.stats.skipped.extend(listed.skipped);
    opts.progress
        .phase("scanning blobs", Some(listed.blobs.len() as u64));
    let scanned = blobs::scan_all(&repo, &listed.blobs, opts.max_size, scanner, opts.progress);
    opts.progress.phase("attributing findings to commits", None);
    out.stats.merge(scanned.stats);
    out.stats.unit = crate::outcome::Unit::Blob;
    if scanned.results.is_empty() {
        collapse_per_path(&mut out.findings);
        return Ok(());
    }

    let targets: HashSet<ObjectId> = scanned
        .results
        .iter()
        .map(|(i, _)| listed.blobs[*i].id)
        .collect();
    let intros = introductions(&repo, &tips, &targets);
    let head_tree = tags::head_commit(&repo2).and_then(|c| to_gix(c.tree_id()).ok());
    let at_head = head_fingerprints(&repo, head_tree, &targets, &scanned.results, &listed.blobs);
    let mut metadata: HashMap<ObjectId, Provenance> = HashMap::new();
    for (i, findings) in scanned.results {
        let blob = &listed.blobs[i];
        let kept = independent(
            &repo2,
            intros.get(&blob.id).map(Vec::as_slice).unwrap_or_default(),
        );
        if kept.is_empty() {
            // Reachable only outside commits (e.g. a tag of a tree): no commit to name.
            out.findings.extend(findings);
            continue;
        }
        for (path, commit) in kept {
            let prov = metadata
                .entry(commit)
                .or_insert_with(|| commit_provenance(&repo2, git2_oid(&commit)));
            for f in &findings {
                let mut f = f.clone();
                f.path = path.clone();
                let mut p = prov.clone();
                p.at_head = at_head.contains(&f.fingerprint);
                f.provenance = Some(p);
                out.findings.push(f);
            }
        }
    }
    collapse_per_path(&mut out.findings);
    Ok(())
}

/// One finding per secret per path: a file regenerated in many commits (a built bundle, a
/// recorded fixture) carries the same secret in many blob versions, each introduced by its
/// own commit. The oldest introduction is reported; the later ones are listed on it.
fn collapse_per_path(findings: &mut Vec<Finding>) {
    let when = |f: &Finding| {
        f.provenance
            .as_ref()
            .and_then(|p| p.date.parse::<jiff::Timestamp>().ok())
    };
    findings.sort_by(|a, b| {
        (&a.fingerprint, &a.path, when(a), a.line).cmp(&(&b.fingerprint, &b.path, when(b), b.line))
    });
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        if let Some(first) = kept.last_mut()
            && first.fingerprint == f.fingerprint
            && first.path == f.path
            && let (Some(p), Some(later)) = (first.provenance.as_mut(), f.provenance.as_ref())
        {
            if later.commit != p.commit && !p.reintroduced_in.contains(&later.commit) {
                p.reintroduced_in.push(later.commit.clone());
            }
            p.at_head |= later.at_head;
            continue;
        }
        kept.push(f);
    }
    *findings = kept;
}

/// Both libraries open only SHA-1 repositories (see `open_git2`), so ids convert 1:1.
fn git2_oid(id: &ObjectId) -> git2::Oid {
    git2::Oid::from_bytes(id.as_bytes()).unwrap_or(git2::Oid::ZERO_SHA1)
}

fn to_gix(oid: git2::Oid) -> Result<ObjectId> {
    ObjectId::try_from(oid.as_bytes())
        .map_err(|e| Error::new(format!("unsupported object id {oid}: {e}")))
}

/// Where a history scan starts.
struct Roots {
    /// Commits to walk.
    tips: Vec<ObjectId>,
    /// Trees and blobs refs name directly.
    loose: Vec<LooseRoot>,
    /// Annotated tags on the way, each once.
    tags: Vec<git2::Oid>,
}

/// Commits named by every ref (branches, tags, remotes, stash, notes) and a detached HEAD,
/// trees and blobs that refs name directly, and every annotated tag in between.
fn all_ref_tips(repo: &git2::Repository, out: &mut Outcome) -> Result<Roots> {
    let mut tips = Vec::new();
    let mut loose = Vec::new();
    let mut tags = Tags::default();
    let refs = repo
        .references()
        .map_err(|e| Error::new(format!("cannot list refs: {}", e.message())))?;
    for r in refs {
        let Ok(r) = r else { continue };
        let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
        let target = r.resolve().ok().and_then(|r| r.target());
        let peeled = target.map(|t| peel(repo, t, &mut tags));
        let Some(Ok(peeled)) = peeled else {
            // The object it names can't be read (corrupt or truncated pack, partial clone).
            let target = target.map_or("an unknown object".to_string(), |t| t.to_string());
            out.stats.skipped.push(Skipped {
                path: name,
                reason: SkipReason::MissingObject(format!(
                    "the ref points to {target}, which cannot be read"
                )),
            });
            continue;
        };
        // None: reached through a tag another ref reached first.
        let Some(object) = peeled else { continue };
        let id = to_gix(object.id())?;
        match object.kind() {
            Some(git2::ObjectType::Commit) => tips.push(id),
            Some(git2::ObjectType::Tree) => loose.push(LooseRoot {
                id,
                is_tree: true,
                name,
            }),
            Some(git2::ObjectType::Blob) => loose.push(LooseRoot {
                id,
                is_tree: false,
                name,
            }),
            _ => {}
        }
    }
    if let Some(head) = tags::head_commit(repo) {
        tips.push(to_gix(head.id())?);
    }
    tips.sort();
    tips.dedup();
    Ok(Roots {
        tips,
        loose,
        tags: tags.found,
    })
}

/// Introductions of a blob, keeping per path only commits with no other introducing
/// commit of the same path among their ancestors.
fn independent(
    repo: &git2::Repository,
    intros: &[super::provenance::Introduction],
) -> Vec<(String, ObjectId)> {
    let mut by_path: HashMap<&str, Vec<ObjectId>> = HashMap::new();
    for i in intros {
        by_path.entry(&i.path).or_default().push(i.commit);
    }
    let mut kept = Vec::new();
    for (path, commits) in by_path {
        for c in &commits {
            let has_earlier = commits.iter().any(|a| {
                a != c
                    && repo
                        .graph_descendant_of(git2_oid(c), git2_oid(a))
                        .unwrap_or(false)
            });
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
    blobs: &[blobs::BlobEntry],
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
