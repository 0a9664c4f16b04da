//! `tokenwarden history`: the whole history, one branch, or a commit range, of one
//! repository or of many (an organization's list, or a shard of it).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::cli::HistoryArgs;
use crate::config;
use crate::error::{Error, Result};
use crate::escape::sanitize;
use crate::finding::Root;
use crate::outcome::{Outcome, RepositoryRun};
use crate::pipeline::{Pipeline, collapse};
use crate::report::sarif::local_uri;
use crate::repos::{self, Location, RepoSpec};
use crate::source::display_path;
use crate::source::git::mirror::Mirrors;
use crate::source::git::{self, Selection, work_tree};
use crate::source::progress::{Progress, Silent};
use crate::suppress::{IGNORE_FILE, MAX_IGNORE_FILE_BYTES};

pub fn run(args: HistoryArgs) -> Result<i32> {
    let selection = match (&args.range, &args.branch) {
        (Some(range), _) => Selection::Range(range.clone()),
        (None, Some(branch)) => Selection::Branch(branch.clone()),
        (None, None) => Selection::All,
    };
    let named: Vec<RepoSpec> = if args.repositories.is_empty() && args.list.is_none() {
        vec![RepoSpec::local(Path::new("."))]
    } else {
        args.repositories
            .iter()
            .map(|p| RepoSpec::from_arg(p).map_err(Error::settings))
            .collect::<Result<_>>()?
    };
    let plan = repos::plan(named, args.list.as_deref(), args.shard)?;
    // Decided by the command line, not by what a shard drew: a script's --state means the
    // same in every run.
    let several = plan.repositories.len() > 1 || args.list.is_some() || args.shard.is_some();
    if several && matches!(selection, Selection::Range(_)) {
        return Err(Error::settings(
            "--range names commits of one repository: scan one repository with it",
        ));
    }
    let quiet = args.common.report.quiet;
    let mut notices = Vec::new();
    if !plan.duplicates.is_empty() {
        notices.push(format!(
            "listed more than once, scanned once: {}",
            plan.duplicates
                .iter()
                .map(|d| sanitize(d))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(shard) = args.shard
        && !quiet
    {
        eprintln!(
            "tokenwarden: shard {shard}: {} of {} repositories (the others are other shards')",
            plan.repositories.len(),
            plan.repositories.len() + plan.other_shards
        );
    }
    if plan.repositories.is_empty() && args.shard.is_none() {
        return Err(Error::settings(
            "no repositories to scan: the list is empty",
        ));
    }
    let mut targets: Vec<Target> = plan.repositories.into_iter().map(Target::new).collect();
    let roots: Vec<(Option<&Path>, String)> = targets
        .iter()
        .map(|t| (t.work_tree.as_deref(), t.spec.name.clone()))
        .collect();
    let (pipeline, set_aside) =
        Pipeline::for_repositories(&args.common.settings.resolve(), &roots, several)?;
    for (target, why) in targets.iter_mut().zip(set_aside) {
        target.own_settings_refused = why;
    }
    let mirrors = match targets
        .iter()
        .any(|t| matches!(t.spec.location, Location::Remote(_)))
    {
        true => {
            let timeout = (args.clone_timeout > 0)
                .then(|| std::time::Duration::from_secs(args.clone_timeout));
            Some(Mirrors::new(args.mirror_dir.clone(), timeout).map_err(Error::settings)?)
        }
        false => None,
    };
    let states = match &args.state {
        Some(dir) if several => {
            if dir.exists() && !dir.is_dir() {
                return Err(Error::settings(format!(
                    "--state {}: a file, but with several repositories (or --repos, --shard) \
                     --state names a directory holding one state per repository",
                    sanitize(&dir.display().to_string())
                )));
            }
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io("create state directory", dir, &e))?;
            StatePaths::Dir(dir.clone())
        }
        Some(file) => StatePaths::File(file.clone()),
        None => StatePaths::None,
    };
    let job = Job {
        pipeline: &pipeline,
        mirrors: mirrors.as_ref(),
        selection: &selection,
        states,
        progress: !several && !quiet,
        several,
    };
    let outcomes = job.run_all(&targets, usize::from(args.jobs), several && !quiet);
    let mut out = Outcome {
        lists_repositories: true,
        ..Default::default()
    };
    for o in outcomes {
        out.append(o);
    }
    out.stats.warnings.extend(notices);
    let failed: Vec<&RepositoryRun> = out
        .repositories
        .iter()
        .filter(|r| r.error.is_some())
        .collect();
    if !failed.is_empty() && failed.len() == out.repositories.len() {
        let why = failed
            .iter()
            .map(|r| {
                format!(
                    "{}: {}",
                    sanitize(&r.name),
                    r.error.as_deref().unwrap_or("")
                )
            })
            .collect::<Vec<_>>();
        return Err(Error::repository(if why.len() == 1 {
            why[0].clone()
        } else {
            // One line: the error printer escapes line breaks (an untrusted name could
            // otherwise forge lines of output).
            format!("no repository could be scanned: {}", why.join("; "))
        }));
    }
    if args.new_only {
        out.findings
            .retain(|f| f.provenance.as_ref().is_some_and(|p| p.new));
    }
    pipeline.finish(&(&args.common.report).into(), out)
}

/// A repository to scan, with what could be learned of it before any scanning.
struct Target {
    spec: RepoSpec,
    /// Its work tree, whose settings files apply (a mirror and a bare repository have none).
    work_tree: Option<PathBuf>,
    /// Why it cannot be scanned, when that is known already.
    error: Option<String>,
    /// Why its own settings files are not applied (it is scanned without them).
    own_settings_refused: Option<String>,
}

impl Target {
    fn new(spec: RepoSpec) -> Target {
        let (work_tree, error) = match &spec.location {
            Location::Local(path) => match work_tree(path) {
                Ok(w) => (w, None),
                Err(e) => (None, Some(e.to_string())),
            },
            Location::Remote(_) => (None, None),
        };
        Target {
            spec,
            work_tree,
            error,
            own_settings_refused: None,
        }
    }
}

enum StatePaths {
    None,
    /// One repository: the file named.
    File(PathBuf),
    /// Several: one file per repository in the directory named.
    Dir(PathBuf),
}

impl StatePaths {
    fn of(&self, spec: &RepoSpec) -> Option<PathBuf> {
        match self {
            StatePaths::None => None,
            StatePaths::File(f) => Some(f.clone()),
            StatePaths::Dir(d) => Some(d.join(format!("{}.state", spec.file_stem()))),
        }
    }
}

/// What every repository of the run is scanned with.
struct Job<'a> {
    pipeline: &'a Pipeline,
    mirrors: Option<&'a Mirrors>,
    selection: &'a Selection,
    states: StatePaths,
    /// A progress bar on the terminal (one repository: its phases).
    progress: bool,
    /// The run names several repositories: reports say which one each warning is about.
    several: bool,
}

impl Job<'_> {
    /// A mirror has no work tree: its `.tokenwarden.toml` and `.tokenwardenignore` are read
    /// from HEAD's commit (as a work tree's are from disk; untrusted either way) and apply to
    /// it as they would to its clone. The warnings say what does not; the error, why none
    /// of them can.
    fn adopt_settings_at_head(
        &self,
        i: usize,
        mirror: &Path,
        head: Option<&str>,
        spec: &RepoSpec,
    ) -> std::result::Result<Vec<String>, String> {
        let Some(head) = head else {
            return Ok(Vec::new()); // an empty repository: nothing to read, nothing to scan
        };
        let read = |name: &str, max: u64| match git::revision::file_at(mirror, head, name, max) {
            Ok(None) => Ok(None),
            Ok(Some(bytes)) => Ok(Some((
                String::from_utf8_lossy(&bytes).into_owned(),
                format!("{name} at HEAD of {spec}"),
            ))),
            Err(e) => Err(format!("at HEAD of {spec}: {e}")), // `e` names the file
        };
        read(config::FILE_NAME, config::MAX_CONFIG_BYTES).and_then(|settings| {
            let ignore = read(IGNORE_FILE, MAX_IGNORE_FILE_BYTES)?;
            self.pipeline
                .adopt_settings_at_head(i, pair(&settings), pair(&ignore))
        })
    }

    /// Every target, `jobs` at a time, each on the pipeline's workers: concurrent scans
    /// share them rather than each starting its own. A line per repository as each ends
    /// when `report`.
    fn run_all(&self, targets: &[Target], jobs: usize, report: bool) -> Vec<Outcome> {
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..jobs.clamp(1, targets.len().max(1)) {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(target) = targets.get(i) else { break };
                        let started = Instant::now();
                        let out = self.scan(i, target);
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if report {
                            eprintln!(
                                "tokenwarden: [{n}/{}] {}: {}",
                                targets.len(),
                                target.spec,
                                said(&out, started)
                            );
                        }
                        results
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((i, out));
                    }
                });
            }
        });
        let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
        results.sort_by_key(|(i, _)| *i);
        results.into_iter().map(|(_, o)| o).collect()
    }

    /// Target `i` (the pipeline's root `i`): mirrored if named by URL, then scanned. A
    /// repository that cannot be is an outcome with its error, not a failed run.
    fn scan(&self, i: usize, target: &Target) -> Outcome {
        let spec = &target.spec;
        let mut run = RepositoryRun {
            name: spec.name.clone(),
            ..Default::default()
        };
        let mut warnings: Vec<String> = target
            .own_settings_refused
            .iter()
            .map(|why| own_settings_not_applied(why))
            .chain(self.pipeline.policy(i).left_out.iter().cloned())
            .collect();
        run.uri = match &spec.location {
            Location::Remote(url) => Some(url.uri()),
            Location::Local(p) => local_uri(p),
        };
        if let Some(why) = &target.error {
            return failed(run, why.clone());
        }
        let path = match (&spec.location, self.mirrors) {
            (Location::Local(p), _) => p.clone(),
            (Location::Remote(url), Some(mirrors)) => {
                match mirrors.ensure(&spec.file_stem(), &spec.name, &url.url) {
                    Ok(m) => {
                        warnings.extend(m.warning);
                        m.path
                    }
                    Err(why) => return failed(run, why),
                }
            }
            (Location::Remote(_), None) => return failed(run, "no mirror directory".into()),
        };
        let (head, branch) = git::head(&path);
        if matches!(spec.location, Location::Remote(_)) {
            match self.adopt_settings_at_head(i, &path, head.as_deref(), spec) {
                Ok(more) => warnings.extend(more),
                Err(why) if self.several => warnings.push(own_settings_not_applied(&why)),
                // Named alone, it fails closed, as a work tree's settings do.
                Err(why) => return failed(run, why),
            }
        }
        let root = Root::Repository(spec.name.clone());
        let progress: Box<dyn Progress> = match self.progress {
            true => self.pipeline.progress(false),
            false => Box::new(Silent),
        };
        let scanned = match self.states.of(spec) {
            Some(state) => scan_state(self.pipeline, i, &path, &state, &root, progress.as_ref()),
            None => scan_at(
                self.pipeline,
                i,
                &path,
                self.selection,
                &root,
                progress.as_ref(),
            ),
        };
        match scanned {
            Ok(mut out) => {
                (run.head, run.branch) = (head, branch);
                run.blobs_scanned = out.stats.files_scanned;
                run.bytes_scanned = out.stats.bytes_scanned;
                out.stats.warnings.extend(warnings);
                if self.several {
                    // Among a hundred repositories' warnings, each must say whose it is.
                    for w in &mut out.stats.warnings {
                        if !w.starts_with(&format!("{spec}: ")) {
                            *w = format!("{spec}: {w}");
                        }
                    }
                }
                run.warnings = out.stats.warnings.clone();
                out.repositories = vec![run];
                out
            }
            Err(e) => failed(run, e.to_string()),
        }
    }
}

