//! Files and directories: a parallel walk with the `ignore` crate (the walker ripgrep
//! uses); each file is handed to the scanner as a stream.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

use super::path::display_below;
use super::tracked::Tracked;
use super::{Blob, Data, Origin, PathFilter, Scanner, display_path, load_blob, tally};
use crate::error::{Error, Result, describe_io};
use crate::finding::Finding;
use crate::outcome::{Outcome, SkipReason, Skipped, Stats};

pub struct WalkOptions {
    /// Scan files that .gitignore/.ignore exclude.
    pub no_ignore: bool,
    pub max_file_size: u64,
    pub threads: usize,
}

/// Scans one file or directory root into `out`. A missing or unreadable root is an
/// error; anything below it that can't be read is a skip with a reason.
pub fn scan_root(
    scanner: &dyn Scanner,
    allowed: PathFilter<'_>,
    root: &Path,
    opts: &WalkOptions,
    out: &mut Outcome,
) -> Result<()> {
    let meta = std::fs::metadata(root).map_err(|e| Error::io("scan", root, &e))?;
    if !meta.is_dir() {
        // An explicitly named file is scanned even if ignored or behind a symlink.
        let mut worker = Worker::new(scanner, allowed, root, opts);
        worker.scan_path(root, Some(meta));
        worker.finish_into(out);
        return Ok(());
    }
    std::fs::read_dir(root).map_err(|e| Error::io("read directory", root, &e))?;

    // Ignore files come with the scanned tree: what git tracks is scanned whatever they say.
    let tracked = (!opts.no_ignore).then(|| Tracked::below(root)).flatten();
    let collected = Mutex::new(Outcome::default());
    let builder = walk_builder(root, opts);
    let mut visitors = VisitorBuilder {
        scanner,
        allowed,
        root,
        opts,
        collected: &collected,
        tracked: tracked.as_ref(),
    };
    builder.build_parallel().visit(&mut visitors);
    let mut collected = collected.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some(tracked) = &tracked {
        let mut worker = Worker::new(scanner, allowed, root, opts);
        for path in tracked.missed(root) {
            worker.scan_path(&path, None);
        }
        worker.finish_into(&mut collected);
    }
    out.findings.extend(collected.findings);
    out.stats.merge(collected.stats);
    Ok(())
}

/// The walk every directory scan uses: ignore files respected unless `no_ignore`, hidden
/// files included, symlinks not followed, `.git` never entered.
pub fn walk_builder(root: &Path, opts: &WalkOptions) -> WalkBuilder {
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .parents(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        // Outside a git repository nothing is ignored by git, and an exported tree or an
        // unpacked archive ships the files its `.gitignore` names (`.env` among them): those
        // are scanned. This is ripgrep's default too, and it spares the walk matching every
        // name against rules that mean nothing there.
        .require_git(true)
        .follow_links(false)
        .threads(opts.threads)
        .filter_entry(|e| e.file_name() != ".git");
    builder
}

struct VisitorBuilder<'a> {
    scanner: &'a dyn Scanner,
    allowed: PathFilter<'a>,
    root: &'a Path,
    opts: &'a WalkOptions,
    collected: &'a Mutex<Outcome>,
    /// The tracked files, marked as the walk lists them.
    tracked: Option<&'a Tracked>,
}

impl<'s> ParallelVisitorBuilder<'s> for VisitorBuilder<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        let mut worker = Worker::new(self.scanner, self.allowed, self.root, self.opts);
        worker.tracked = self.tracked;
        Box::new(Visitor {
            worker,
            collected: self.collected,
        })
    }
}

struct Visitor<'a> {
    worker: Worker<'a>,
    collected: &'a Mutex<Outcome>,
}

impl ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: std::result::Result<DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(entry) => self.worker.visit(&entry),
            Err(err) => self.worker.walk_error(&err),
        }
        WalkState::Continue
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        let mut out = self.collected.lock().unwrap_or_else(|p| p.into_inner());
        self.worker.finish_into(&mut out);
    }
}

/// Per-thread scanning state.
struct Worker<'a> {
    scanner: &'a dyn Scanner,
    allowed: PathFilter<'a>,
    root: &'a Path,
    root_display: String,
    opts: &'a WalkOptions,
    /// The tracked files, marked as the walk lists them.
    tracked: Option<&'a Tracked>,
    findings: Vec<Finding>,
    stats: Stats,
}

impl<'a> Worker<'a> {
    fn new(
        scanner: &'a dyn Scanner,
        allowed: PathFilter<'a>,
        root: &'a Path,
        opts: &'a WalkOptions,
    ) -> Self {
        Worker {
            scanner,
            allowed,
            root,
            root_display: display_path(root),
            opts,
            tracked: None,
            findings: Vec::new(),
            stats: Stats::default(),
        }
    }

