//! Where blobs come from. Each source hands `(path, bytes)` to the `Engine` and accounts
//! for what it skipped.

pub mod fs;
pub mod git;
pub mod stdin;
pub mod text;

/// `/`-separated display form of a path, without a leading `./`. Bytes that are not
/// UTF-8 (possible in Unix file names) are written as `\xNN`, so the name is reported
/// losslessly rather than with replacement characters.
pub fn display_path(p: &std::path::Path) -> String {
    #[cfg(unix)]
    let s = {
        use std::os::unix::ffi::OsStrExt;
        escape_non_utf8(p.as_os_str().as_bytes())
    };
    #[cfg(not(unix))]
    let s = p.to_string_lossy().replace('\\', "/");
    let mut s: &str = &s;
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    s.to_string()
}

pub fn escape_non_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_utf8_names_are_escaped() {
        assert_eq!(escape_non_utf8(b"caf\xe9/\xff.txt"), "caf\\xE9/\\xFF.txt");
        assert_eq!(escape_non_utf8("ok/é.txt".as_bytes()), "ok/é.txt");
        assert_eq!(display_path(std::path::Path::new("./a/b")), "a/b");
    }
}
