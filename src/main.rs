#![forbid(unsafe_code)]

use clap::Parser;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use tokenwarden::cli::Cli;
use tokenwarden::commands;
use tokenwarden::escape::sanitize;
use tokenwarden::finding::redact;
use tokenwarden::scrub::scrub_builtin;

const EXIT_ERROR: i32 = 2;
/// Values of bad arguments shorter than this are quoted as given (no credential tokenwarden
/// knows is this short).
const SHOWN_VALUE_CHARS: usize = 8;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => usage_error(e),
    };
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Errors quote user input and repository content; never a raw secret.
            eprintln!(
                "tokenwarden: error: {}",
                sanitize(&scrub_builtin(&e.to_string()))
            );
            EXIT_ERROR
        }
    };
    std::process::exit(code);
}

/// clap's message for a bad value repeats the value, which may be a secret pasted into the
/// wrong flag: quote it redacted (where it is quoted: the value may also be a piece of a
/// word of the message). A value too short to be a credential is shown: `--shard 0/2`
/// must say what was wrong. Help and version go out as clap prints them.
fn usage_error(e: clap::Error) -> ! {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
        || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    {
        e.exit();
    }
    let mut text = e.render().to_string();
    if let Some(ContextValue::String(value)) = e.get(ContextKind::InvalidValue)
        && value.chars().count() >= SHOWN_VALUE_CHARS
    {
        let shown = redact(value);
        for quote in ["'", "`", "\""] {
            text = text.replace(
                &format!("{quote}{value}{quote}"),
                &format!("{quote}{shown}{quote}"),
            );
        }
    }
    eprint!("{}", scrub_builtin(&text));
    std::process::exit(EXIT_ERROR);
}
