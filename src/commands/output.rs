//! Shared by the scanning commands: build the engine from common flags, write the report.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};

use std::time::Duration;

use crate::cli::CommonArgs;
use crate::config::Config;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::matcher::Matcher;
use crate::outcome::Outcome;
use crate::report::{self, Format, ReportContext};
use crate::rules::RuleSet;
use crate::verify::{self, Status, VerifyOptions, orgs};

use super::{EXIT_CLEAN, EXIT_FINDINGS};

pub fn engine(common: &CommonArgs) -> Result<Engine> {
    let rules = RuleSet::load(&common.rules)?;
    Ok(Engine {
        matcher: Matcher::new(rules),
        min_confidence: common.min_confidence.into(),
        redact: !common.no_redact,
        verify: common.verify || common.only_live,
    })
}

/// Verification settings, checked before any scanning so a bad org URL fails fast.
pub fn verify_options(common: &CommonArgs, config: &Config) -> Result<Option<VerifyOptions>> {
    if !(common.verify || common.only_live) {
        return Ok(None);
    }
    let env = std::env::var("OKTA_ORG_URL")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let mut orgs = Vec::new();
    let named = common.okta_orgs.iter().map(|o| (o.as_str(), "--okta-org"));
    let named = named.chain(env.as_deref().map(|o| (o, "OKTA_ORG_URL")));
    let named = named.chain(
        config
            .verify_orgs
            .iter()
            .map(|o| (o.as_str(), "[verify] orgs")),
    );
    for (url, source) in named {
        let org = orgs::parse_explicit(url).map_err(|e| Error::new(format!("{source}: {e}")))?;
        if !orgs.contains(&org) {
            orgs.push(org);
        }
    }
    Ok(Some(VerifyOptions {
        orgs,
        timeout: Duration::from_secs(common.verify_timeout.max(1)),
        concurrency: usize::from(common.verify_concurrency),
    }))
}

/// Verification (if asked), `--only-live`, deterministic order, then the report.
pub fn finish(
    common: &CommonArgs,
    engine: &Engine,
    verify: Option<&VerifyOptions>,
    mut out: Outcome,
) -> Result<i32> {
    if let Some(opts) = verify {
        verify::run(&mut out.findings, opts);
        if common.only_live {
            out.findings.retain(|f| {
                f.verification
                    .as_ref()
                    .is_some_and(|v| v.status == Status::Live)
            });
        }
    }
    out.sort();
    emit(common, engine, &out)
}

pub fn threads(common: &CommonArgs) -> usize {
    common
        .threads
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Sizes rayon's pool (used by history scans) from `--threads`.
pub fn configure_threads(common: &CommonArgs) {
    // Fails only if the pool was already built, which leaves the earlier size in place.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads(common))
        .build_global();
}

/// Writes the report where the user asked and returns the exit code for it.
pub fn emit(common: &CommonArgs, engine: &Engine, out: &Outcome) -> Result<i32> {
    let format: Format = common.format.into();
    let to_file = common.output.is_some();
    let color = !to_file
        && format == Format::Text
        && !common.no_color
        && std::env::var_os("NO_COLOR").is_none()
        && io::stdout().is_terminal();
    let cx = ReportContext {
        rules: engine.matcher.rules(),
        color,
        verbose: common.verbose,
    };
    let written = match &common.output {
        Some(path) => {
            let file = File::create(path).map_err(|e| Error::io("write report to", path, &e))?;
            let mut w = BufWriter::new(file);
            report::write(format, &mut w, out, &cx)
                .and_then(|_| w.flush())
                .map_err(|e| Error::io("write report to", path, &e))?;
            Ok(())
        }
        None => {
            let stdout = io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            report::write(format, &mut w, out, &cx).and_then(|_| w.flush())
        }
    };
    match written {
        // `tokenwarden scan | head` is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(Error::new(format!("cannot write report: {e}"))),
        Ok(()) => {}
    }
    for w in &out.stats.warnings {
        eprintln!("tokenwarden: warning: {w}");
    }
    if format != Format::Text || to_file {
        eprintln!("tokenwarden: {}", report::summary(out, common.verbose));
    }
    Ok(if out.findings.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}
