//! One module per subcommand; each returns the process exit code.

mod output;
mod rules;
mod scan;

use crate::cli::{Cli, Command};
use crate::error::Result;

pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;

pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Rules(cmd) => rules::run(cmd),
    }
}
