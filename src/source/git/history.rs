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
use super::{COMMIT_MESSAGE_PATH, SHALLOW_WARNING, open_git2, open_gix};
use crate::error::{Error, Result};
use crate::finding::{Finding, Provenance};
use crate::outcome::{Outcome, SkipReason, Skipped};
use crate::source::{Blob, Data, Origin, Scanner};

pub struct HistoryOptions<'a> {
    /// Limit to what this revision reaches (default: every ref).
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
    let (tips, loose) = match opts.branch {
        Some(rev) => (vec![to_gix(resolve_commit(&repo2, rev)?)?], Vec::new()),
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
    opts.progress.phase("enumerating commits and trees", None);
    let mut in_messages: Vec<(ObjectId, Vec<Finding>)> = Vec::new();
    let mut message_skips = Vec::new();
    let listed = blobs::enumerate(
        &repo,
        &tips,
        &loose,
        &mut |commit, message| match scan_message(scanner, message) {
            Ok(found) if !found.is_empty() => in_messages.push((commit, found)),
            Ok(_) => {}
            Err(reason) => message_skips.push(Skipped {
                path: format!("<commit {commit} message>"),
                reason,
            }),
        },
    )
    .map_err(Error::new)?;
    out.stats.skipped.extend(message_skips);
    for (commit, findings) in in_messages {
        let prov = commit_provenance(&repo2, git2_oid(&commit));
        out.findings.extend(findings.into_iter().map(|mut f| {
            f.provenance = Some(prov.clone());
            f
        }));
    }
    out.stats.skipped.extend(listed.skipped);
    opts.progress
        .phase("scanning blobs", Some(listed.blobs.len() as u64));
    let scanned = blobs::scan_all(&repo, &listed.blobs, opts.max_size, scanner, opts.progress);
    opts.progress.phase("attributing findings to commits", None);
    out.stats.merge(scanned.stats);
    out.stats.unit = crate::outcome::Unit::Blob;
    if scanned.results.is_empty() {
        return Ok(());
    }

    let targets: HashSet<ObjectId> = scanned
        .results
        .iter()
        .map(|(i, _)| listed.blobs[*i].id)
        .collect();
    let intros = introductions(&repo, &tips, &targets);
    let at_head = head_fingerprints(&repo, &targets, &scanned.results, &listed.blobs);
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

/// A commit message is scanned like a blob, but is not a file: it is not counted as one.
pub fn scan_message(
    scanner: &dyn Scanner,
    message: &[u8],
) -> std::result::Result<Vec<Finding>, SkipReason> {
    scanner
        .scan(Blob::new(
            COMMIT_MESSAGE_PATH,
            Origin::CommitMessage,
            Data::Bytes(message),
        ))
        .map(|s| s.findings)
}

/// Both libraries open only SHA-1 repositories (see `open_git2`), so ids convert 1:1.
fn git2_oid(id: &ObjectId) -> git2::Oid {
    git2::Oid::from_bytes(id.as_bytes()).unwrap_or(git2::Oid::ZERO_SHA1)
}

fn to_gix(oid: git2::Oid) -> Result<ObjectId> {
    ObjectId::try_from(oid.as_bytes())
        .map_err(|e| Error::new(format!("unsupported object id {oid}: {e}")))
}

/// Commits named by every ref (branches, tags, remotes, stash, notes) and a detached HEAD,
/// plus trees and blobs that refs name directly.
fn all_ref_tips(
    repo: &git2::Repository,
    out: &mut Outcome,
) -> Result<(Vec<ObjectId>, Vec<LooseRoot>)> {
    let mut tips = Vec::new();
    let mut loose = Vec::new();
    let refs = repo
        .references()
        .map_err(|e| Error::new(format!("cannot list refs: {}", e.message())))?;
    for r in refs {
        let Ok(r) = r else { continue };
        let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
        if let Ok(c) = r.peel_to_commit() {
            tips.push(to_gix(c.id())?);
        } else if let Ok(t) = r.peel_to_tree() {
            loose.push(LooseRoot {
                id: to_gix(t.id())?,
                is_tree: true,
                name,
            });
        } else if let Ok(b) = r.peel_to_blob() {
            loose.push(LooseRoot {
                id: to_gix(b.id())?,
                is_tree: false,
                name,
            });
        } else {
            // The object it names can't be read (corrupt or truncated pack, partial clone).
            let target = r
                .target()
                .map_or("an unknown object".to_string(), |t| t.to_string());
            out.stats.skipped.push(Skipped {
                path: name,
                reason: SkipReason::MissingObject(format!(
                    "the ref points to {target}, which cannot be read"
                )),
            });
        }
    }
    if let Ok(head) = repo.head()
        && let Ok(c) = head.peel_to_commit()
    {
        tips.push(to_gix(c.id())?);
    }
    tips.sort();
    tips.dedup();
    Ok((tips, loose))
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

/// Fingerprints of findings whose blob is in HEAD's tree.
fn head_fingerprints(
    repo: &gix::Repository,
    targets: &HashSet<ObjectId>,
    results: &[(usize, Vec<Finding>)],
    blobs: &[blobs::BlobEntry],
) -> std::collections::HashSet<String> {
    let Ok(tree) = repo.head_commit().and_then(|c| Ok(c.tree_id()?.detach())) else {
        return Default::default();
    };
    let mut at_head: HashSet<ObjectId> = HashSet::default();
    let mut stack = vec![tree];
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
