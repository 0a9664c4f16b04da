//! Commit and tag messages: free text where secrets leak too (a token pasted into a
//! commit message), scanned like blobs though they are not files.

use crate::finding::Provenance;
use crate::outcome::{Outcome, Skipped};
use crate::source::{Blob, Data, Origin, Scanner};

/// The path reported for a secret found in a commit message (the commit is in the
/// finding's provenance).
pub const COMMIT_MESSAGE_PATH: &str = "<commit message>";

/// The path reported for a secret found in an annotated tag's message (the tag is in the
/// finding's provenance).
pub const TAG_MESSAGE_PATH: &str = "<tag message>";

/// Scans a commit or tag message like a blob at `path`, though it is not a file (it is not
/// counted as one). What it finds gets the provenance `provenance` makes; a message that
/// cannot be scanned is skipped as `<{object} message>`.
pub fn scan_message(
    scanner: &dyn Scanner,
    path: &str,
    object: &dyn std::fmt::Display,
    message: &[u8],
    provenance: impl FnOnce() -> Provenance,
    out: &mut Outcome,
) {
    match scanner.scan(Blob::new(path, Origin::Message, Data::Bytes(message))) {
        Ok(scanned) if scanned.findings.is_empty() => {}
        Ok(scanned) => {
            let prov = provenance();
            out.findings
                .extend(scanned.findings.into_iter().map(|mut f| {
                    f.provenance = Some(prov.clone());
                    f
                }));
        }
        Err(reason) => out
            .stats
            .skipped
            .push(Skipped::new(format!("<{object} message>"), reason)),
    }
}
