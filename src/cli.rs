//! Command-line interface. The flags here are a contract users' scripts depend on.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use std::time::Duration;

use crate::finding::Confidence;
use crate::pipeline::ReportTarget;
use crate::report::Format;
use crate::settings::{Settings, VerifySettings};
use crate::size::parse_size;
use crate::verify;

const AFTER_HELP: &str = "\
Exit codes: 0 no findings, 1 findings, 2 error.

Examples:
  tokenwarden scan .                        scan the current directory
  tokenwarden scan --format sarif -o tw.sarif .
  cat app.log | tokenwarden scan -          scan standard input
  tokenwarden rules list --verbose          rules with their remediation";

#[derive(Parser, Debug)]
#[command(
    name = "tokenwarden",
    version,
    about = "Find leaked Okta API tokens (SSWS) and secrets in URLs.",
    long_about = "Find leaked Okta API tokens (SSWS) and secrets in URLs, with remediation that \
                  tells you how to revoke a token and move to OAuth 2.0 client credentials.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan files and directories (default: the current directory).
    #[command(after_help = "\
Directories are walked in parallel. .gitignore and .ignore files are respected (--no-ignore \
to scan ignored files too); hidden files such as .env are scanned; .git directories never are. \
Binary files (a NUL byte in the first 8 KiB), files over --max-file-size, symbolic links and \
special files are skipped and counted in the summary (--verbose lists them).

Settings are read from .tokenwarden.toml in the scanned directory, or --config FILE.")]
    Scan(ScanArgs),
    /// Scan what `git commit` is about to record (the pre-commit hook runs this).
    #[command(after_help = "\
Compares the index with HEAD (works before the first commit, in linked worktrees and with \
core.hooksPath) and reports only secrets on lines the staged change adds, with line numbers \
of the staged version. Only changed blobs are read.")]
    Staged(StagedArgs),
    /// Scan git history: every blob reachable from any ref, or the commits of a range.
    #[command(after_help = "\
Without --range: every blob reachable from any ref (branches, tags, remotes, stash) is scanned \
once, and each secret is reported once per path, at the oldest commit that introduced it there (a \
commit whose tree has a blob holding it at that path where its parents did not); later commits \
that introduced it again (a regenerated file, a cherry-pick) are listed on the finding \
(JSON/SARIF `reintroduced_in`). Commit messages and annotated tag messages are scanned too \
(paths `<commit message>` and `<tag message>`; for a tag, `commit` is the tag object). With \
--branch REF, the only tags scanned are those REF itself names.

With --range BASE..HEAD (the pull-request view): every commit in `git rev-list BASE..HEAD` is \
diffed against its parents and only added lines are reported, attributed to the commit that \
added them. For merges, a line counts as added only if it is new relative to every parent.

Shallow clones are scanned as far as they go, with a warning.

