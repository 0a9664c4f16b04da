//! `tokenwarden staged`

use std::time::Instant;

use super::output;
use crate::cli::StagedArgs;
use crate::config::Config;
use crate::error::Result;
use crate::outcome::Outcome;
use crate::source::git::{open_gix, staged};

pub fn run(args: StagedArgs) -> Result<i32> {
    let started = Instant::now();
    let common = &args.common;
    let engine = output::engine(common)?;
    let repo = open_gix(&args.repo)?;
    let config = Config::load(common.config.as_deref(), repo.workdir())?;
    let verify = output::verify_options(common, &config)?;
    let mut out = Outcome::default();
    staged::scan(&repo, &engine, args.max_file_size, &mut out)?;
    config.drop_allowed(&mut out);
    out.stats.elapsed = started.elapsed();
    output::finish(common, &engine, verify.as_ref(), out)
}
