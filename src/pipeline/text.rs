//! From bytes to the text the engine scans: UTF-16 decoding, binary detection, and
//! windowed scanning of streams in bounded memory. A blob that looks binary is scanned
//! like text, in the engine's strict pass (`Pass::Binary`): only the rules that opt in,
//! only high-confidence findings, so a NUL byte cannot hide a leak and an image stays
//! quiet. It reads no more than text does: the same windows, up to `--max-file-size`.

use std::io::{self, Read};

use crate::engine::{Engine, ScanPolicy, Window, looks_binary};
use crate::error::describe_io;
use crate::matcher::Pass;
use crate::outcome::SkipReason;
use crate::source::ScannedBlob;

/// How a stream is cut into windows. Inputs up to `window` bytes are read whole; larger
/// ones are scanned in windows that size. Matches starting in a window's last `defer`
/// bytes are left to the next window, which holds them whole (far longer than any secret
/// a rule reports); `context` bytes are kept before the deferred region so line contexts
/// (≤ 512 bytes back) still see their text.
#[derive(Debug, Clone, Copy)]
pub struct Windows {
    pub window: usize,
    pub defer: usize,
    pub context: usize,
}

impl Windows {
    pub const DEFAULT: Windows = Windows {
        window: 16 << 20,
        defer: 64 << 10,
        context: 4 << 10,
    };

    fn capacity(&self) -> usize {
        self.window + self.defer + self.context
    }
}

/// Reads and scans `input`, at most `limit` bytes. `buf` is reused between calls.
pub fn scan_stream(
    engine: &Engine,
    policy: &ScanPolicy,
    path: &str,
    input: &mut dyn Read,
    limit: u64,
    buf: &mut Vec<u8>,
    sizes: Windows,
) -> Result<ScannedBlob, SkipReason> {
    let unreadable = |e: io::Error| SkipReason::Unreadable(describe_io(&e));
    buf.clear();
    let first = fill(input, buf, sizes.capacity()).map_err(unreadable)?;
    if first.eof {
        if buf.len() as u64 > limit {
            return Err(SkipReason::TooLarge {
                size: buf.len() as u64,
                limit,
            });
        }
        return scan_bytes(engine, policy, path, buf);
    }
    if utf16(buf).is_some() || (looks_binary(buf) && utf16_without_bom(buf).is_some()) {
        return Err(SkipReason::Unsupported(format!(
            "UTF-16 text larger than {} MiB is not decoded",
            sizes.window >> 20
        )));
    }
    let pass = pass_for(buf);
    let mut findings = Vec::new();
    let mut window = Window {
        report: 0..0,
        line_base: 0,
        column_base: 0,
    };
    let mut total = 0u64;
    loop {
        let eof = fill(input, buf, sizes.capacity()).map_err(unreadable)?.eof;
        let report_to = if eof {
            buf.len()
        } else {
            buf.len() - sizes.defer
        };
        window.report.end = report_to;
        findings.extend(engine.scan_window(policy, path, buf, &window, pass));
        if eof {
            total += buf.len() as u64;
            break;
        }
        let mut cut = report_to - sizes.context;
        if buf[cut - 1] == b'\r' && buf[cut] == b'\n' {
            cut += 1; // never split a CRLF: it would count as two line ends
        }
        advance(&mut window, &buf[..cut]);
        total += cut as u64;
        if total > limit {
            return Err(SkipReason::TooLarge { size: total, limit });
        }
        buf.drain(..cut);
        window.report.start = report_to - cut;
    }
    if total > limit {
        return Err(SkipReason::TooLarge { size: total, limit });
    }
    Ok(ScannedBlob {
        findings,
        bytes: total,
        binary: pass == Pass::Binary,
    })
}

/// Scans a blob held whole: UTF-16 is decoded, binary gets the strict pass.
pub fn scan_bytes(
    engine: &Engine,
    policy: &ScanPolicy,
    path: &str,
    data: &[u8],
) -> Result<ScannedBlob, SkipReason> {
    let decoded;
    let text = match utf16(data) {
        Some(big_endian) => {
            decoded = decode_utf16(&data[2..], big_endian);
            &decoded[..]
        }
        // Only text with NULs can be UTF-16 without a BOM: the check costs nothing on the
        // rest.
        None if looks_binary(data) => match utf16_without_bom(data) {
            Some(big_endian) => {
                decoded = decode_utf16(data, big_endian);
                &decoded[..]
            }
            None => data,
        },
        None => data,
    };
    let pass = pass_for(text);
    Ok(ScannedBlob {
        findings: engine.scan_window(policy, path, text, &Window::whole(text), pass),
        bytes: data.len() as u64,
        binary: pass == Pass::Binary,
    })
}

