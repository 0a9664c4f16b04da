//! `tokenwarden history`

use std::time::Instant;

use super::output;
use crate::cli::HistoryArgs;
use crate::config::Config;
use crate::error::Result;
use crate::outcome::Outcome;
use crate::source::git::history::{self, HistoryOptions};
use crate::source::git::{SHALLOW_WARNING, open_git2, range};

pub fn run(args: HistoryArgs) -> Result<i32> {
    let started = Instant::now();
    let common = &args.common;
    let engine = output::engine(common)?;
    output::configure_threads(common);
    let repo = open_git2(&args.path)?;
    let config = Config::load(common.config.as_deref(), repo.workdir())?;
    let verify = output::verify_options(common, &config)?;
    let mut out = Outcome::default();
    match &args.range {
        Some(r) => {
            if repo.is_shallow() {
                out.stats.warnings.push(SHALLOW_WARNING.into());
            }
            range::scan(&repo, &engine, r, args.max_file_size, &mut out)?
        }
        None => {
            let opts = HistoryOptions {
                branch: args.branch.as_deref(),
                max_size: args.max_file_size,
            };
            history::scan(&args.path, &engine, &opts, &mut out)?
        }
    }
    config.drop_allowed(&mut out);
    out.stats.elapsed = started.elapsed();
    output::finish(common, &engine, verify.as_ref(), out)
}
