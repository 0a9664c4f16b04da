//! `tokenwarden history`: the whole history, one branch, or a commit range.

use crate::cli::HistoryArgs;
use crate::error::Result;
use crate::finding::Root;
use crate::outcome::Outcome;
use crate::pipeline::Pipeline;
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
    let mut out = Outcome::default();
    pipeline.install(|| {
        git::scan(
            &args.path,
            &selection,
            &pipeline.scanner(0),
            pipeline.max_size(),
            &pipeline.allowed(0),
            pipeline.progress(args.common.report.quiet).as_ref(),
            &mut out,
        )
    })?;
    out.set_root(0, &Root::Repository(display_path(&args.path)));
    pipeline.finish(&(&args.common.report).into(), out)
}