Many repositories (an organization): name several, or list them with --repos FILE. Clone URLs \
are mirrored with git itself (credentials come from git's credential helpers; a URL with a \
password is refused). Each finding names its repository; SARIF has one run per repository. A \
repository that cannot be cloned or read is reported and the others are still scanned (exit 2 \
only when none could be). Split a long list over N workers with --shard K/N and combine their \
JSON reports with `tokenwarden merge`:

  tokenwarden history --repos repos.txt --shard 1/4 --format json -o report-1.json
  tokenwarden merge report-*.json --format markdown")]
    History(HistoryArgs),
    /// Install tokenwarden's pre-commit hook into a repository.
    #[command(after_help = "\
Writes the hook into the repository's effective hooks directory (core.hooksPath if set, else \
.git/hooks). Running it again is harmless; an existing different pre-commit hook is kept unless \
--force.")]
    InstallHook(InstallHookArgs),
    /// List the detection rules or test rule files against their examples.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Run as a GitHub Actions step (used by action.yml): scan what the workflow event
    /// names, write SARIF, annotations, a job summary and step outputs.
    #[command(after_help = "\
Reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_WORKSPACE, GITHUB_OUTPUT and \
GITHUB_STEP_SUMMARY.

  pull_request, pull_request_target   the PR's commits: history --range base.sha..head.sha
  push                                before..after (a new branch: its whole history)
  workflow_dispatch, schedule, other  the whole history

A shallow checkout is deepened with `git fetch --unshallow origin`; if that fails, the run stops \
with a message to use `fetch-depth: 0` in actions/checkout. Outputs: findings=<count> and \
sarif-file=<path>. --format and --output do not apply here.")]
    GithubAction(GithubActionArgs),
    /// Inventory of static Okta token usage (even with no literal token) and a migration
    /// plan to OAuth 2.0 client credentials.
    #[command(after_help = "\
Finds SSWS headers built in code, SDKs configured with a token (okta.yaml, OKTA_CLIENT_TOKEN, \
the Java, .NET, Node, Python, Go, Ruby and PowerShell clients), Terraform `provider \"okta\"` \
with api_token, and CI secrets named like Okta tokens. For each component (top-level directory) it \
lists the Management API endpoints the code calls and the OAuth scopes its service app needs. \
--format markdown writes a migration report for a ticket.

Usage alone never fails the run (exit 0) unless --fail-on-usage; leaked tokens found on the way \
exit 1 as in `scan`.")]
    Audit(AuditArgs),
    /// Revoke leaked Okta API tokens that are still live, with the tokens themselves.
    #[command(after_help = "\
Re-finds the tokens of a JSON report (or the --fingerprint values) in PATH (the directory or \
repository the report was made of; its git history too when the files no longer hold them), \
checks each with its org (the same rules as --verify: orgs named with --okta-org / OKTA_ORG_URL, \
and Okta-hosted orgs named next to the token), shows what will be revoked (org, owner, admin \
roles, impact, where it leaked), asks for confirmation, then revokes each live token with \
DELETE /api/v1/api-tokens/current (a token may revoke itself: nobody logs in) and checks that \
it no longer works.

  tokenwarden scan --format json -o report.json .
  tokenwarden revoke report.json .             # asks before revoking
  tokenwarden revoke --fingerprint 864b1843d158f1e22dc43886 --yes .
  tokenwarden revoke report.json --dry-run     # the plan, no DELETE sent

Revoking breaks whatever still uses the token: a leaked token is compromised anyway, so \
replace it with an OAuth 2.0 service app (client credentials, private_key_jwt). Client \
secrets and private keys are rotated in the Admin Console (the app's General tab).

Exit code: 0 when every live token is now revoked (or none was live), 1 when one could not \
be revoked, 2 on an error or a refused confirmation.")]
    Revoke(RevokeArgs),
    /// Combine JSON reports (the shards of an organization's scan) into one list of
    /// incidents: one per leaked secret, with every place it appears.
    #[command(after_help = "\
Reads JSON reports of `history`, `scan` or `github-action` runs, or earlier `merge --format json` \
outputs (merging is associative: merged reports merge again to the same result). Findings are \
joined by fingerprint (the same rule and secret) into incidents: every repository, path and \
commit where the secret appears, the earliest commit date, whether it is still at HEAD anywhere, \
and the best verification any run had (live first). Secrets are always redacted.

  tokenwarden history --repos repos.txt --shard 1/2 --format json -o report-1.json
  tokenwarden history --repos repos.txt --shard 2/2 --format json -o report-2.json
  tokenwarden merge report-*.json --format markdown >> \"$GITHUB_STEP_SUMMARY\"

Exit codes: 0 no incident, 1 incidents, 2 error (a report that cannot be read).")]
    Merge(MergeArgs),
    /// Record today's findings so that later runs with --baseline fail only on new ones.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Print a shell completion script: tokenwarden completions bash > /etc/bash_completion.d/tokenwarden
    #[command(after_help = "\
bash:        tokenwarden completions bash > ~/.local/share/bash-completion/completions/tokenwarden
zsh:         tokenwarden completions zsh > \"${fpath[1]}/_tokenwarden\"
fish:        tokenwarden completions fish > ~/.config/fish/completions/tokenwarden.fish
PowerShell:  tokenwarden completions powershell >> $PROFILE")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on standard output: tokenwarden man > tokenwarden.1
    #[command(hide = true)]
    Man,
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// JSON reports to combine.
    #[arg(value_name = "REPORT.json", required = true)]
    pub reports: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = MergeFormat::Text)]
    pub format: MergeFormat,

    /// Write the merged report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum MergeFormat {
    Text,
    /// {"version", "incidents", "repositories", "stats"}: what `merge` reads back.
    Json,
    /// For a job summary or a ticket: incidents by severity, live first.
    Markdown,
}

#[derive(Args, Debug)]
pub struct RevokeArgs {
    /// REPORT.json (a JSON report of `scan` or `history`), then PATH, the directory or
    /// repository the report was made of [default: .]. With --fingerprint: PATH only.
    #[arg(value_name = "REPORT.json | PATH", num_args = 0..=2)]
    pub args: Vec<PathBuf>,

    /// Revoke the token with this fingerprint (as reports show it); repeatable.
    #[arg(long = "fingerprint", value_name = "FP")]
    pub fingerprints: Vec<String>,

