//! How a path is shown in every report: `/`-separated on every OS, so that a config, a
//! baseline or a SARIF file written on one machine means the same on another, and
//! lossless, so that two different names never print as one.

use std::path::Path;

/// `/`-separated display form of a path, without a leading `./`.
///
/// - Unix: bytes that are not UTF-8 are written as `\xNN`.
/// - Windows: `\` becomes `/`, the verbatim prefix that canonical paths carry
///   (`\\?\C:\…`, `\\?\UNC\server\…`) is dropped, and a lone UTF-16 surrogate (a name
///   NTFS accepts but no UTF-8 text can hold) is written as `\u{d800}`.
pub fn display_path(p: &Path) -> String {
    #[cfg(unix)]
    let s = {
        use std::os::unix::ffi::OsStrExt;
        escape_non_utf8(p.as_os_str().as_bytes())
    };
    #[cfg(windows)]
    let s = {
        use std::os::windows::ffi::OsStrExt;
        display_wide(p.as_os_str().encode_wide())
    };
    #[cfg(not(any(unix, windows)))]
    let s = p.to_string_lossy().into_owned();
    let mut s = s;
    let mut rest: &str = &s;
    while let Some(r) = rest.strip_prefix("./") {
        rest = r.trim_start_matches('/');
    }
    let cut = s.len() - rest.len();
    s.drain(..cut);
    s
}

/// The display form of `path` below `root`, from their display forms: the part after
/// `root` and its separator. `None` when `display` is not below `root_display` (or is it).
/// Cheaper than `Path::strip_prefix` and a second `display_path`: a directory scan does
/// this for every file.
pub fn display_below<'a>(display: &'a str, root_display: &str) -> Option<&'a str> {
    if root_display.is_empty() || root_display == "." {
        return (!display.is_empty() && display != ".").then_some(display);
    }
    let rest = display.strip_prefix(root_display)?;
    let rel = rest.trim_start_matches('/');
    (rel.len() < rest.len() || root_display.ends_with('/'))
        .then_some(rel)
        .filter(|r| !r.is_empty())
}

/// `bytes` as text, each byte that is not part of valid UTF-8 written as `\xNN`. Git
/// stores names as bytes on every OS, so git paths go through this too.
pub fn escape_non_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    push_escaped(&mut out, bytes);
    out
}

/// `escape_non_utf8` onto the end of `out`, without allocating for valid UTF-8: history
/// walks build every path of every tree this way.
pub fn push_escaped(out: &mut String, bytes: &[u8]) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return out.push_str(text);
    }
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
}

/// The Windows display form of a path given as UTF-16 code units (see `display_path`).
/// Pure, so every OS's test run checks it.
#[cfg(any(windows, test))]
fn display_wide(units: impl Iterator<Item = u16>) -> String {
    let mut out = String::new();
    for c in char::decode_utf16(units) {
        match c {
            Ok('\\') => out.push('/'),
            Ok(c) => out.push(c),
            Err(e) => out.push_str(&format!("\\u{{{:x}}}", e.unpaired_surrogate())),
        }
    }
    if let Some(rest) = out.strip_prefix("//?/UNC/") {
        return format!("//{rest}");
    }
    match out.strip_prefix("//?/") {
        Some(rest) if rest.as_bytes().get(1) == Some(&b':') => rest.to_string(),
        _ => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_a_root() {
        assert_eq!(display_below("a/b", "."), Some("a/b"));
        assert_eq!(display_below("a/b", ""), Some("a/b"));
        assert_eq!(display_below("src/a/b", "src"), Some("a/b"));
        assert_eq!(display_below("src/a/b", "src/"), Some("a/b"));
        assert_eq!(display_below("/etc/x", "/"), Some("etc/x"));
        // A sibling whose name starts like the root is not below it.
        assert_eq!(display_below("srcx/a", "src"), None);
        // The root itself (a single file scanned) has no relative path.
        assert_eq!(display_below("src/a.rs", "src/a.rs"), None);
        // Each agrees with Path::strip_prefix and display_path on the walker's joins.
        for (root, name) in [
            (".", "a/b"),
            ("src", "x/y.rs"),
            ("./src/", "y"),
            ("/tmp/t", "k"),
        ] {
            let path = std::path::Path::new(root).join(name);
            let rel = path.strip_prefix(root).unwrap();
            assert_eq!(
                display_below(
                    &display_path(&path),
                    &display_path(std::path::Path::new(root))
                ),
                Some(display_path(rel).as_str()),
                "{root} + {name}"
            );
        }
    }

    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn non_utf8_names_are_escaped() {
        assert_eq!(escape_non_utf8(b"caf\xe9/\xff.txt"), "caf\\xE9/\\xFF.txt");
        assert_eq!(escape_non_utf8("ok/é.txt".as_bytes()), "ok/é.txt");
        assert_eq!(display_path(Path::new("./a/b")), "a/b");
        assert_eq!(display_path(Path::new(".//./a")), "a");
    }

    #[test]
    fn windows_paths_use_slashes_and_drop_the_verbatim_prefix() {
        let shown = |s: &str| display_wide(wide(s).into_iter());
        assert_eq!(shown(r"src\config\okta.yaml"), "src/config/okta.yaml");
        assert_eq!(shown(r"C:\work\repo\a.txt"), "C:/work/repo/a.txt");
        assert_eq!(shown(r"\\?\C:\work\repo"), "C:/work/repo");
        assert_eq!(shown(r"\\?\UNC\server\share\a.txt"), "//server/share/a.txt");
        assert_eq!(shown(r"\\server\share\a.txt"), "//server/share/a.txt");
        // A verbatim path that is not a drive (a volume GUID) keeps its prefix: it is the
        // only name that path has.
        assert_eq!(shown(r"\\?\Volume{1}\a"), "//?/Volume{1}/a");
    }

    #[test]
    fn lone_surrogates_are_escaped_not_replaced() {
        // Two names that differ only in their lone surrogate must not print alike.
        let mut a = wide("x");
        a.push(0xD800);
        let mut b = wide("x");
        b.push(0xDC01);
        let (a, b) = (display_wide(a.into_iter()), display_wide(b.into_iter()));
        assert_eq!(a, "x\\u{d800}");
        assert_eq!(b, "x\\u{dc01}");
        assert_eq!(display_wide(wide("é😀").into_iter()), "é😀");
    }
}
