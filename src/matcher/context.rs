//! The text around a match that contexts and filters look at.

use memchr::{memchr2, memrchr2};

use crate::rules::LINE_WINDOW;

/// How far back `block` contexts look for the start of the enclosing block.
const BLOCK_REACH: usize = 64 * 1024;

/// Text on the same line before `start`, at most `LINE_WINDOW` bytes.
pub fn before(blob: &[u8], start: usize) -> &[u8] {
    let lo = start.saturating_sub(LINE_WINDOW);
    let from = memrchr2(b'\n', b'\r', &blob[lo..start]).map_or(lo, |i| lo + i + 1);
    &blob[from..start]
}

/// Text on the same line from `end`, at most `LINE_WINDOW` bytes.
pub fn after(blob: &[u8], end: usize) -> &[u8] {
    let hi = (end + LINE_WINDOW).min(blob.len());
    let to = memchr2(b'\n', b'\r', &blob[end..hi]).map_or(hi, |i| end + i);
    &blob[end..to]
}

/// The whole line holding `start..end`, without its terminator.
pub fn line(blob: &[u8], start: usize, end: usize) -> &[u8] {
    let from = memrchr2(b'\n', b'\r', &blob[..start]).map_or(0, |i| i + 1);
    let to = memchr2(b'\n', b'\r', &blob[end..]).map_or(blob.len(), |i| end + i);
    &blob[from..to]
}

/// How many non-blank lines `above` looks back.
const ABOVE_LINES: usize = 3;

/// The non-blank lines just above the line holding `start` (at most `ABOVE_LINES`, at most
/// `LINE_WINDOW` bytes), ending with the terminator before that line.
pub fn above(blob: &[u8], start: usize) -> &[u8] {
    let floor = start.saturating_sub(LINE_WINDOW);
    let mut from = line_start(blob, start, floor);
    let end = from;
    let mut lines = 0;
    while from > floor && lines < ABOVE_LINES {
        let prev = line_start_before(blob, from - 1, floor);
        if blob[prev..from].iter().any(|b| !b.is_ascii_whitespace()) {
            lines += 1;
        }
        from = prev;
    }
    &blob[from..end]
}

/// From the start of the last line (at or before the one holding `start`) that begins in
/// column 0 with a non-blank character, up to `start`. For indentation-structured text
/// (YAML, HCL, TOML tables) that line opens the enclosing top-level block.
pub fn block(blob: &[u8], start: usize) -> &[u8] {
    let floor = start.saturating_sub(BLOCK_REACH);
    let mut line_start = line_start(blob, start, floor);
    loop {
        let first = blob[line_start];
        let blank = matches!(first, b' ' | b'\t' | b'\n' | b'\r');
        if !blank || line_start <= floor {
            return &blob[line_start..start];
        }
        // Step to the previous line; `line_start - 1` is its terminator.
        line_start = line_start_before(blob, line_start - 1, floor);
    }
}

/// The `n` lines before and after the line holding `start..end`, with it (at most
/// `LINE_WINDOW` bytes each way): a function body or configuration object around a match.
pub fn around(blob: &[u8], start: usize, end: usize, n: usize) -> &[u8] {
    let floor = start.saturating_sub(LINE_WINDOW);
    let mut from = line_start(blob, start, floor);
    for _ in 0..n {
        if from <= floor {
            break;
        }
        from = line_start_before(blob, from - 1, floor);
    }
    let ceil = (end + LINE_WINDOW).min(blob.len());
    let mut to = end;
    for _ in 0..=n {
        match memchr2(b'\n', b'\r', &blob[to..ceil]) {
            Some(i) => to += i + 1,
            None => {
                to = ceil;
                break;
            }
        }
    }
    &blob[from..to]
}

fn line_start(blob: &[u8], pos: usize, floor: usize) -> usize {
    memrchr2(b'\n', b'\r', &blob[floor..pos]).map_or(floor, |i| floor + i + 1)
}

/// Start of the line that ends with the terminator at `term` (skipping a `\r\n` pair).
fn line_start_before(blob: &[u8], term: usize, floor: usize) -> usize {
    let mut end = term;
    if blob[end] == b'\n' && end > floor && blob[end - 1] == b'\r' {
        end -= 1;
    }
    line_start(blob, end, floor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_stop_at_line_ends() {
        let t = b"a\nkey: SECRET rest\nz";
        let s = 7;
        assert_eq!(before(t, s), b"key: ");
        assert_eq!(after(t, s + 6), b" rest");
    }

    #[test]
    fn above_is_the_previous_non_blank_lines() {
        let t = b"a\nb\n\nc\n  value: X";
        let s = t.len() - 1;
        assert_eq!(above(t, s), b"a\nb\n\nc\n");
        assert_eq!(above(b"X", 0), b"");
    }

    #[test]
    fn block_finds_enclosing_top_level_line() {
        let t = b"other: 1\r\nokta:\r\n  client:\r\n\r\n    token: X";
        let s = t.len() - 1;
        assert_eq!(block(t, s), b"okta:\r\n  client:\r\n\r\n    token: ");
        let t = b"TOKEN=X";
        assert_eq!(block(t, 6), b"TOKEN=");
    }
}
