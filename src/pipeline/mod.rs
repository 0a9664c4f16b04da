//! The one pipeline every scanning command runs:
//!
//! settings (flags, environment, config) → engine → a *source* hands out blobs → the
//! scanner turns them into findings → scrub → suppressions → verification → `--only-live`
//! → sorted → reported, with the exit code.
//!
//! Commands only choose the source (files, stdin, the index, a range, the history). What
//! ripgrep keeps in `hiargs.rs` (settings resolved once, bad ones failing before any
//! scanning) lives in `Pipeline::new`.

pub mod collapse;
mod policy;
mod progress;
mod scanner;
pub mod text;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

pub use policy::Policy;
use policy::{put_aside, set_aside_own};
pub use scanner::BlobScanner;
pub use text::Windows;

use crate::atomic;
use crate::config::{BaseTrust, Config};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::escape::sanitize;
use crate::finding::{Confidence, Finding, Root};
use crate::matcher::Matcher;
use crate::okta::Destinations;
use crate::outcome::Outcome;
use crate::report::{self, Format, ReportContext};
use crate::rules::{Refusals, RuleSet, UntrustedRules};
use crate::scrub::Scrubber;
use crate::settings::Settings;
use crate::source::display_path;
use crate::suppress::{IGNORE_FILE, Known};
use crate::verify::{self, VerifyOptions};

pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;

/// Where a report goes.
pub struct ReportTarget {
    pub format: Format,
    /// Standard output when `None`.
    pub output: Option<PathBuf>,
    /// Color is still only used on a terminal that can show it.
    pub color: bool,
    /// Nothing on standard output when nothing is reported (text only).
    pub quiet: bool,
}

/// Everything a scanning command needs, built before any scanning so that bad settings
/// fail fast.
pub struct Pipeline {
    engine: Engine,
    /// One per scanned root, in the order the command names them.
    policies: Vec<Policy>,
    /// A root's own settings read once its repository was fetched (a mirror's, from HEAD),
    /// after the pipeline was built: in place of its entry in `policies` once set.
    fetched: Vec<OnceLock<Policy>>,
    /// `--min-confidence`, which a root's own `min_confidence` does not override.
    min_confidence: Option<Confidence>,
    /// Roots' own settings files apply (no `--config` given).
    own_settings: bool,
    verify: Option<VerifyOptions>,
    only_live: bool,
    verbose: bool,
    threads: usize,
    /// The run's own workers for parallel sources (history), sized by `--threads`: not
    /// rayon's global pool, which a library caller may have sized for something else.
    pool: OnceLock<std::result::Result<rayon::ThreadPool, String>>,
    max_size: u64,
    started: Instant,
}

impl Pipeline {
    /// `roots`: the directories whose `.tokenwarden.toml` and `.tokenwardenignore` apply,
    /// one policy each (part of the scanned tree, so untrusted: README "Trust model").
    pub fn new(settings: &Settings, roots: &[&Path]) -> Result<Pipeline> {
        Pipeline::with_base(settings, roots, None)
    }

    /// One policy per repository of a history run: its work tree's settings when it has
    /// one (a mirror has none), for the findings named `Root::Repository(name)`.
    ///
    /// A repository's own settings files are its author's: when they cannot be read or ask
    /// for what a scanned tree may not (a rule superseding a built-in one), that repository
    /// is scanned without them (built-in rules, what the command line names), with the
    /// reason in the second list. So no repository can hide its own findings or stop the
    /// others from being scanned. What the user named (`--config`, `--rules`,
    /// `--baseline`) still fails the run, and so does everything when not `several` (one
    /// repository named on the command line fails closed, as a directory scan does).
    pub fn for_repositories(
        settings: &Settings,
        repositories: &[(Option<&Path>, String)],
        several: bool,
    ) -> Result<(Pipeline, Vec<Option<String>>)> {
        let roots: Vec<(Option<&Path>, Root)> = repositories
            .iter()
            .map(|(dir, name)| (*dir, Root::Repository(name.clone())))
            .collect();
        let mut set_aside = vec![None; roots.len()];
        let tolerated = several.then_some(&mut set_aside);
        let pipeline = Pipeline::with_roots(settings, &roots, None, tolerated)?;
        Ok((pipeline, set_aside))
    }

    /// `new`, with the trust-granting parts of the `--config` file taken from `base` (its
    /// base revision's) instead of the file as checked out, which is then untrusted.
    pub fn with_base(
        settings: &Settings,
        roots: &[&Path],
        base: Option<BaseTrust>,
    ) -> Result<Pipeline> {
        let roots: Vec<(Option<&Path>, Root)> = roots
            .iter()
            .map(|r| (Some(*r), Root::Dir(display_path(r))))
            .collect();
        Pipeline::with_roots(settings, &roots, base, None)
    }