    fn finish_into(&mut self, out: &mut Outcome) {
        out.findings.append(&mut self.findings);
        out.stats.merge(std::mem::take(&mut self.stats));
    }

    fn skip(&mut self, path: &Path, reason: SkipReason) {
        self.stats
            .skipped
            .push(Skipped::new(display_path(path), reason));
    }

    fn visit(&mut self, entry: &DirEntry) {
        let Some(ft) = entry.file_type() else {
            return;
        };
        if ft.is_dir() {
            return;
        }
        let path = entry.path();
        if let Some(tracked) = self.tracked {
            let bytes = path.as_os_str().as_encoded_bytes();
            let root = self.root.as_os_str().as_encoded_bytes();
            if let Some(below) = bytes.strip_prefix(root) {
                let separators = below
                    .iter()
                    .take_while(|&&b| std::path::is_separator(b as char))
                    .count();
                tracked.saw(&below[separators..]);
            }
        }
        if ft.is_symlink() {
            // Not followed: a link may point outside the tree or into a loop.
            return self.skip(path, SkipReason::Symlink);
        }
        if !ft.is_file() {
            return self.skip(path, SkipReason::NotRegular(special_kind(&ft)));
        }
        self.scan_path(path, None);
    }

    fn walk_error(&mut self, err: &ignore::Error) {
        let (path, message) = split_walk_error(err);
        match path {
            Some(p) => self.skip(&p, SkipReason::Unreadable(message)),
            None => self.stats.skipped.push(Skipped::new(
                display_path(self.root),
                SkipReason::Unreadable(message),
            )),
        }
    }

    /// `meta` is passed when the caller already has it (explicit file roots).
    fn scan_path(&mut self, path: &Path, meta: Option<std::fs::Metadata>) {
        let display = display_path(path);
        let allowed = match display_below(&display, &self.root_display) {
            Some(rel) => (self.allowed)(rel),
            None => {
                let rel = path.strip_prefix(self.root).unwrap_or(path);
                !rel.as_os_str().is_empty() && (self.allowed)(&display_path(rel))
            }
        };
        if allowed {
            return self.skip(path, SkipReason::AllowedByConfig);
        }
        if let Some(m) = &meta
            && !m.is_file()
        {
            return self.skip(path, SkipReason::NotRegular(special_kind(&m.file_type())));
        }
        let unreadable = |e: std::io::Error| SkipReason::Unreadable(describe_io(&e));
        // Opened first and sized through the handle: fstat costs less than a second path
        // lookup, and a directory scan is mostly these two system calls.
        let result = File::open(path).map_err(unreadable).and_then(|mut file| {
            let size = meta
                .map_or_else(|| file.metadata(), Ok)
                .map(|m| m.len())
                .map_err(unreadable);
            load_blob(size, self.opts.max_file_size, || Ok(&mut file)).and_then(|file| {
                self.scanner
                    .scan(Blob::new(&display, Origin::File, Data::Stream(file)))
            })
        });
        let found = tally(&mut self.stats, &display, result);
        self.findings.extend(found);
    }
}

#[cfg(unix)]
fn special_kind(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "FIFO"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_block_device() {
        "block device"
    } else if ft.is_char_device() {
        "character device"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "special file"
}

/// The walker wraps I/O errors with the path and depth; users want "path: reason".
fn split_walk_error(err: &ignore::Error) -> (Option<PathBuf>, String) {
    match err {
        ignore::Error::WithPath { path, err } => (Some(path.clone()), split_walk_error(err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            split_walk_error(err)
        }
        ignore::Error::Io(e) => (None, describe_io(e)),
        other => (None, other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file listed by the walk and deleted before it is opened (a build running
    /// beside the scan) is a skip with a reason, not an error of the run.
    #[test]
    fn a_file_that_vanished_after_the_walk_is_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let engine = crate::engine::Engine::builtin();
        let policy = crate::engine::ScanPolicy::default();
        let scanner = crate::pipeline::BlobScanner::new(
            &engine,
            &policy,
            1 << 20,
            crate::pipeline::Windows::DEFAULT,
        );
        let opts = WalkOptions {
            no_ignore: false,
            max_file_size: 1 << 20,
            threads: 1,
        };
        let mut worker = Worker::new(&scanner, &|_| false, dir.path(), &opts);
        worker.scan_path(&dir.path().join("gone.txt"), None);
        let mut out = Outcome::default();
        worker.finish_into(&mut out);
        assert_eq!(out.stats.files_scanned, 0);
        let skipped: Vec<String> = out
            .stats
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.path, s.reason))
            .collect();
        assert_eq!(skipped.len(), 1);
        assert!(
            skipped[0].ends_with("gone.txt: unreadable: no such file or directory"),
            "{skipped:?}"
        );
    }
}
