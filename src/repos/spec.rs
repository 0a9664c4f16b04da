//! What a user names as a repository: a local path, or a clone URL to mirror.
//!
//! A URL is accepted only in the forms git clones without running anything (no `ext::`,
//! no remote helpers), and never with a password in it: credentials belong to git's own
//! credential helpers, where tokenwarden neither prints nor stores them.

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::finding::hex;
use crate::source::display_path;

/// Schemes git clones natively (`git+ssh`/`ssh+git` are its aliases of `ssh`).
const SCHEMES: &[&str] = &["https", "http", "ssh", "git+ssh", "ssh+git", "git", "file"];

/// One repository to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSpec {
    /// As reports name it: the path or URL as written (trailing separators dropped).
    pub name: String,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A repository on this machine (work tree, directory inside one, or bare).
    Local(PathBuf),
    /// Cloned with `git clone --mirror` into the mirror directory.
    Remote(CloneUrl),
}

/// A clone URL that passed `RepoSpec::parse`'s checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloneUrl {
    /// As written: what `git clone` gets.
    pub url: String,
    /// `host/path` in lower case host, without user, port, `.git` or trailing `/` (for a
    /// `file:` URL, `file:` and its path): the same repository named by https and by ssh
    /// is one.
    pub key: String,
}

impl RepoSpec {
    /// A repository on this machine, named by `path`.
    pub fn local(path: &Path) -> RepoSpec {
        let shown = display_path(path);
        let name = match shown.trim_end_matches('/') {
            "" if shown.starts_with('/') => "/".to_string(),
            "" => ".".to_string(),
            n => n.to_string(),
        };
        RepoSpec {
            name,
            location: Location::Local(path.to_path_buf()),
        }
    }

    /// A command-line argument: a path that is not UTF-8 can only be a local one.
    pub fn from_arg(arg: &Path) -> Result<RepoSpec, String> {
        match arg.to_str() {
            Some(text) => RepoSpec::parse(text),
            None => Ok(RepoSpec::local(arg)),
        }
    }

    /// `text` as the user wrote it (a command-line argument or a line of `--repos`).
    pub fn parse(text: &str) -> Result<RepoSpec, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty repository name".into());
        }
        if text.chars().any(char::is_control) {
            return Err("a repository name with control characters".into());
        }
        match url_parts(text) {
            Some(parts) => {
                let url = CloneUrl::new(text, parts)?;
                Ok(RepoSpec {
                    name: text.trim_end_matches('/').to_string(),
                    location: Location::Remote(url),
                })
            }
            None => Ok(RepoSpec::local(Path::new(text))),
        }
    }

    /// What identifies the repository whatever way it was written: shards and duplicates
    /// go by it.
    pub fn key(&self) -> String {
        match &self.location {
            Location::Remote(u) => u.key.clone(),
            Location::Local(_) => format!("path:{}", self.name),
        }
    }

    /// A stable number for `key`: the same on every machine, OS and version.
    pub fn hash(&self) -> u64 {
        let digest = Sha256::digest(self.key().as_bytes());
        u64::from_be_bytes(digest[..8].try_into().unwrap_or_default())
    }

    /// A file name for things kept per repository (its mirror, its state): readable, and
    /// unique by the key's hash.
    pub fn file_stem(&self) -> String {
        let readable: String = self
            .key()
            .rsplit(['/', ':', '\\'])
            .find(|s| !s.is_empty())
            .unwrap_or("repository")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .take(48)
            .collect();
        let readable = readable.trim_start_matches('.');
        format!("{readable}-{}", &hex(&self.hash().to_be_bytes())[..12])
    }
}

impl fmt::Display for RepoSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::escape::sanitize(&self.name))
    }
}

/// The pieces of a URL: scheme (lower case; `ssh` for scp-like), user info, host and path.
struct UrlParts<'a> {
    scheme: String,
    userinfo: Option<&'a str>,
    host: &'a str,
    path: &'a str,
}

/// `text` as a URL (`scheme://…`) or scp-like address (`user@host:path`), or `None` for a
/// local path. A Windows drive (`C:\x`, `C:/x`) and a relative path with a colon after a
/// slash (`./a:b`) are paths, as git reads them.
fn url_parts(text: &str) -> Option<UrlParts<'_>> {
    if let Some((scheme, rest)) = text.split_once("://")
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (userinfo, host) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        return Some(UrlParts {
            scheme: scheme.to_ascii_lowercase(),
            userinfo,
            host,
            path,
        });
    }
    let colon = text.find(':')?;
    let before = &text[..colon];
    if before.contains('/') || before.contains('\\') || colon == 1 {
        return None;
    }
    if text[colon + 1..].starts_with(':') {
        // `transport::address`: git hands it to a remote helper (`ext::` runs a command).
        return Some(UrlParts {
            scheme: before.to_ascii_lowercase(),
            userinfo: None,
            host: "",
            path: &text[colon + 2..],
        });
    }
    let (userinfo, host) = match before.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, before),
    };
    Some(UrlParts {
        scheme: "ssh".into(),
        userinfo,
        host,
        path: &text[colon + 1..],
    })
}

