//! `tokenwarden scan [PATH...]` and `tokenwarden baseline create`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::cli::{BaselineCreateArgs, FormatArg, ScanArgs};
use crate::error::{Error, Result};
use crate::finding::Root;
use crate::outcome::Outcome;
use crate::pipeline::{EXIT_CLEAN, Pipeline, ReportTarget};
use crate::source::display_path;
use crate::source::fs::{WalkOptions, scan_root};
use crate::source::stdin::scan_stdin;

pub const BASELINE_FILE: &str = ".tokenwarden-baseline.json";

pub fn run(args: ScanArgs) -> Result<i32> {
    let (pipeline, out) = scan(&args)?;
    pipeline.finish(&(&args.common.report).into(), out)
}

/// Writes every current finding to a JSON baseline and exits 0.
pub fn create_baseline(args: BaselineCreateArgs) -> Result<i32> {
    refuse_overwrite(&args)?;
    let mut args = args.scan;
    args.common.report.format = FormatArg::Json;
    let path = args
        .common
        .report
        .output
        .get_or_insert_with(|| PathBuf::from(BASELINE_FILE))
        .clone();
    let (pipeline, mut out) = scan(&args)?;
    pipeline.settle(&mut out);
    pipeline.report(&ReportTarget::from(&args.common.report), &out)?;
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
        .report
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

fn scan(args: &ScanArgs) -> Result<(Pipeline, Outcome)> {
    // Every path named is a root with its own settings (a directory's .tokenwarden.toml and
    // .tokenwardenignore); standard input goes by the first.
    let roots: Vec<&Path> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .map(|p| p.as_path())
        .collect();
    let pipeline = Pipeline::new(&args.common.settings.resolve(), &roots)?;
    let opts = WalkOptions {
        no_ignore: args.no_ignore,
        max_file_size: pipeline.max_size(),
        threads: pipeline.threads(),
    };
    let mut out = Outcome::default();
    let mut next_root = 0;
    for path in &args.paths {
        if path.as_os_str() == "-" {
            scan_stdin(&pipeline.scanner(0), &mut out);
        } else {
            let from = out.mark();
            let (scanner, allowed) = (pipeline.scanner(next_root), pipeline.allowed(next_root));
            scan_root(&scanner, &allowed, path, &opts, &mut out)?;
            out.set_root(from, &Root::Dir(display_path(path)));
            next_root += 1;
        }
    }
    Ok((pipeline, out))
}
