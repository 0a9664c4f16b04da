//! `tokenwarden scan [PATH...]` and `tokenwarden baseline create`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::EXIT_CLEAN;
use super::output::{self, Run};
use crate::cli::{BaselineCreateArgs, FormatArg, ScanArgs};
use crate::error::{Error, Result};
use crate::outcome::Outcome;
use crate::source::fs::{WalkOptions, scan_root};
use crate::source::stdin::scan_stdin;

pub const BASELINE_FILE: &str = ".tokenwarden-baseline.json";

pub fn run(args: ScanArgs) -> Result<i32> {
    let (run, out) = scan(&args)?;
    output::finish(&args.common, &run, out)
}

/// Writes every current finding to a JSON baseline and exits 0.
pub fn create_baseline(args: BaselineCreateArgs) -> Result<i32> {
    refuse_overwrite(&args)?;
    let mut args = args.scan;
    args.common.format = FormatArg::Json;
    let path = args
        .common
        .output
        .get_or_insert_with(|| PathBuf::from(BASELINE_FILE))
        .clone();
    let (run, mut out) = scan(&args)?;
    output::settle(&args.common, &run, &mut out);
    output::emit(&args.common, &run.engine, &out)?;
    eprintln!(
        "tokenwarden: wrote a baseline of {} finding(s) to {}; pass --baseline {} to report only new ones",
        out.reported().count(),
        path.display(),
        path.display()
    );
    Ok(EXIT_CLEAN)
}

/// A baseline records which leaks were accepted: overwriting one by accident would
/// silently accept every leak found since, so that takes `--force`.
fn refuse_overwrite(args: &BaselineCreateArgs) -> Result<()> {
    let path = args
        .scan
        .common
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(BASELINE_FILE));
    if !args.force && fs::symlink_metadata(&path).is_ok() {
        return Err(Error::new(format!(
            "{} already exists: pass --force to replace it, or -o FILE to write elsewhere",
            path.display()
        )));
    }
    Ok(())
}

fn scan(args: &ScanArgs) -> Result<(Run, Outcome)> {
    let started = Instant::now();
    let common = &args.common;
    let first_dir = args
        .paths
        .iter()
        .find(|p| p.as_os_str() != "-" && p.is_dir())
        .map(|p| p.as_path());
    let run = output::prepare(common, first_dir)?;
    let opts = WalkOptions {
        no_ignore: args.no_ignore,
        max_file_size: args.max_file_size,
        threads: output::threads(common),
    };
    let mut out = Outcome::default();
    for root in &args.paths {
        if root.as_os_str() == "-" {
            scan_stdin(&run.engine, opts.max_file_size, &mut out)?;
        } else {
            scan_root(&run.engine, &run.config, Path::new(root), &opts, &mut out)?;
        }
    }
    out.stats.elapsed = started.elapsed();
    Ok((run, out))
}
