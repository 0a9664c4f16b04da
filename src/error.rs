//! One error type for everything that stops a run. Each carries a message meant for the
//! user as-is; `main` prints it on one line and exits with code 2.

use std::fmt;
use std::path::Path;

#[derive(Debug)]
pub struct Error {
    message: String,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
        }
    }

    /// An I/O failure on a named path, worded the same way everywhere.
    pub fn io(action: &str, path: &Path, err: &std::io::Error) -> Self {
        Error::new(format!(
            "cannot {action} {}: {}",
            path.display(),
            describe_io(err)
        ))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// `std::io::Error`'s Display appends "(os error 2)"; users want the plain reason.
pub fn describe_io(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match err.kind() {
        NotFound => "no such file or directory".into(),
        PermissionDenied => "permission denied".into(),
        _ => {
            let s = err.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}
