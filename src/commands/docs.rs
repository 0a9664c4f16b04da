//! `tokenwarden completions SHELL` and the manual page, both generated from the command-line
//! definition so they never drift from `--help`.

use std::io::{self, Write};

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::{Error, Result};
use crate::pipeline::EXIT_CLEAN;

pub fn completions(shell: clap_complete::Shell) -> Result<i32> {
    let mut cmd = Cli::command();
    let mut out = io::stdout().lock();
    clap_complete::generate(shell, &mut cmd, "tokenwarden", &mut out);
    out.flush()
        .map_err(|e| Error::new(format!("cannot write the completion script: {e}")))?;
    Ok(EXIT_CLEAN)
}

pub fn man() -> Result<i32> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .and_then(|()| io::stdout().lock().write_all(&buf))
        .map_err(|e| Error::new(format!("cannot write the manual page: {e}")))?;
    Ok(EXIT_CLEAN)
}
