//! TOML parsing with errors that name the file, line and column on one line.

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

pub fn parse<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| {
        let message = e.message().trim().replace('\n', " ");
        match e.span() {
            Some(span) => {
                let (line, col) = line_col(text, span.start);
                Error::settings(format!("{origin}:{line}:{col}: {message}"))
            }
            None => Error::settings(format!("{origin}: {message}")),
        }
    })
}

/// Reads a settings file of at most `limit` bytes; `what` names it in errors.
pub fn read_limited(path: &std::path::Path, limit: u64, what: &str) -> Result<String> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).map_err(|e| Error::io(&format!("read {what}"), path, &e))?;
    let mut text = String::new();
    file.take(limit + 1)
        .read_to_string(&mut text)
        .map_err(|e| Error::io(&format!("read {what}"), path, &e))?;
    if text.len() as u64 > limit {
        return Err(Error::settings(format!(
            "{}: {what} is larger than {}: refusing to read it",
            path.display(),
            crate::size::human_bytes(limit)
        )));
    }
    Ok(text)
}

pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Line numbers of many offsets in one text: the newlines are found once (line_col per
/// entry would read a large file once per entry).
pub struct LineIndex(Vec<usize>);

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex(memchr::memchr_iter(b'\n', text.as_bytes()).collect())
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        a: u32,
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse::<T>("a = 1\nbogus = 2\n", "x.toml").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("x.toml:2:1: "), "{msg}");
        assert!(msg.contains("bogus"), "{msg}");
        assert!(!msg.contains('\n'));
    }
}