/// A file's (text, origin) as borrowed strings.
fn pair(f: &Option<(String, String)>) -> Option<(&str, &str)> {
    f.as_ref().map(|(t, o)| (t.as_str(), o.as_str()))
}

fn own_settings_not_applied(why: &str) -> String {
    format!(
        "its own settings are not applied, so it was scanned with the built-in rules and what the command line names: {}",
        sanitize(why)
    )
}

/// A repository that could not be scanned: in the report's list with its reason, and a
/// warning.
fn failed(mut run: RepositoryRun, why: String) -> Outcome {
    let mut out = Outcome::default();
    out.stats.warnings.push(format!(
        "{}: not scanned: {}",
        sanitize(&run.name),
        sanitize(&why)
    ));
    run.error = Some(why);
    out.repositories.push(run);
    out
}

/// The progress line of one repository of many.
fn said(out: &Outcome, started: Instant) -> String {
    match out.repositories.first().and_then(|r| r.error.as_deref()) {
        Some(why) => format!("not scanned: {}", sanitize(why)),
        None => {
            let n = out.findings.len();
            format!(
                "{n} finding{}, {} blobs, {:.1}s",
                if n == 1 { "" } else { "s" },
                out.stats.files_scanned,
                started.elapsed().as_secs_f64()
            )
        }
    }
}

