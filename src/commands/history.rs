//! `tokenwarden history`: the whole history, one branch, or a commit range.

use std::path::Path;

use crate::cli::HistoryArgs;
use crate::error::Result;
use crate::finding::Root;
use crate::outcome::Outcome;
use crate::pipeline::{Pipeline, collapse};
use crate::source::display_path;
use crate::source::git::{self, Selection, work_tree};

pub fn run(args: HistoryArgs) -> Result<i32> {
    let selection = match (&args.range, &args.branch) {
        (Some(range), _) => Selection::Range(range.clone()),
        (None, Some(branch)) => Selection::Branch(branch.clone()),
        (None, None) => Selection::All,
    };
    let root = work_tree(&args.path)?;
    let pipeline = Pipeline::new(&args.common.settings.resolve(), root.as_deref().as_slice())?;
    let mut out = match &args.state {
        Some(state) => scan_incremental(&pipeline, &args.path, state, args.common.report.quiet)?,
        None => scan_repository(&pipeline, &args.path, &selection, args.common.report.quiet)?,
    };
    if args.new_only {
        out.findings
            .retain(|f| f.provenance.as_ref().is_some_and(|p| p.new));
    }
    pipeline.finish(&(&args.common.report).into(), out)
}

/// `history --state FILE`, as `scan_repository` does the whole history.
pub fn scan_incremental(
    pipeline: &Pipeline,
    path: &Path,
    state: &Path,
    quiet: bool,
) -> Result<Outcome> {
    let rules = pipeline.engine().matcher().rule_set().digest();
    let mut out = pipeline.install(|| {
        git::scan_incremental(
            path,
            state,
            &rules,
            &pipeline.scanner(0),
            pipeline.max_size(),
            &pipeline.allowed(0),
            pipeline.progress(quiet).as_ref(),
        )
    })?;
    collapse::per_path(&mut out.findings);
    out.set_root(0, &Root::Repository(display_path(path)));
    Ok(out)
}

/// `selection` of the repository at `path` (the pipeline's first root), on the pipeline's
/// threads, its findings named as the repository's and collapsed per path where history
/// reports introductions.
pub fn scan_repository(
    pipeline: &Pipeline,
    path: &Path,
    selection: &Selection,
    quiet: bool,
) -> Result<Outcome> {
    let mut out = pipeline.install(|| {
        git::scan_selection(
            path,
            selection,
            &pipeline.scanner(0),
            pipeline.max_size(),
            &pipeline.allowed(0),
            pipeline.progress(quiet).as_ref(),
        )
    })?;
    if selection.finds_introductions() {
        collapse::per_path(&mut out.findings);
    }
    out.set_root(0, &Root::Repository(display_path(path)));
    Ok(out)
}
