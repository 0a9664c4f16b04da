//! Output formats. Each reporter gets the finished, sorted, already-redacted outcome.

pub mod github;
mod gitlab;
mod json;
mod markdown;
pub(crate) mod sarif;
mod summary;
mod text;
pub mod vocabulary;

use std::io::{self, Write};

use crate::outcome::Outcome;

pub use json::{finding_json, stats_json};
pub use markdown::plain_text;
pub use sarif::SARIF_SCHEMA_URI;
pub use summary::summary;
pub use text::ReportContext;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    /// GitLab's secret detection report.
    Gitlab,
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