    /// Revoke without asking (needed when standard input is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Show what would be revoked; send no revocation.
    #[arg(long)]
    pub dry_run: bool,

    /// An Okta org the tokens may belong to, e.g. https://acme.okta.com (repeatable).
    #[arg(long = "okta-org", value_name = "URL")]
    pub okta_orgs: Vec<String>,

    /// Seconds before a request to an org gives up.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,

    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Subcommand, Debug)]
pub enum BaselineCommand {
    /// Scan like `tokenwarden scan` and write the findings as a JSON baseline
    /// (default .tokenwarden-baseline.json; -o to choose). Exits 0 whatever it finds.
    Create(BaselineCreateArgs),
}

#[derive(Args, Debug)]
pub struct BaselineCreateArgs {
    /// Replace an existing baseline file (without it, an existing file is an error).
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` reads standard input (shown as <stdin>).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Also scan files excluded by .gitignore, .ignore and git's exclude files.
    #[arg(long)]
    pub no_ignore: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug)]
pub struct StagedArgs {
    /// The repository (any directory inside its work tree).
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub repo: PathBuf,

    /// The files the pre-commit framework passes. When they are all staged (an ordinary
    /// commit), only the lines the commit adds are checked, as without them; when some are
    /// not (`pre-commit run --all-files`, `--files`), the files are scanned whole, as they
    /// are on disk (pre-commit has stashed unstaged changes).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// Repositories [default: .]: each a local repository (a work tree, any directory
    /// inside one, or a bare repository) or a clone URL (https://, ssh://, git://, file://,
    /// git@host:org/repo), which is mirrored into --mirror-dir.
    #[arg(value_name = "REPO")]
    pub repositories: Vec<PathBuf>,

    /// Also scan the repositories listed in FILE: one path or clone URL per line, `#`
    /// comments; `-` reads standard input.
    #[arg(
        long = "repos",
        value_name = "FILE",
        help_heading = "Many repositories"
    )]
    pub list: Option<PathBuf>,

    /// Keep the mirrors of clone URLs in DIR (made with `git clone --mirror`, refreshed
    /// with `git fetch --prune`) [default: tokenwarden/mirrors in the user's cache
    /// directory].
    #[arg(long, value_name = "DIR", help_heading = "Many repositories")]
    pub mirror_dir: Option<PathBuf>,

    /// Give up a `git clone` or `git fetch` of a clone URL after SECONDS (the repository
    /// is reported not scanned, or scanned as last fetched); 0: never.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 1800,
        help_heading = "Many repositories"
    )]
    pub clone_timeout: u64,

    /// Scan this many repositories at once. They share the --threads workers, so more jobs
    /// never means more threads: they keep the workers busy while a repository is cloned
    /// or its commits are walked.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64), help_heading = "Many repositories")]
    pub jobs: u16,

    /// Scan only shard K of N (1 <= K <= N): the repositories whose normalized name hashes
    /// to it. N runs with K = 1..N scan each repository of the list exactly once; `merge`
    /// combines their JSON reports.
    #[arg(long, value_name = "K/N", value_parser = crate::repos::Shard::parse, help_heading = "Many repositories")]
    pub shard: Option<crate::repos::Shard>,

    /// Only what this branch, tag or commit reaches (default: every ref).
    #[arg(long, value_name = "REF", conflicts_with = "range")]
    pub branch: Option<String>,

    /// Only lines added by the commits in BASE..HEAD (as `git rev-list BASE..HEAD`); one
    /// repository only.
    #[arg(long, value_name = "BASE..HEAD")]
    pub range: Option<String>,

    /// Incremental: read what an earlier run covered from PATH, scan only new commits and
    /// blobs, report every finding (those of new commits marked `new`), and save PATH for
    /// the next run. PATH is a file for one repository named on the command line, and a
    /// directory of one state per repository with --repos, --shard or several
    /// repositories. A missing, damaged or foreign state, or other rules or another
    /// tokenwarden version, means a full scan (with a notice).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["range", "branch"])]
    pub state: Option<PathBuf>,

    /// With --state: report only the findings of commits the state had not covered.
    #[arg(long, requires = "state")]
    pub new_only: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Directories or files to audit.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 when static-token usage is found (for CI gates once a migration is done).
    #[arg(long)]
    pub fail_on_usage: bool,

    /// Also write the plan's service apps as code: `--emit terraform DIR` writes
    /// DIR/okta-service-apps.tf (okta provider): per component an API service app with
    /// private_key_jwt, its scopes, a custom admin role, a resource set and the role
    /// assignment.
    #[arg(long, num_args = 2, value_names = ["KIND", "DIR"])]
    pub emit: Option<Vec<PathBuf>>,

    /// Also count these classes of evidence toward components and scopes (by default only
    /// production code and configuration do; tests, recorded fixtures, docs and endpoint
    /// catalogues are summarised separately).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "CLASS")]
    pub include_evidence: Vec<EvidenceClass>,

    /// Also audit files excluded by .gitignore, .ignore and git's exclude files.
    #[arg(long)]
    pub no_ignore: bool,

    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvidenceClass {
    /// Tests and recorded HTTP fixtures (VCR cassettes, HAR, testdata/, *_test.*).
    Tests,
    /// Docs and examples (docs/, examples/, Markdown, notebooks, *.sample).
    Docs,
    /// Files naming hundreds of endpoints (API descriptions, rate-limit tables).
    Catalogues,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum AuditFormat {
    Text,
    Json,
    Markdown,
    /// Leak findings plus one note-level result per usage site, for code scanning.
    Sarif,
}

#[derive(Args, Debug)]
pub struct GithubActionArgs {
    /// Where to write the SARIF file [default: $RUNNER_TEMP/tokenwarden.sarif, else
    /// ./tokenwarden.sarif].
    #[arg(long, value_name = "FILE")]
    pub sarif_file: Option<PathBuf>,

    /// After the scan, revoke the API tokens verified live (implies --verify), with the
    /// tokens themselves: on a push to the default branch and on scheduled runs only.
    /// Whatever still uses such a token breaks; the results go to the job summary.
    #[arg(long)]
    pub revoke_live: bool,

    /// For runs that scan the whole history (schedule, workflow_dispatch): read and save
    /// an incremental state in FILE, as `history --state` does (action.yml caches it).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    #[command(flatten)]
    pub settings: ScanSettings,
}

#[derive(Args, Debug)]
pub struct InstallHookArgs {
    /// The repository (any directory inside its work tree).
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub repo: PathBuf,

    /// Replace an existing pre-commit hook that is not tokenwarden's.
    #[arg(long)]
    pub force: bool,
}

/// Flags shared by the scanning commands that write a report where the user says.
#[derive(Args, Debug)]
pub struct CommonArgs {
    #[command(flatten)]
    pub report: ReportArgs,

    #[command(flatten)]
    pub settings: ScanSettings,
}

/// Where the report goes and in what form (`github-action` decides these itself).
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,

    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Never color the output (also honored: a non-empty NO_COLOR environment variable,
    /// and TERM=dumb).
    #[arg(long)]
    pub no_color: bool,

    /// Print nothing when there is nothing to report (text format): for hooks and scripts
    /// that only look at the exit code. Findings, warnings and errors are still shown.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Skipping large inputs (every command that reads files or blobs).
#[derive(Args, Debug)]
pub struct LimitArgs {
    /// Skip files and blobs larger than this: bytes, or with a K, M or G suffix (powers of
    /// 1024).
    #[arg(long, value_name = "SIZE", default_value = "25M", value_parser = parse_size)]
    pub max_file_size: u64,
}

/// What to find and how to treat it: every scanning command.
#[derive(Args, Debug)]
pub struct ScanSettings {
    #[command(flatten)]
    pub limits: LimitArgs,

    /// Show secrets in full. By default every output shows only the first characters.
    #[arg(long)]
    pub no_redact: bool,

    /// Report findings at this confidence or above [default: medium, or min_confidence in
    /// the config]. high: the token is sent with the SSWS scheme or assigned to an
    /// okta-named key; medium: a generic assignment in an Okta-related file, or a
    /// secret-named URL parameter; low: the bare token shape.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_confidence: Option<ConfidenceArg>,

    /// A previous JSON report (see `tokenwarden baseline create`): findings it lists (same
    /// fingerprint and path) are suppressed, so only new leaks fail the run.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Load extra rule files (*.toml) from DIR; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,

    /// Worker threads (default: number of CPUs).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,

    /// Read settings from FILE instead of .tokenwarden.toml in the scanned directory.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// List skipped files with the reason.
    #[arg(short, long)]
    pub verbose: bool,

    /// Ask each Okta token's org whether the token is live (network; off by default).
    /// Tokens are sent only to orgs given with --okta-org / OKTA_ORG_URL / [verify] orgs,
    /// and to Okta-hosted orgs (*.okta.com, *.oktapreview.com, *.okta-emea.com,
    /// *.okta-gov.com, *.okta.mil) named in the same file; never to any other host.
    #[arg(long, help_heading = "Verification")]
    pub verify: bool,

    /// An Okta org to verify tokens against, e.g. https://acme.okta.com (repeatable).
    /// https only; http only for loopback addresses.
    #[arg(long = "okta-org", value_name = "URL", help_heading = "Verification")]
    pub okta_orgs: Vec<String>,

    /// Seconds before a verification request gives up.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 10,
        help_heading = "Verification"
    )]
    pub verify_timeout: u64,

    /// Verification requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64), help_heading = "Verification")]
    pub verify_concurrency: u16,

    /// At most N verification requests in the whole run, retries included. Findings left
    /// unchecked when they run out are reported unverified ("budget exhausted"), with a
    /// warning. A real leak is a few tokens: hundreds are usually test fixtures, or a tree
    /// written to make the scan flood an org.
    #[arg(long, value_name = "N", default_value_t = verify::DEFAULT_MAX_REQUESTS, value_parser = clap::value_parser!(u32).range(1..=100_000), help_heading = "Verification")]
    pub verify_max_requests: u32,

    /// At most SECONDS spent waiting out rate limits (HTTP 429) in the whole run, summed
    /// over all requests; each wait is also at most 30 s. A 429 asking for more than is
    /// left is not waited for: that token and all not yet checked are reported unverified
    /// ("budget exhausted"), with a warning. 0: never wait.
    #[arg(long, value_name = "SECONDS", default_value_t = verify::DEFAULT_MAX_WAIT_SECS, value_parser = clap::value_parser!(u64).range(..=3600), help_heading = "Verification")]
    pub verify_max_wait: u64,

    /// Report only findings verified live, and those the verification budget left
    /// unchecked (implies --verify). The exit code stays 1 if any finding is reported.
    #[arg(long, help_heading = "Verification")]
    pub only_live: bool,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Print the rules (built-in plus --rules DIR).
    List {
        /// Only these rule ids.
        #[arg(value_name = "ID")]
        ids: Vec<String>,
        /// Load extra rule files from DIR; repeatable.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
        /// Include description, contexts and remediation.
        #[arg(short, long)]
        verbose: bool,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Check that every rule finds its examples and none of its negative examples.
    /// With DIR, checks the rule files in DIR (alongside the built-in rules).
    /// Exit code 1 if any check fails.
    Check {
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Quote example secrets in full in failure messages (redacted by default).
        #[arg(long)]
        no_redact: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FormatArg {
    Text,
    Json,
    Sarif,
    /// GitLab's secret detection report (gl-secret-detection-report.json).
    Gitlab,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Text => Format::Text,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Gitlab => Format::Gitlab,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ConfidenceArg {
    High,
    Medium,
    Low,
}

impl From<ConfidenceArg> for Confidence {
    fn from(c: ConfidenceArg) -> Confidence {
        match c {
            ConfidenceArg::High => Confidence::High,
            ConfidenceArg::Medium => Confidence::Medium,
            ConfidenceArg::Low => Confidence::Low,
        }
    }
}

impl ScanSettings {
    /// The run's settings: these flags and the environment (`OKTA_ORG_URL`), resolved once.
    pub fn resolve(&self) -> Settings {
        let verifying = self.verify || self.only_live;
        if !self.okta_orgs.is_empty() && !verifying {
            // Said, not refused: scripts pass the org always and switch --verify.
            eprintln!(
                "tokenwarden: warning: --okta-org is used only with --verify or --only-live; \
                 no token is checked in this run"
            );
        }
        let verify = verifying.then(|| VerifySettings {
            orgs: crate::settings::named_orgs(&self.okta_orgs),
            timeout: Duration::from_secs(self.verify_timeout.max(1)),
            concurrency: usize::from(self.verify_concurrency),
            max_requests: self.verify_max_requests,
            max_wait: Duration::from_secs(self.verify_max_wait),
            only_live: self.only_live,
        });
        Settings {
            max_file_size: self.limits.max_file_size,
            redact: !self.no_redact,
            min_confidence: self.min_confidence.map(Confidence::from),
            baseline: self.baseline.clone(),
            rule_dirs: self.rules.clone(),
            threads: self
                .threads
                .map(usize::from)
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
            config: self.config.clone(),
            verbose: self.verbose,
            verify,
        }
    }
}

impl From<&ReportArgs> for ReportTarget {
    fn from(a: &ReportArgs) -> Self {
        ReportTarget {
            format: a.format.into(),
            output: a.output.clone(),
            // NO_COLOR counts when set and not empty (no-color.org); a dumb terminal
            // cannot show colour either.
            color: !a.no_color
                && !anstyle_query::no_color()
                && anstyle_query::term_supports_color(),
            quiet: a.quiet,
        }
    }
}
