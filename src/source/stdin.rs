//! `tokenwarden scan -`: standard input as one blob named `<stdin>`.

use std::io::Read;

use crate::engine::{Engine, looks_binary};
use crate::error::{Error, Result};
use crate::outcome::{Outcome, SkipReason, Skipped};

pub const STDIN_PATH: &str = "<stdin>";

pub fn scan_stdin(engine: &Engine, max_size: u64, out: &mut Outcome) -> Result<()> {
    let fail = |e: std::io::Error| {
        Error::new(format!(
            "cannot read standard input: {}",
            crate::error::describe_io(&e)
        ))
    };
    let mut input = std::io::stdin().lock();
    let mut data = Vec::new();
    (&mut input)
        .take(max_size.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(fail)?;
    let reason = if data.len() as u64 > max_size {
        // Drain the rest so the size reported is the real one.
        let rest = std::io::copy(&mut input, &mut std::io::sink()).map_err(fail)?;
        Some(SkipReason::TooLarge {
            size: data.len() as u64 + rest,
            limit: max_size,
        })
    } else if looks_binary(&data) {
        Some(SkipReason::Binary)
    } else {
        None
    };
    match reason {
        Some(reason) => out.stats.skipped.push(Skipped {
            path: STDIN_PATH.into(),
            reason,
        }),
        None => {
            out.stats.files_scanned += 1;
            out.stats.bytes_scanned += data.len() as u64;
            out.findings.extend(engine.scan_blob(STDIN_PATH, &data));
        }
    }
    Ok(())
}
