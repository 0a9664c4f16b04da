//! Where blobs come from. Each source hands `(path, bytes)` to the `Engine` and accounts
//! for what it skipped.

pub mod fs;
pub mod git;
pub mod stdin;

/// `/`-separated display form of a path, without a leading `./`.
pub fn display_path(p: &std::path::Path) -> String {
    let s = p.to_string_lossy();
    #[cfg(windows)]
    let s = s.replace('\\', "/");
    let s: &str = &s;
    let mut s = s;
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    s.to_string()
}
