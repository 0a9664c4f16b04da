//! `tokenwarden history` over every ref or one revision: the roots, every blob they reach
//! scanned once, then each finding attributed to the commits that introduced it. Each step
//! is its own module (`refs`, `enumerate`, `blobs`, `attribute`), so a scan can be told
//! what an earlier one covered and attribute over only what is new.

use super::attribute::attribute;
use super::blobs::scan_blobs;
use super::enumerate::{Known, enumerate};
use super::messages::{COMMIT_MESSAGE_PATH, scan_message};
use super::meta::commit_provenance;
use super::refs::Roots;
use super::repo::{Repo, SHALLOW_WARNING, git2_oid};
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
    /// What an earlier scan covered: left out.
    pub known: &'a Known,
    pub max_size: u64,
    pub progress: &'a dyn Progress,
}

pub fn scan_history(repo: &Repo, scanner: &dyn Scanner, opts: &HistoryOptions) -> Result<Outcome> {
    let mut out = Outcome::default();
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
        return Ok(out);
    }
    out.stats.skipped.append(&mut roots.skipped);
    tags::scan_messages(&repo.git2, scanner, &roots.tags, &mut out);
    opts.progress.phase("enumerating commits and trees", None);
    let listed = enumerate(&repo.gix, &roots, opts.known, &mut |commit, message| {
        scan_message(
            scanner,
            COMMIT_MESSAGE_PATH,
            &format_args!("commit {commit}"),
            message,
            || commit_provenance(&repo.git2, git2_oid(&commit)),
            &mut out,
        )
    })
    .map_err(Error::repository)?;
    out.stats.skipped.extend(listed.skipped);
    opts.progress
        .phase("scanning blobs", Some(listed.blobs.len() as u64));
    let scanned = scan_blobs(
        &repo.gix,
        &listed.blobs,
        opts.max_size,
        scanner,
        opts.progress,
    );
    opts.progress.phase("attributing findings to commits", None);
    out.stats.merge(scanned.stats);
    out.stats.unit = Unit::Blob;
    let attributed = attribute(repo, &listed.commits, &listed.blobs, scanned.results);
    out.findings.extend(attributed);
    Ok(out)
}