    /// `set_aside`: when given (one entry per root), a root whose own settings fail is
    /// scanned without them, the reason there, instead of failing the run.
    fn with_roots(
        settings: &Settings,
        roots: &[(Option<&Path>, Root)],
        base: Option<BaseTrust>,
        set_aside: Option<&mut Vec<Option<String>>>,
    ) -> Result<Pipeline> {
        let started = Instant::now();
        let no_root = [(None, Root::Stdin)];
        let roots = if roots.is_empty() {
            &no_root[..]
        } else {
            roots
        };
        // With --config, no root's own file is read: its errors are the run's.
        let tolerant = settings.config.is_none() && set_aside.is_some();
        let mut aside: Vec<Option<String>> = vec![None; roots.len()];
        let mut configs = Vec::new();
        for (i, (root, _)) in roots.iter().enumerate() {
            let mut config = Config::load(settings.config.as_deref(), *root)
                .or_else(|e| put_aside(tolerant, &mut aside[i], e).map(|()| Config::default()))?;
            if base.is_some() {
                config.trusted = false;
                config.verify_orgs.clear();
            }
            configs.push(config);
        }
        let baseline = Known::baseline(settings.baseline.as_deref())?;
        let mut knowns = Vec::new();
        for (i, (root, _)) in roots.iter().enumerate() {
            let ignore_file = root.map(|r| r.join(IGNORE_FILE));
            let known = match aside[i] {
                Some(_) => baseline.clone(),
                None => baseline
                    .with_ignore_file(ignore_file.as_deref())
                    .or_else(|e| {
                        put_aside(tolerant, &mut aside[i], e).map(|()| baseline.clone())
                    })?,
            };
            knowns.push(known);
        }
        // Before the rules: a root set aside brings none.
        set_aside_own(&mut configs, &mut knowns, &baseline, &aside);
        let mut trusted = settings.rule_dirs.clone();
        let mut untrusted = Vec::new();
        for (i, config) in configs.iter().enumerate() {
            if config.trusted {
                // The --config file, the same for every root: its rules once.
                if i == 0 {
                    trusted.extend(config.rule_dirs.iter().cloned());
                }
            } else if !config.rule_dirs.is_empty() {
                untrusted.push(UntrustedRules {
                    root: i,
                    dirs: config.rule_dirs.clone(),
                    config: config.origin.clone().unwrap_or_default(),
                });
            }
        }
        let (base_orgs, pinned) = base.map_or_else(Default::default, |b| (b.verify_orgs, b.rules));
        let mut refused = Refusals::default();
        let rules = RuleSet::load_layered(
            &trusted,
            &pinned,
            &untrusted,
            tolerant.then_some(&mut refused),
        )?;
        for (i, e) in refused.roots {
            put_aside(tolerant, &mut aside[i], e)?;
        }
        // A root whose own settings failed in part is scanned with none of them (its rules
        // were left out by `load_layered`).
        set_aside_own(&mut configs, &mut knowns, &baseline, &aside);
        if let Some(out) = set_aside {
            *out = aside;
        }
        let verify = verify_options(settings, &configs, &base_orgs)?;
        let mut policies = Vec::new();
        for (i, (((root, label), config), known)) in
            roots.iter().zip(configs).zip(knowns).enumerate()
        {
            policies.push(Policy::new(
                i,
                root.map(Path::to_path_buf),
                label.clone(),
                config,
                known,
                settings.min_confidence,
            ));
        }
        for (i, why) in refused.rules {
            policies[i].left_out.push(why);
        }
        let engine = Engine::new(Matcher::new(rules), settings.redact, verify.is_some());
        Ok(Pipeline {
            engine,
            fetched: policies.iter().map(|_| OnceLock::new()).collect(),
            policies,
            min_confidence: settings.min_confidence,
            own_settings: settings.config.is_none(),
            verify,
            only_live: settings.verify.as_ref().is_some_and(|v| v.only_live),
            verbose: settings.verbose,
            threads: settings.threads,
            pool: OnceLock::new(),
            max_size: settings.max_file_size,
            started,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Where and how credentials are checked, when the run verifies.
    pub fn verify_options(&self) -> Option<&VerifyOptions> {
        self.verify.as_ref()
    }

    /// The policy of root `i` (in the order the command named them).
    pub fn policy(&self, i: usize) -> &Policy {
        let i = i.min(self.policies.len() - 1);
        self.fetched[i].get().unwrap_or(&self.policies[i])
    }

    /// Root `i`'s own settings as its repository's HEAD has them, for a repository that
    /// has no work tree (a mirror) and so was fetched after the pipeline was built: its
    /// `.tokenwarden.toml` and `.tokenwardenignore` as (text, origin). Untrusted, as a work
    /// tree's are: they may only quiet its own findings. Its `rules` directories cannot be
    /// read without a work tree and its `[verify] orgs` may not choose where tokens go:
    /// both are left out, with the warnings returned. Settings that do not parse are the
    /// error: the repository is then scanned without any of its own. Before root `i` is
    /// scanned; at most once. With `--config`, only the ignore file is read (as for a work
    /// tree).
    pub fn adopt_settings_at_head(
        &self,
        i: usize,
        config: Option<(&str, &str)>,
        ignore: Option<(&str, &str)>,
    ) -> std::result::Result<Vec<String>, String> {
        let Some(base) = self.policies.get(i) else {
            return Ok(Vec::new());
        };
        let (own, verifying) = (self.own_settings, self.verify.is_some());
        let (fetched, warnings) =
            base.at_head(i, own, config, ignore, self.min_confidence, verifying)?;
        let _ = self.fetched[i].set(fetched);
        Ok(warnings)
    }

    /// The policy whose root a finding was read from; standard input, and a repository of
    /// a run that names one, go by the first.
    fn policy_of(&self, f: &Finding) -> &Policy {
        let i = self.policies.iter().position(|p| p.label == f.root);
        self.policy(i.unwrap_or(0))
    }

    /// `text` with every secret-shaped piece redacted (unless `--no-redact`): for free text
    /// a report quotes from the scanned tree.
    pub fn scrub(&self, text: &str) -> String {
        if !self.engine.redacts() {
            return text.to_string();
        }
        Scrubber::new(self.engine.matcher())
            .with_known(self.engine.vault().seen())
            .scrub(text)
            .into_owned()
    }

    /// Worker threads for parallel sources.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `work` (a source) on the run's thread pool, started on first use: the
    /// pre-commit path (`staged`) never needs one, and starting threads is a measurable
    /// part of its few milliseconds.
    pub fn install<T: Send>(&self, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
        let pool = self.pool.get_or_init(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(self.threads)
                .build()
                .map_err(|e| format!("cannot start {} worker threads: {e}", self.threads))
        });
        match pool {
            Ok(pool) => pool.install(work),
            Err(e) => Err(Error::new(e.clone())),
        }
    }

    /// `--max-file-size`.
    pub fn max_size(&self) -> u64 {
        self.max_size
    }

    /// Progress for long sources, on a terminal unless `quiet`.
    pub fn progress(&self, quiet: bool) -> Box<dyn crate::source::progress::Progress> {
        progress::for_terminal(quiet)
    }

    /// What sources of root `i` hand their blobs to.
    pub fn scanner(&self, i: usize) -> BlobScanner<'_> {
        BlobScanner::new(
            &self.engine,
            &self.policy(i).scan,
            self.max_size,
            Windows::DEFAULT,
        )
    }

    /// `[allow] paths` of root `i`'s config, for sources to apply.
    pub fn allowed(&self, i: usize) -> impl Fn(&str) -> bool + Sync + '_ {
        let config = &self.policy(i).config;
        move |rel: &str| config.is_path_allowed(rel)
    }

