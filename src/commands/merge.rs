//! `tokenwarden merge`: shard reports → one list of incidents.

use std::io::Write;

use crate::cli::{MergeArgs, MergeFormat};
use crate::error::Result;
use crate::merge::{self, Merged};
use crate::pipeline::{EXIT_CLEAN, EXIT_FINDINGS, write_output};

pub fn run(args: MergeArgs) -> Result<i32> {
    let mut merged = Merged::default();
    for path in &args.reports {
        merged.absorb(Merged::read(path)?);
    }
    let body = match args.format {
        MergeFormat::Json => {
            let mut s = serde_json::to_string_pretty(&merged.to_json()).unwrap_or_default();
            s.push('\n');
            s
        }
        MergeFormat::Markdown => merge::markdown(&merged),
        MergeFormat::Text => merge::text(&merged),
    };
    write_output(args.output.as_deref(), |w: &mut dyn Write| {
        w.write_all(body.as_bytes())
    })?;
    if !matches!(args.format, MergeFormat::Text) || args.output.is_some() {
        eprintln!("tokenwarden: {}", merge::summary(&merged));
    }
    Ok(if merged.incidents.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}
