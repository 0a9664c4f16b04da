//! Text from the scanned tree made safe to print: terminal controls and the invisible
//! characters that reorder text are shown as `\\u{..}` escapes, so a file name or a line of
//! a scanned file can neither recolour a terminal nor forge a report line.

/// `s` with every character `needs_escape` flags written as `\u{..}`.
pub fn sanitize(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Text for a Markdown code span: controls escaped (a newline would end the span and
/// start Markdown of the file name's choosing), backticks neutralised.
pub fn markdown_code(s: &str) -> String {
    sanitize(s).replace('`', "'")
}

/// A Markdown table cell: as a code span, with pipes escaped too.
pub fn markdown_cell(s: &str) -> String {
    markdown_code(s).replace('|', "\\|")
}

/// Terminal controls (ESC, CR, LF, …) and the invisible characters that reorder or hide
/// text (bidi overrides and isolates such as U+202E, zero-width marks): a file name that
/// holds them could forge or hide report lines.
pub(crate) fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_escapes_terminal_controls() {
        assert_eq!(sanitize("a\x1b[31mb\tc"), "a\\u{1b}[31mb\tc");
        assert_eq!(
            sanitize("evil\u{202e}txt.exe\nx"),
            "evil\\u{202e}txt.exe\\u{a}x"
        );
    }
}