fn pass_for(text: &[u8]) -> Pass {
    if looks_binary(text) {
        Pass::Binary
    } else {
        Pass::Text
    }
}

/// `Some(big_endian)` for text starting with a UTF-16 byte-order mark.
pub fn utf16(data: &[u8]) -> Option<bool> {
    match data {
        [0xFF, 0xFE, ..] => Some(false),
        [0xFE, 0xFF, ..] => Some(true),
        _ => None,
    }
}

/// `Some(big_endian)` for UTF-16 text written without a byte-order mark (PowerShell and
/// .NET tools, Windows exports): mostly-ASCII text has a NUL in every other byte, on the
/// odd positions for little-endian and the even ones for big-endian, and hardly any on the
/// other side. Binary files have NULs scattered on both.
pub fn utf16_without_bom(data: &[u8]) -> Option<bool> {
    let sample = &data[..data.len().min(4096) & !1];
    if sample.len() < 16 {
        return None;
    }
    let half = sample.len() / 2;
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let mostly = |n: usize| n * 10 >= half * 9;
    let hardly = |n: usize| n * 20 <= half;
    if mostly(odd) && hardly(even) {
        Some(false)
    } else if mostly(even) && hardly(odd) {
        Some(true)
    } else {
        None
    }
}

/// UTF-16 (without its BOM) to UTF-8; unpaired surrogates and a trailing odd byte become
/// U+FFFD, so positions stay meaningful.
pub fn decode_utf16(data: &[u8], big_endian: bool) -> Vec<u8> {
    let units = data.chunks(2).map(|c| match (c, big_endian) {
        ([a, b], false) => u16::from_le_bytes([*a, *b]),
        ([a, b], true) => u16::from_be_bytes([*a, *b]),
        _ => 0xFFFD,
    });
    let mut out = String::with_capacity(data.len());
    for c in char::decode_utf16(units) {
        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    out.into_bytes()
}

/// Moves the window's line/column bases past `consumed`.
fn advance(window: &mut Window, consumed: &[u8]) {
    let mut last_end = None;
    let mut i = 0;
    while let Some(j) = memchr::memchr2(b'\n', b'\r', &consumed[i..]) {
        let at = i + j;
        let crlf = consumed[at] == b'\r' && consumed.get(at + 1) == Some(&b'\n');
        window.line_base += 1;
        i = at + if crlf { 2 } else { 1 };
        last_end = Some(i);
    }
    let tail = &consumed[last_end.unwrap_or(0)..];
    let chars = tail.iter().filter(|&&b| (b & 0xC0) != 0x80).count();
    window.column_base = if last_end.is_some() {
        chars
    } else {
        window.column_base + chars
    };
}

struct Fill {
    eof: bool,
}

/// Reads until `buf` holds `capacity` bytes or the input ends.
fn fill(input: &mut dyn Read, buf: &mut Vec<u8>, capacity: usize) -> io::Result<Fill> {
    let want = capacity.saturating_sub(buf.len());
    let got = input.take(want as u64).read_to_end(buf)?;
    Ok(Fill { eof: got < want })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_round_trip() {
        let text = "a\r\nb é 😀";
        let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decode_utf16(&le, false), text.as_bytes());
        assert_eq!(decode_utf16(&be, true), text.as_bytes());
        assert_eq!(
            decode_utf16(&[0x00, 0xD8, 0x41], false),
            "\u{FFFD}\u{FFFD}".as_bytes()
        );
    }

    #[test]
    fn utf16_is_recognised_without_a_bom() {
        let text = "OKTA_API_TOKEN=value\r\nline two\r\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(utf16_without_bom(&le), Some(false));
        assert_eq!(utf16_without_bom(&be), Some(true));
        assert_eq!(utf16_without_bom(text.as_bytes()), None);
        let binary: Vec<u8> = (0..512u32).map(|i| (i * 7 % 251) as u8).collect();
        assert_eq!(utf16_without_bom(&binary), None);
    }

    #[test]
    fn advancing_counts_lines_and_columns() {
        let mut w = Window {
            report: 0..0,
            line_base: 0,
            column_base: 3,
        };
        advance(&mut w, b"abc");
        assert_eq!((w.line_base, w.column_base), (0, 6));
        advance(&mut w, "x\r\ny\rz\né".as_bytes());
        assert_eq!((w.line_base, w.column_base), (3, 1));
    }
}
