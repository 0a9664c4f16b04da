//! Shared by the scanning commands: settings from flags and config, the engine, and the
//! end of a run (suppressions, verification, report, exit code).

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::atomic;
use crate::cli::CommonArgs;
use crate::config::Config;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::finding::Confidence;
use crate::matcher::Matcher;
use crate::outcome::Outcome;
use crate::redact::Scrubber;
use crate::report::{self, Format, ReportContext};
use crate::rules::RuleSet;
use crate::suppress::{IGNORE_FILE, Known};
use crate::verify::{self, VerifyOptions, orgs};

/// Everything a scanning command needs, built before any scanning so that bad settings
/// fail fast.
pub struct Run {
    pub config: Config,
    pub engine: Engine,
    verify: Option<VerifyOptions>,
    known: Known,
}

/// `root`: the directory whose `.tokenwarden.toml` and `.tokenwardenignore` apply.
pub fn prepare(common: &CommonArgs, root: Option<&Path>) -> Result<Run> {
    let mut config = Config::load(common.config.as_deref(), root)?;
    let mut trusted = common.rules.clone();
    let mut untrusted = Vec::new();
    if config.trusted {
        trusted.extend(config.rule_dirs.iter().cloned());
    } else {
        untrusted.extend(config.rule_dirs.iter().cloned());
    }
    let origin = config.origin.clone().unwrap_or_default();
    let rules = RuleSet::load_layered(&trusted, &untrusted, &origin)?;
    let verify = verify_options(common, &config)?;
    let known = Known::load(
        root.map(|r| r.join(IGNORE_FILE)).as_deref(),
        common.baseline.as_deref(),
    )?;
    let mut engine = Engine::new(Matcher::new(rules));
    engine.min_confidence = common
        .min_confidence
        .map(Confidence::from)
        .or(config.min_confidence)
        .unwrap_or(Confidence::Medium);
    engine.redact = !common.no_redact;
    engine.verify = verify.is_some();
    engine.allow = std::mem::take(&mut config.line_allow);
    Ok(Run {
        config,
        engine,
        verify,
        known,
    })
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

fn verify_options(common: &CommonArgs, config: &Config) -> Result<Option<VerifyOptions>> {
    if !(common.verify || common.only_live) {
        return Ok(None);
    }
    let env = std::env::var("OKTA_ORG_URL")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let named = common.okta_orgs.iter().map(|o| (o.as_str(), "--okta-org"));
    let named = named.chain(env.as_deref().map(|o| (o, "OKTA_ORG_URL")));
    // A config inside the scanned tree belongs to whoever wrote the tree: letting it name
    // orgs would let a pull request collect every token the scan finds.
    let config_orgs: &[String] = if config.trusted {
        &config.verify_orgs
    } else {
        if !config.verify_orgs.is_empty() {
            eprintln!(
                "tokenwarden: warning: ignoring [verify] orgs in {}: a config inside the scanned \
                 tree may not choose where tokens are sent; pass --okta-org URL, set OKTA_ORG_URL, \
                 or name a config you trust with --config",
                config
                    .origin
                    .as_deref()
                    .map_or_else(String::new, |p| crate::escape::sanitize(
                        &p.display().to_string()
                    ))
            );
        }
        &[]
    };
    let named = named.chain(config_orgs.iter().map(|o| (o.as_str(), "[verify] orgs")));
    let mut orgs = Vec::new();
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

/// Suppressions by fingerprint, verification (if asked), `--only-live`, deterministic
/// order; the caller then writes the report.
pub fn settle(common: &CommonArgs, run: &Run, out: &mut Outcome) {
    if run.engine.redact {
        // First, so that baselines and ignore files compare what reports show.
        Scrubber::new(&run.engine.matcher)
            .with_known(run.engine.vault.seen())
            .scrub_outcome(out);
    }
    for f in out.findings.iter_mut().filter(|f| f.suppression.is_none()) {
        f.suppression = run.known.check(f);
    }
    if let Some(opts) = &run.verify {
        verify::run(&mut out.findings, &run.engine.vault, opts);
        if common.only_live {
            out.findings
                .retain(|f| f.suppression.is_some() || f.is_live());
        }
    }
    out.sort();
}

/// `settle`, the report, and the exit code: 1 if any unsuppressed finding is reported.
pub fn finish(common: &CommonArgs, run: &Run, mut out: Outcome) -> Result<i32> {
    settle(common, run, &mut out);
    emit(common, &run.engine, &out)?;
    Ok(if out.reported().next().is_none() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

/// Writes the report where the user asked (standard output by default).
pub fn emit(common: &CommonArgs, engine: &Engine, out: &Outcome) -> Result<()> {
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
            atomic::write_file(path, |w| report::write(format, w, out, &cx))
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
        eprintln!("tokenwarden: warning: {}", crate::escape::sanitize(w));
    }
    if format != Format::Text || to_file {
        eprintln!("tokenwarden: {}", report::summary(out, common.verbose));
    }
    Ok(())
}
