//! Scans one blob end to end: match, locate, filter by confidence. Every source (files,
//! stdin, git) goes through here.

use crate::finding::{Confidence, Finding};
use crate::locate::locate;
use crate::matcher::Matcher;
use crate::verify::{VerifyInput, orgs};

pub struct Engine {
    pub matcher: Matcher,
    pub min_confidence: Confidence,
    pub redact: bool,
    /// Keep each verifiable token (in memory only) for `--verify`.
    pub verify: bool,
}

/// A NUL byte in the first 8 KiB marks a binary file, as git and ripgrep decide.
pub fn looks_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(8192)]).is_some()
}

impl Engine {
    pub fn scan_blob(&self, path: &str, data: &[u8]) -> Vec<Finding> {
        let matches = self.matcher.find(data, path);
        if matches.iter().all(|m| m.confidence < self.min_confidence) {
            return Vec::new();
        }
        let mut found = locate(
            data,
            path,
            &matches,
            self.min_confidence,
            self.matcher.rules(),
            self.redact,
        );
        if self.verify {
            let reported = matches
                .iter()
                .filter(|m| m.confidence >= self.min_confidence);
            let mut discovered: Option<Vec<String>> = None;
            for (f, m) in found.iter_mut().zip(reported) {
                if self.matcher.rules()[m.rule].verify.is_some() {
                    let orgs = discovered
                        .get_or_insert_with(|| orgs::discover(data))
                        .clone();
                    f.verify_input = Some(VerifyInput {
                        token: String::from_utf8_lossy(&m.secret).into_owned(),
                        discovered_orgs: orgs,
                    });
                }
            }
        }
        found
    }
}
