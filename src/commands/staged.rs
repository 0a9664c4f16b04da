//! `tokenwarden staged`: the index against HEAD, as the pre-commit hook runs it.

use crate::cli::StagedArgs;
use crate::error::Result;
use crate::outcome::Outcome;
use crate::pipeline::Pipeline;
use crate::source::git::{staged, work_tree};

pub fn run(args: StagedArgs) -> Result<i32> {
    let root = work_tree(&args.repo)?;
    let pipeline = Pipeline::new(&args.common.settings, root.as_deref())?;
    let mut out = Outcome::default();
    staged::scan(
        &args.repo,
        &pipeline.scanner(),
        pipeline.max_size(),
        &pipeline.allowed(),
        &mut out,
    )?;
    pipeline.finish(&(&args.common.report).into(), out)
}
