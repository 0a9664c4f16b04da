//! One module per subcommand; each returns the process exit code.

mod audit;
mod github_action;
mod history;
mod install_hook;
mod output;
mod rules;
mod scan;
mod staged;

use crate::cli::{BaselineCommand, Cli, Command};
use crate::error::Result;

pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;

pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Staged(args) => staged::run(args),
        Command::History(args) => history::run(args),
        Command::InstallHook(args) => install_hook::run(args),
        Command::GithubAction(args) => github_action::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Baseline(BaselineCommand::Create(args)) => scan::create_baseline(args),
    }
}
