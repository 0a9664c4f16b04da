//! One module per subcommand; each returns the process exit code. A scanning command is
//! plan → source → pipeline: it decides what to read, hands the source the pipeline's
//! scanner, and lets the pipeline settle and report.

mod audit;
mod docs;
mod github_action;
mod history;
mod install_hook;
mod merge;
mod revoke;
mod rules;
mod scan;
mod staged;

use crate::cli::{BaselineCommand, Cli, Command};
use crate::error::Result;

pub use crate::pipeline::{EXIT_CLEAN, EXIT_FINDINGS};

pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Staged(args) => staged::run(args),
        Command::History(args) => history::run(args),
        Command::InstallHook(args) => install_hook::run(args),
        Command::GithubAction(args) => github_action::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Revoke(args) => revoke::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Baseline(BaselineCommand::Create(args)) => scan::create_baseline(args),
        Command::Completions { shell } => docs::completions(shell),
        Command::Man => docs::man(),
    }
}
