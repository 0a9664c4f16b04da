use clap::Parser;

use tokenwarden::cli::Cli;
use tokenwarden::commands;

const EXIT_ERROR: i32 = 2;

fn main() {
    let cli = Cli::parse();
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tokenwarden: error: {e}");
            EXIT_ERROR
        }
    };
    std::process::exit(code);
}
