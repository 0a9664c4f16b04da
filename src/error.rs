//! One error type for everything that stops a run. Each carries a message meant for the
//! user as-is (`main` prints it on one line and exits with code 2) and a kind, so that a
//! caller can tell what went wrong without reading the message: an organization-wide run
//! carries on past one broken repository, and a revocation tells a refused credential from
//! an unreachable org.

use std::path::Path;

/// What kind of failure an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad settings: a config, rule, ignore or baseline file, an org URL, an argument.
    Settings,
    /// A file or directory could not be read or written.
    Io,
    /// A git repository could not be opened or read (not a repository, owned by someone
    /// else, an unsupported format, a missing revision).
    Repository,
    /// A remote could not be reached: DNS, connection, timeout.
    Network,
    /// A remote answered with an HTTP error status.
    Http(u16),
    /// Anything else.
    Other,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error::of(ErrorKind::Other, message)
    }

    pub fn of(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// Bad settings (a config, rule or ignore file, an argument).
    pub fn settings(message: impl Into<String>) -> Self {
        Error::of(ErrorKind::Settings, message)
    }

    /// A repository that cannot be opened or read.
    pub fn repository(message: impl Into<String>) -> Self {
        Error::of(ErrorKind::Repository, message)
    }

    /// An I/O failure on a named path, worded the same way everywhere.
    pub fn io(action: &str, path: &Path, err: &std::io::Error) -> Self {
        Error::of(
            ErrorKind::Io,
            format!("cannot {action} {}: {}", path.display(), describe_io(err)),
        )
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_kept_and_messages_unchanged() {
        let e = Error::io(
            "read",
            Path::new("x.toml"),
            &std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert_eq!(e.kind(), ErrorKind::Io);
        assert_eq!(
            e.to_string(),
            "cannot read x.toml: no such file or directory"
        );
        assert_eq!(Error::settings("bad").kind(), ErrorKind::Settings);
        assert_eq!(Error::new("x").kind(), ErrorKind::Other);
    }
}