/// `history --state FILE` of the repository at `path` (the pipeline's root `i`), as
/// `scan_at` does the whole history.
fn scan_state(
    pipeline: &Pipeline,
    i: usize,
    path: &Path,
    state: &Path,
    root: &Root,
    progress: &dyn Progress,
) -> Result<Outcome> {
    let rules = pipeline.engine().matcher().rule_set().digest(i);
    let mut out = pipeline.install(|| {
        git::scan_incremental(
            path,
            state,
            &rules,
            &pipeline.scanner(i),
            pipeline.max_size(),
            &pipeline.allowed(i),
            progress,
        )
    })?;
    collapse::per_path(&mut out.findings);
    out.set_root(Default::default(), root);
    Ok(out)
}

/// `selection` of the repository at `path` (the pipeline's root `i`), on the pipeline's
/// threads, its findings named `root` and collapsed per path where history reports
/// introductions.
fn scan_at(
    pipeline: &Pipeline,
    i: usize,
    path: &Path,
    selection: &Selection,
    root: &Root,
    progress: &dyn Progress,
) -> Result<Outcome> {
    let mut out = pipeline.install(|| {
        git::scan_selection(
            path,
            selection,
            &pipeline.scanner(i),
            pipeline.max_size(),
            &pipeline.allowed(i),
            progress,
        )
    })?;
    if selection.finds_introductions() {
        collapse::per_path(&mut out.findings);
    }
    out.set_root(Default::default(), root);
    Ok(out)
}

/// `history --state FILE` of the pipeline's only repository, at `path`.
pub fn scan_incremental(
    pipeline: &Pipeline,
    path: &Path,
    state: &Path,
    quiet: bool,
) -> Result<Outcome> {
    let root = Root::Repository(display_path(path));
    scan_state(
        pipeline,
        0,
        path,
        state,
        &root,
        pipeline.progress(quiet).as_ref(),
    )
}

/// `selection` of the pipeline's only repository, at `path`, named as written.
pub fn scan_repository(
    pipeline: &Pipeline,
    path: &Path,
    selection: &Selection,
    quiet: bool,
) -> Result<Outcome> {
    let root = Root::Repository(display_path(path));
    scan_at(
        pipeline,
        0,
        path,
        selection,
        &root,
        pipeline.progress(quiet).as_ref(),
    )
}
