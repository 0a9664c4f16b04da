//! `tokenwarden scan -`: standard input as one input named `<stdin>`, scanned in windows
//! like a file, so a stream of any length takes bounded memory.

use crate::engine::Engine;
use crate::error::Result;
use crate::outcome::{Outcome, Skipped};

use super::text::scan_input;

pub const STDIN_PATH: &str = "<stdin>";

pub fn scan_stdin(engine: &Engine, max_size: u64, out: &mut Outcome) -> Result<()> {
    let mut buf = Vec::new();
    let mut input = std::io::stdin().lock();
    match scan_input(engine, STDIN_PATH, &mut input, max_size, &mut buf) {
        Ok(scanned) => {
            out.stats.files_scanned += 1;
            out.stats.bytes_scanned += scanned.bytes;
            out.findings.extend(scanned.findings);
        }
        Err(reason) => out.stats.skipped.push(Skipped {
            path: STDIN_PATH.into(),
            reason,
        }),
    }
    Ok(())
}
