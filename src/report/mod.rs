//! Output formats. Each reporter gets the finished, sorted, already-redacted outcome.

pub mod github;
mod gitlab;
mod json;
pub(crate) mod sarif;
mod text;
pub mod vocabulary;

use std::io::{self, Write};

use crate::outcome::Outcome;

pub use json::{finding_json, stats_json};
pub use sarif::SARIF_SCHEMA_URI;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    /// GitLab's secret detection report.
    Gitlab,
}

pub struct ReportContext {
    pub color: bool,
    pub verbose: bool,
}

pub fn write(
    format: Format,
    w: &mut dyn Write,
    out: &Outcome,
    cx: &ReportContext,
) -> io::Result<()> {
    match format {
        Format::Text => text::write(w, out, cx),
        Format::Json => json::write(w, out),
        Format::Sarif => sarif::write(w, out),
        Format::Gitlab => gitlab::write(w, out),
    }
}

/// The one-line summary shown after text output and on stderr for machine formats.
pub fn summary(out: &Outcome, verbose: bool) -> String {
    let s = &out.stats;
    let n = out.reported().count();
    let mut by_conf = Vec::new();
    for c in ["high", "medium", "low"] {
        let k = out
            .reported()
            .filter(|f| f.confidence.as_str() == c)
            .count();
        if k > 0 {
            by_conf.push(format!("{k} {c}"));
        }
    }
    let mut line = format!(
        "{n} finding{}{} in {} {}{} ({}) in {:.2}s",
        plural(n),
        if by_conf.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_conf.join(", "))
        },
        s.files_scanned,
        match s.unit {
            crate::outcome::Unit::File => "file",
            crate::outcome::Unit::Blob => "blob",
        },
        plural(s.files_scanned as usize),
        crate::size::human_bytes(s.bytes_scanned),
        s.elapsed.as_secs_f64()
    );
    let suppressed = out.suppressed().count();
    if suppressed > 0 {
        line.push_str(&format!("; {suppressed} suppressed"));
    }
    if !s.skipped.is_empty() {
        let parts: Vec<String> = s
            .skipped_by_reason()
            .iter()
            .map(|(k, v)| format!("{v} {}", k.replace('_', " ")))
            .collect();
        line.push_str(&format!(
            "; skipped {}: {}",
            s.skipped.len(),
            parts.join(", ")
        ));
        if !verbose {
            line.push_str(" (--verbose lists them)");
        }
    }
    line
}

/// How the user can run this program again, for hints: `tokenwarden` when that name finds
/// this binary on PATH, else the path it was started by (a pre-commit environment, an
/// unpacked release, `target/release/tokenwarden`).
pub fn command_name() -> String {
    let Some(argv0) = std::env::args_os().next() else {
        return "tokenwarden".into();
    };
    let started = std::path::PathBuf::from(&argv0);
    if started.components().count() <= 1 {
        return "tokenwarden".into(); // found through PATH already
    }
    let on_path = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            let candidate = dir.join("tokenwarden");
            candidate.exists()
                && std::fs::canonicalize(&candidate).ok() == std::fs::canonicalize(&started).ok()
        })
    });
    if on_path {
        "tokenwarden".into()
    } else {
        crate::escape::sanitize(&started.display().to_string())
    }
}

/// Markdown as plain text for a terminal or SARIF `help.text`: emphasis and code marks
/// dropped, links written as `text (url)`.
pub fn plain_text(md: &str) -> String {
    let mut out = md.trim().replace("**", "").replace('`', "");
    // [text](url) → text (url)
    while let Some(open) = out.find("](") {
        let Some(start) = out[..open].rfind('[') else {
            break;
        };
        let Some(close) = out[open + 2..].find(')') else {
            break;
        };
        let url = out[open + 2..open + 2 + close].to_string();
        let text = out[start + 1..open].to_string();
        out.replace_range(start..open + 3 + close, &format!("{text} ({url})"));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
