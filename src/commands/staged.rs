//! `tokenwarden staged`

use std::time::Instant;

use super::output;
use crate::cli::StagedArgs;
use crate::error::{Error, Result};
use crate::outcome::Outcome;
use crate::source::git::{open_gix, staged};

pub fn run(args: StagedArgs) -> Result<i32> {
    let started = Instant::now();
    let common = &args.common;
    let repo = open_gix(&args.repo)?;
    if repo.workdir().is_none() {
        return Err(Error::new(format!(
            "{} is a bare repository: there is no work tree, so nothing is staged \
             (use `tokenwarden history` to scan its commits)",
            args.repo.display()
        )));
    }
    let run = output::prepare(common, repo.workdir())?;
    let mut out = Outcome::default();
    staged::scan(&repo, &run.engine, args.max_file_size, &mut out)?;
    run.config.drop_allowed(&mut out);
    out.stats.elapsed = started.elapsed();
    output::finish(common, &run, out)
}
