//! `tokenwarden scan [PATH...]`

use std::path::Path;
use std::time::Instant;

use super::output;
use crate::cli::ScanArgs;
use crate::config::Config;
use crate::error::Result;
use crate::outcome::Outcome;
use crate::source::fs::{WalkOptions, scan_root};
use crate::source::stdin::scan_stdin;

pub fn run(args: ScanArgs) -> Result<i32> {
    let started = Instant::now();
    let common = &args.common;
    let engine = output::engine(common)?;
    let first_dir = args
        .paths
        .iter()
        .find(|p| p.as_os_str() != "-" && p.is_dir())
        .map(|p| p.as_path());
    let config = Config::load(common.config.as_deref(), first_dir)?;
    let verify = output::verify_options(common, &config)?;
    let opts = WalkOptions {
        no_ignore: args.no_ignore,
        max_file_size: args.max_file_size,
        threads: output::threads(common),
    };

    let mut out = Outcome::default();
    for root in &args.paths {
        if root.as_os_str() == "-" {
            scan_stdin(&engine, opts.max_file_size, &mut out)?;
        } else {
            scan_root(&engine, &config, Path::new(root), &opts, &mut out)?;
        }
    }
    out.stats.elapsed = started.elapsed();
    output::finish(common, &engine, verify.as_ref(), out)
}