    /// Scrubbing, suppressions by fingerprint, deterministic order, verification (if
    /// asked), `--only-live`.
    pub fn settle(&self, out: &mut Outcome) {
        out.rules = self
            .engine
            .matcher()
            .rules()
            .iter()
            .map(|r| r.info.clone())
            .collect();
        if self.engine.redacts() {
            // First, so that baselines and ignore files compare what reports show.
            Scrubber::new(self.engine.matcher())
                .with_known(self.engine.vault().seen())
                .scrub_outcome(out);
        }
        for i in 0..out.findings.len() {
            if out.findings[i].suppression.is_none() {
                let known = &self.policy_of(&out.findings[i]).known;
                out.findings[i].suppression = known.check(&out.findings[i]);
            }
        }
        // Before verification, which asks in report order: a budget that runs out leaves
        // the same findings unchecked every run, whatever the threads did.
        out.sort();
        if let Some(opts) = &self.verify {
            let warning = verify::run(&mut out.findings, self.engine.vault(), opts);
            out.stats.warnings.extend(warning);
            if self.only_live {
                // What the budget left unchecked stays: otherwise junk tokens sorted ahead
                // of a real one would push it out of the report.
                out.findings
                    .retain(|f| f.suppression.is_some() || f.is_live() || verify::unchecked(f));
            }
        }
        out.stats.elapsed = self.started.elapsed();
    }

