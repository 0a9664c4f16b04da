//! `tokenwarden history`

use std::time::Instant;

use super::output;
use crate::cli::HistoryArgs;
use crate::error::Result;
use crate::outcome::Outcome;
use crate::source::git::history::{self, HistoryOptions};
use crate::source::git::{SHALLOW_WARNING, open_git2, range};

pub fn run(args: HistoryArgs) -> Result<i32> {
    let started = Instant::now();
    let common = &args.common;
    output::configure_threads(common);
    let repo = open_git2(&args.path)?;
    let run = output::prepare(common, repo.workdir())?;
    let mut out = Outcome::default();
    match &args.range {
        Some(r) => {
            if repo.is_shallow() {
                out.stats.warnings.push(SHALLOW_WARNING.into());
            }
            range::scan(&repo, &run.engine, r, args.max_file_size, &mut out)?
        }
        None => {
            let opts = HistoryOptions {
                branch: args.branch.as_deref(),
                max_size: args.max_file_size,
            };
            history::scan(&args.path, &run.engine, &opts, &mut out)?
        }
    }
    run.config.drop_allowed(&mut out);
    out.stats.elapsed = started.elapsed();
    output::finish(common, &run, out)
}
