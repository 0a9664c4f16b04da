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

/// `s` as one word for the shell a user will paste it into: POSIX sh quoting, or double
/// quotes for PowerShell and cmd (`windows`). Advice that names a directory must not split
/// on a space or run a `$(…)` that the directory's name holds.
pub fn shell_word(s: &str, windows: bool) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%=,".contains(c));
    let quoted = if plain {
        s.to_string()
    } else if windows {
        // `"` cannot occur in a Windows path; `$` and `` ` `` would expand in PowerShell's
        // double quotes, so single quotes there.
        if s.contains(['$', '`']) {
            format!("'{}'", s.replace('\'', "''"))
        } else {
            format!("\"{s}\"")
        }
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    };
    sanitize(&quoted)
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

/// Text someone else wrote, for a place that renders Markdown (SARIF `help.markdown`, the
/// job summary): a fenced code block, where nothing is a link, an image or HTML. The fence
/// is longer than any run of backticks in the text, so the text cannot close it.
pub fn markdown_literal(s: &str) -> String {
    let text = sanitize_lines(s.trim());
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{text}\n{fence}")
}

/// `sanitize`, line by line: line breaks are kept (they are the text's own layout), every
/// other control escaped.
fn sanitize_lines(s: &str) -> String {
    s.lines().map(sanitize).collect::<Vec<_>>().join("\n")
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
    fn shell_words_quote_what_a_shell_would_split_or_expand() {
        assert_eq!(shell_word("/srv/repo", false), "/srv/repo");
        assert_eq!(shell_word("C:/work/repo", true), "C:/work/repo");
        assert_eq!(shell_word("/srv/my repo", false), "'/srv/my repo'");
        assert_eq!(shell_word("/srv/it's", false), r"'/srv/it'\''s'");
        assert_eq!(shell_word("/srv/$(touch x)", false), "'/srv/$(touch x)'");
        assert_eq!(shell_word("C:/My Repos/x", true), "\"C:/My Repos/x\"");
        assert_eq!(shell_word("C:/a$b/it's", true), "'C:/a$b/it''s'");
        assert_eq!(shell_word("/a\nb", false), r"'/a\u{a}b'");
    }

    #[test]
    fn sanitize_escapes_terminal_controls() {
        assert_eq!(sanitize("a\x1b[31mb\tc"), "a\\u{1b}[31mb\tc");
        assert_eq!(
            sanitize("evil\u{202e}txt.exe\nx"),
            "evil\\u{202e}txt.exe\\u{a}x"
        );
    }

    #[test]
    fn markdown_literal_cannot_be_closed_or_rendered() {
        let md = markdown_literal("[fix](https://evil.example) <img src=x>\n```\n# x\x1b");
        assert!(md.starts_with("````text\n[fix]"), "{md}");
        assert!(md.ends_with("\n# x\\u{1b}\n````"), "{md}");
    }
}