    /// `settle`, the report, and the exit code: 1 if any unsuppressed finding is reported.
    pub fn finish(&self, target: &ReportTarget, mut out: Outcome) -> Result<i32> {
        self.settle(&mut out);
        self.report(target, &out)?;
        Ok(exit_code(&out))
    }

    /// Writes the report where `target` says (standard output by default), then the
    /// warnings and, for machine formats or files, the summary line on stderr.
    pub fn report(&self, target: &ReportTarget, out: &Outcome) -> Result<()> {
        let format = target.format;
        let to_file = target.output.is_some();
        let color = target.color
            && !to_file
            && format == Format::Text
            && io::stdout().is_terminal()
            && terminal_takes_ansi();
        let cx = ReportContext {
            color,
            verbose: self.verbose,
        };
        let silent = target.quiet
            && format == Format::Text
            && out.reported().next().is_none()
            && !self.verbose;
        if !silent {
            write_output(target.output.as_deref(), |w| {
                report::write(format, w, out, &cx)
            })?;
        }
        for w in &out.stats.warnings {
            eprintln!("tokenwarden: warning: {}", sanitize(w));
        }
        if format != Format::Text || to_file {
            eprintln!("tokenwarden: {}", report::summary(out, self.verbose));
        }
        Ok(())
    }
}

/// Writes a report to `output` (whole or not at all: `atomic::write_file`) or, when
/// `None`, to standard output.
pub fn write_output(
    output: Option<&Path>,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    if let Some(path) = output {
        return atomic::write_file(path, fill).map_err(|e| Error::io("write report to", path, &e));
    }
    let stdout = io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    match fill(&mut w).and_then(|()| w.flush()) {
        // `tokenwarden scan | head` is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::new(format!("cannot write report: {e}"))),
        Ok(()) => Ok(()),
    }
}

/// 1 if any unsuppressed finding is reported, else 0.
/// Whether the console shows ANSI styles rather than printing them. Windows consoles do
/// once virtual-terminal processing is on (Windows 10 and later), which this switches on;
/// an older console says no and gets plain text.
fn terminal_takes_ansi() -> bool {
    #[cfg(windows)]
    return anstyle_query::windows::enable_ansi_colors().unwrap_or(false);
    #[cfg(not(windows))]
    true
}

pub fn exit_code(out: &Outcome) -> i32 {
    if out.reported().next().is_none() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}

fn verify_options(
    settings: &Settings,
    configs: &[Config],
    base_orgs: &[String],
) -> Result<Option<VerifyOptions>> {
    let Some(v) = &settings.verify else {
        return Ok(None);
    };
    // A config inside the scanned tree belongs to whoever wrote the tree: letting it name
    // orgs would let a pull request collect every token the scan finds. A trusted one is
    // the --config file, the same for every root.
    let mut config_orgs: &[String] = &[];
    for config in configs {
        if config.trusted {
            config_orgs = &config.verify_orgs;
        } else if !config.verify_orgs.is_empty() {
            eprintln!(
                "tokenwarden: warning: ignoring [verify] orgs in {}: a config inside the scanned \
                 tree may not choose where tokens are sent; pass --okta-org URL, set OKTA_ORG_URL, \
                 or name a config you trust with --config",
                config
                    .origin
                    .as_deref()
                    .map_or_else(String::new, |p| sanitize(&p.display().to_string()))
            );
        }
    }
    let named = v
        .orgs
        .iter()
        .map(|(o, source)| (o.as_str(), *source))
        .chain(config_orgs.iter().map(|o| (o.as_str(), "[verify] orgs")))
        .chain(
            base_orgs
                .iter()
                .map(|o| (o.as_str(), "[verify] orgs at the base revision")),
        );
    Ok(Some(VerifyOptions {
        destinations: Destinations::named(named)?,
        timeout: v.timeout,
        concurrency: v.concurrency,
        max_requests: v.max_requests,
        max_wait: v.max_wait,
    }))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn options(args: &[&str]) -> VerifyOptions {
        let cli =
            Cli::try_parse_from([&["tokenwarden", "scan", "--verify"], args].concat()).unwrap();
        let Command::Scan(scan) = cli.command else {
            unreachable!()
        };
        verify_options(&scan.common.settings.resolve(), &[Config::default()], &[])
            .unwrap()
            .unwrap()
    }

    #[test]
    fn the_verification_budget_has_defaults_and_flags() {
        let opts = options(&[]);
        assert_eq!(
            (opts.max_requests, opts.max_wait),
            (200, Duration::from_secs(60))
        );
        let opts = options(&["--verify-max-requests", "7", "--verify-max-wait", "0"]);
        assert_eq!((opts.max_requests, opts.max_wait), (7, Duration::ZERO));
    }
}