impl CloneUrl {
    fn new(text: &str, parts: UrlParts<'_>) -> Result<CloneUrl, String> {
        if !SCHEMES.contains(&parts.scheme.as_str()) {
            return Err(format!(
                "{}: git clones {} URLs here; `{}` URLs are refused (they can run programs)",
                crate::escape::sanitize(text),
                SCHEMES.join(", "),
                crate::escape::sanitize(&parts.scheme)
            ));
        }
        if let Some(user) = parts.userinfo
            && let Some((name, _password)) = user.split_once(':')
        {
            return Err(format!(
                "a URL with a password in it ({}:***@{}…): credentials are not taken on the \
                 command line or in a list; configure a git credential helper instead (on \
                 GitHub Actions: `gh auth setup-git` with GH_TOKEN set)",
                crate::escape::sanitize(name),
                crate::escape::sanitize(parts.host)
            ));
        }
        if text.starts_with('-') || text.chars().any(char::is_whitespace) {
            return Err(format!(
                "{}: not a clone URL (spaces or a leading dash)",
                crate::escape::sanitize(text)
            ));
        }
        if parts.scheme != "file" && parts.host.is_empty() {
            return Err(format!(
                "{}: a URL without a host",
                crate::escape::sanitize(text)
            ));
        }
        let path = parts
            .path
            .trim_start_matches('/')
            .trim_end_matches('/')
            .trim_end_matches(".git")
            .trim_end_matches('/');
        let key = if parts.scheme == "file" {
            format!("file:{}", parts.path.trim_end_matches('/'))
        } else {
            // The port is part of where, the user is not: git@github.com and
            // https://github.com name one repository.
            format!("{}/{path}", parts.host.to_ascii_lowercase())
        };
        Ok(CloneUrl {
            url: text.to_string(),
            key,
        })
    }

    /// An absolute URI for SARIF: the URL itself, or `ssh://user@host/path` for an
    /// scp-like address.
    pub fn uri(&self) -> String {
        match url_parts(&self.url) {
            Some(p) if !self.url.contains("://") => {
                let user = p.userinfo.map(|u| format!("{u}@")).unwrap_or_default();
                format!("ssh://{user}{}/{}", p.host, p.path.trim_start_matches('/'))
            }
            _ => self.url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        RepoSpec::parse(s).unwrap().key()
    }

    #[test]
    fn one_repository_named_by_https_and_ssh_is_one_key() {
        let k = "github.com/acme/api";
        assert_eq!(key("https://github.com/acme/api.git"), k);
        assert_eq!(key("https://GitHub.com/acme/api/"), k);
        assert_eq!(key("git@github.com:acme/api.git"), k);
        assert_eq!(key("ssh://git@github.com/acme/api"), k);
        assert_ne!(key("https://github.com/acme/api2"), k);
        assert_eq!(key("file:///srv/git/a.git"), "file:/srv/git/a.git");
    }

    #[test]
    fn paths_stay_paths() {
        for p in [
            "repos/a",
            "./a:b",
            "/srv/git/a.git",
            "C:\\work\\a",
            "C:/work/a",
            "a",
        ] {
            let spec = RepoSpec::parse(p).unwrap();
            assert!(matches!(spec.location, Location::Local(_)), "{p}");
        }
        assert_eq!(RepoSpec::parse("repos/a/").unwrap().name, "repos/a");
        assert_eq!(RepoSpec::parse("./").unwrap().name, ".");
    }

    #[test]
    fn unsafe_or_secret_bearing_urls_are_refused_without_echoing_the_secret() {
        let e = RepoSpec::parse("https://bot:hunter2hunter2@github.com/acme/api").unwrap_err();
        assert!(
            e.contains("credential helper") && !e.contains("hunter2"),
            "{e}"
        );
        assert!(
            RepoSpec::parse("ext::sh -c touch% /tmp/pwned")
                .unwrap_err()
                .contains("refused")
        );
        assert!(
            RepoSpec::parse("fd::17/foo")
                .unwrap_err()
                .contains("refused")
        );
        assert!(
            RepoSpec::parse("ext::sh%20-c%20id")
                .unwrap_err()
                .contains("refused")
        );
        assert!(RepoSpec::parse("https://").is_err());
        assert!(RepoSpec::parse("https://github.com/a b").is_err());
        // A user without a password is not a credential.
        assert!(RepoSpec::parse("ssh://git@github.com/acme/api").is_ok());
    }

    #[test]
    fn scp_like_addresses_get_an_absolute_uri() {
        let RepoSpec {
            location: Location::Remote(u),
            ..
        } = RepoSpec::parse("git@github.com:acme/api.git").unwrap()
        else {
            unreachable!()
        };
        assert_eq!(u.uri(), "ssh://git@github.com/acme/api.git");
    }

    #[test]
    fn file_stems_are_readable_and_distinct() {
        let a = RepoSpec::parse("https://github.com/acme/api").unwrap();
        let b = RepoSpec::parse("https://github.com/other/api").unwrap();
        assert!(a.file_stem().starts_with("api-"), "{}", a.file_stem());
        assert_ne!(a.file_stem(), b.file_stem());
        assert_eq!(
            a.file_stem(),
            RepoSpec::parse("git@github.com:acme/api.git")
                .unwrap()
                .file_stem()
        );
    }
}
