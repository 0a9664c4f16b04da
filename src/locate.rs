//! Turns matcher output (byte spans) into findings people can read: line and column,
//! redacted secret, redacted snippet, fingerprint.

use memchr::memchr2;

use crate::escape::sanitize;
use crate::finding::{Finding, fingerprint, redact};
use crate::matcher::Match;
use crate::rules::Rule;

/// Lines longer than this are shown as a window around the secret (minified files).
const SNIPPET_MAX: usize = 240;
const SNIPPET_CONTEXT: usize = 90;

/// Findings for the matches `report` selects. `matches` must be sorted by `start` (as
/// `Matcher::find` returns them) and include the unselected ones: they are still redacted
/// in snippets.
pub fn locate(
    blob: &[u8],
    path: &str,
    matches: &[Match],
    report: &dyn Fn(&Match) -> bool,
    rules: &[Rule],
    redacted: bool,
) -> Vec<Finding> {
    let mut lines = LineCursor::default();
    matches
        .iter()
        .filter(|m| report(m))
        .map(|m| {
            let (line, line_start) = lines.advance(blob, m.start);
            let line_end =
                memchr2(b'\n', b'\r', &blob[m.start..]).map_or(blob.len(), |i| m.start + i);
            let column = char_count(&blob[line_start..m.start]) + 1;
            let end_column = column + char_count(&blob[m.start..m.end]);
            let rule = &rules[m.rule];
            Finding {
                root: Default::default(),
                rule_id: rule.info.id.clone(),
                confidence: m.confidence,
                path: path.to_string(),
                line,
                column,
                end_column,
                secret: match rule.credential {
                    // A private key is named by its header and public key, never shown.
                    Some(crate::credential::Kind::OktaPrivateKey) if redacted => {
                        crate::keys::describe(&key_text(blob, m))
                            .unwrap_or_else(|| show_secret(&blob[m.start..m.end], redacted))
                    }
                    _ => show_secret(&blob[m.start..m.end], redacted),
                },
                fingerprint: fingerprint(&rule.info.id, &m.secret),
                snippet: snippet(blob, line_start, line_end, m, matches, redacted),
                provenance: None,
                verification: None,
                secret_id: None,
                suppression: None,
            }
        })
        .collect()
}

fn show_secret(raw: &[u8], redacted: bool) -> String {
    let text = sanitize(&String::from_utf8_lossy(raw));
    if redacted { redact(&text) } else { text }
}

/// Counts lines incrementally across sorted offsets; `\n`, `\r\n` and a lone `\r` each end
/// a line, so files from any platform get the line numbers an editor shows.
#[derive(Default)]
pub struct LineCursor {
    pos: usize,
    line: usize,
    line_start: usize,
}

impl LineCursor {
    /// The 1-based line holding `offset` and where that line starts; offsets must not
    /// decrease from one call to the next.
    pub fn advance(&mut self, blob: &[u8], offset: usize) -> (usize, usize) {
        while self.pos < offset {
            match memchr2(b'\n', b'\r', &blob[self.pos..offset]) {
                None => self.pos = offset,
                Some(i) => {
                    let at = self.pos + i;
                    let mut next = at + 1;
                    if blob[at] == b'\r' && blob.get(next) == Some(&b'\n') {
                        next += 1;
                    }
                    self.line += 1;
                    self.line_start = next;
                    self.pos = next;
                }
            }
        }
        (self.line + 1, self.line_start.min(offset))
    }
}

/// Unicode scalar values in UTF-8 text; each byte of invalid UTF-8 counts as one.
fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// The line holding `m`, cut to a window around it when long, with every secret on it
/// redacted (not only `m`'s).
fn snippet(
    blob: &[u8],
    line_start: usize,
    line_end: usize,
    m: &Match,
    all: &[Match],
    redacted: bool,
) -> String {
    let (mut from, mut to) = (line_start, line_end);
    if to - from > SNIPPET_MAX {
        from = char_boundary(
            blob,
            m.start.saturating_sub(SNIPPET_CONTEXT).max(line_start),
        );
        to = char_boundary(blob, (m.end + SNIPPET_CONTEXT).min(line_end));
    }
    let mut body = String::new();
    let mut pos = from;
    if redacted {
        for other in all.iter().filter(|o| o.start < to && o.end > from) {
            if other.start > pos {
                body.push_str(&sanitize(&String::from_utf8_lossy(&blob[pos..other.start])));
            }
            if other.end > pos {
                // A secret cut by the window edge is still redacted as a whole.
                body.push_str(&show_secret(&blob[other.start..other.end], true));
                pos = other.end.min(to);
            }
        }
    }
    body.push_str(&sanitize(&String::from_utf8_lossy(&blob[pos..to])));
    let ellipsis = |cut: bool| if cut { "…" } else { "" };
    format!(
        "{}{}{}",
        ellipsis(from > line_start),
        body.trim(),
        ellipsis(to < line_end)
    )
}

/// The whole key a private-key match belongs to: the PEM block it is, or the JWK object
/// around its `d`.
pub fn key_text(blob: &[u8], m: &Match) -> String {
    let span = crate::keys::jwk_of_match(blob, m.start).unwrap_or(m.start..m.end);
    String::from_utf8_lossy(&blob[span]).into_owned()
}

/// The line holding `offset`, cut to a window when long, with every secret in
/// `secrets` redacted (for reports that show code which is not itself a finding).
pub fn redacted_line(blob: &[u8], offset: usize, secrets: &[Match]) -> String {
    let start = memchr::memrchr2(b'\n', b'\r', &blob[..offset]).map_or(0, |i| i + 1);
    let end = memchr2(b'\n', b'\r', &blob[offset..]).map_or(blob.len(), |i| offset + i);
    let here = Match {
        rule: 0,
        start: offset,
        end: offset,
        secret: Vec::new(),
        confidence: crate::finding::Confidence::Low,
        redact_only: true,
    };
    snippet(blob, start, end, &here, secrets, true)
}

/// Moves `pos` back to the start of a UTF-8 sequence.
fn char_boundary(blob: &[u8], mut pos: usize) -> usize {
    let floor = pos.saturating_sub(3);
    while pos > floor && pos < blob.len() && (blob[pos] & 0xC0) == 0x80 {
        pos -= 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_with_mixed_endings() {
        let blob = b"a\r\nb\rc\nd X";
        let mut c = LineCursor::default();
        assert_eq!(c.advance(blob, 0), (1, 0));
        assert_eq!(c.advance(blob, 3), (2, 3));
        assert_eq!(c.advance(blob, 5), (3, 5));
        assert_eq!(c.advance(blob, 9), (4, 7));
    }
}
