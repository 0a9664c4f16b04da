//! `tokenwarden staged`: the index against HEAD, as the pre-commit hook runs it; with the
//! files the pre-commit framework passes, a whole-file scan when they are not all staged.

use std::path::Path;

use crate::cli::StagedArgs;
use crate::error::Result;
use crate::finding::Root;
use crate::outcome::Outcome;
use crate::pipeline::Pipeline;
use crate::source::display_path;
use crate::source::fs::{WalkOptions, scan_root};
use crate::source::git::{staged, work_tree};

pub fn run(args: StagedArgs) -> Result<i32> {
    let root = work_tree(&args.repo)?;
    let pipeline = Pipeline::new(&args.common.settings.resolve(), root.as_deref().as_slice())?;
    let mut out = Outcome::default();
    let whole_files = !args.files.is_empty() && {
        let staged = staged::staged_paths(&args.repo)?;
        args.files
            .iter()
            .any(|f| !staged.contains(&display_path(f)))
    };
    if whole_files {
        // `pre-commit run --all-files` (and pre-commit.ci, which always runs that way):
        // there is no commit to take added lines from, so what is on disk is checked.
        let opts = WalkOptions {
            no_ignore: true,
            max_file_size: pipeline.max_size(),
            threads: pipeline.threads(),
        };
        let scanner = pipeline.scanner(0);
        let allowed = pipeline.allowed(0);
        for file in &args.files {
            scan_root(&scanner, &allowed, Path::new(file), &opts, &mut out)?;
        }
    } else {
        out = staged::scan_staged(
            &args.repo,
            &pipeline.scanner(0),
            pipeline.max_size(),
            &pipeline.allowed(0),
        )?;
    }
    out.set_root(
        Default::default(),
        &Root::Repository(display_path(&args.repo)),
    );
    pipeline.finish(&(&args.common.report).into(), out)
}
