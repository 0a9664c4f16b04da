//! Scans one blob end to end: match, locate, filter by confidence. Every source (files,
//! stdin, git) goes through here.

use crate::finding::{Confidence, Finding};
use crate::locate::locate;
use crate::matcher::Matcher;

pub struct Engine {
    pub matcher: Matcher,
    pub min_confidence: Confidence,
    pub redact: bool,
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
        locate(
            data,
            path,
            &matches,
            self.min_confidence,
            self.matcher.rules(),
            self.redact,
        )
    }
}
