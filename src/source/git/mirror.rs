//! Local mirrors of clone URLs, made and refreshed by the `git` program (`git clone
//! --mirror`, then `git fetch --prune`), so that git's own credential helpers, proxies and
//! SSH setup apply and tokenwarden never handles a credential.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

use crate::escape::sanitize;
use crate::scrub::scrub_builtin;

/// Where mirrors are kept.
pub struct Mirrors {
    dir: PathBuf,
    /// How long one git clone or fetch may take; `None`: as long as it takes.
    timeout: Option<Duration>,
}

/// A mirror ready to scan.
pub struct Mirrored {
    pub path: PathBuf,
    /// Set when an existing mirror could not be refreshed and is scanned as last fetched.
    pub warning: Option<String>,
}

impl Mirrors {
    /// `dir`, or the user's cache directory's `tokenwarden/mirrors`; each git run given
    /// up after `timeout`.
    pub fn new(dir: Option<PathBuf>, timeout: Option<Duration>) -> Result<Mirrors, String> {
        let dir = match dir {
            Some(d) => d,
            None => default_dir().ok_or(
                "no cache directory to keep mirrors in (HOME, XDG_CACHE_HOME and LOCALAPPDATA \
                 are unset): pass --mirror-dir DIR",
            )?,
        };
        Ok(Mirrors { dir, timeout })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn git(&self, args: &[&str]) -> Result<(), String> {
        run_git(args, self.timeout)
    }

    /// The mirror of `url` (a repository the user named `name`), kept as `stem.git`: cloned
    /// on first use and fetched (with pruning) afterwards. An existing mirror that cannot
    /// be fetched is still scanned, with a warning; one that cannot be cloned is an error.
    pub fn ensure(&self, stem: &str, name: &str, url: &str) -> Result<Mirrored, String> {
        let path = self.dir.join(format!("{stem}.git"));
        if path.join("HEAD").is_file() {
            // The same repository may be written differently from one run to the next.
            let known = git2::Repository::open_bare(&path)
                .ok()
                .and_then(|r| r.config().ok()?.get_string("remote.origin.url").ok());
            let _ = (known.as_deref() != Some(url)).then(|| {
                self.git(&[
                    "--git-dir",
                    &path.to_string_lossy(),
                    "remote",
                    "set-url",
                    "origin",
                    "--",
                    url,
                ])
            });
            let warning = self
                .git(&[
                    "--git-dir",
                    &path.to_string_lossy(),
                    "fetch",
                    "--prune",
                    "--quiet",
                    "origin",
                ])
                .err()
                .map(|why| {
                    format!(
                        "{}: cannot update its mirror ({why}); scanned as last fetched, at {}",
                        sanitize(name),
                        sanitize(&path.display().to_string())
                    )
                });
            return Ok(Mirrored { path, warning });
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| {
            format!(
                "cannot create the mirror directory {}: {e}",
                sanitize(&self.dir.display().to_string())
            )
        })?;
        // Cloned aside and renamed: an interrupted clone never looks like a mirror.
        let partial = self
            .dir
            .join(format!("{}{}", partial_prefix(stem), std::process::id()));
        let _ = std::fs::remove_dir_all(&partial);
        self.remove_abandoned(stem);
        let cloned = self
            .git(&[
                "clone",
                "--mirror",
                "--quiet",
                "--",
                url,
                &partial.to_string_lossy(),
            ])
            .and_then(|()| move_into_place(&partial, &path));
        if let Err(why) = cloned {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(format!("cannot clone: {why}"));
        }
        Ok(Mirrored {
            path,
            warning: None,
        })
    }
}

/// Renames a finished clone to its mirror's place. Another run sharing the mirror
/// directory may have put one there meanwhile: that one is kept and this copy dropped.
fn move_into_place(partial: &Path, path: &Path) -> Result<(), String> {
    match std::fs::rename(partial, path) {
        Ok(()) => Ok(()),
        Err(_) if path.join("HEAD").is_file() => {
            let _ = std::fs::remove_dir_all(partial);
            Ok(())
        }
        Err(e) => Err(format!("cannot move the clone: {e}")),
    }
}

/// `.STEM.partial-HOST-`, then the process id: a partial clone names the machine making it
/// as well as the process, because a mirror volume may be shared by several machines (the
/// pods of a Kubernetes Job), whose process ids mean nothing to each other.
fn partial_prefix(stem: &str) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::env::var("HOSTNAME"))
        .or_else(|_| std::env::var("COMPUTERNAME"))
        .unwrap_or_default();
    let host: String = host
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
        .take(64)
        .collect();
    format!(".{stem}.partial-{host}-")
}

impl Mirrors {
    /// Removes partial clones of `stem` left by runs that were interrupted (Ctrl-C, a killed
    /// job): each may hold gigabytes. Only those this machine made, and only where the
    /// system says their process is gone (Linux); a run still cloning keeps its own.
    fn remove_abandoned(&self, stem: &str) {
        #[cfg(target_os = "linux")]
        {
            let prefix = partial_prefix(stem);
            let Ok(entries) = std::fs::read_dir(&self.dir) else {
                return;
            };
            for e in entries.flatten() {
                let name = e.file_name();
                let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
                    continue;
                };
                let gone = pid.parse::<u32>().is_ok_and(|pid| {
                    pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
                });
                if gone {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = stem;
    }
}

/// Runs git without a terminal to prompt on: a clone that needs credentials git's helpers
/// do not have fails instead of waiting for a password nobody will type. One that still
/// hangs (a stalled server, an SSH host key question) is killed after the timeout.
fn run_git(args: &[&str], timeout: Option<Duration>) -> Result<(), String> {
    let mut child = Command::new("git")
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}; install git to scan clone URLs"))?;
    // Read while git runs: a full pipe would stall it. Not joined after a kill: a child of
    // git (ssh, a remote helper) may still hold the pipe open.
    let mut pipe = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        if let Some(p) = pipe.as_mut() {
            let _ = p.read_to_end(&mut text);
        }
        text
    });
    let status = match timeout {
        Some(limit) => match child.wait_timeout(limit) {
            Ok(Some(status)) => status,
            Ok(None) => {
                end_with_descendants(&mut child);
                return Err(format!(
                    "git gave no answer within {} s (--clone-timeout)",
                    limit.as_secs()
                ));
            }
            Err(e) => return Err(format!("cannot wait for git: {e}")),
        },
        None => child
            .wait()
            .map_err(|e| format!("cannot wait for git: {e}"))?,
    };
    if status.success() {
        return Ok(());
    }
    let stderr = reader.join().unwrap_or_default();
    // The last lines say why; the server's own words are untrusted text.
    let stderr = String::from_utf8_lossy(&stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let why = lines[lines.len().saturating_sub(2)..].join("; ");
    Err(sanitize(&scrub_builtin(if why.is_empty() {
        "git failed without a message"
    } else {
        &why
    })))
}

/// Kills git and, where the system lists them (Linux), what it started: a remote helper or
/// ssh would otherwise outlive it, holding its connection and writing into a mirror that is
/// about to be removed. Each process is stopped before its children are listed, so none
/// starts another after being looked at.
fn end_with_descendants(child: &mut std::process::Child) {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Pid, Signal, kill_process};
        let mut found = vec![child.id()];
        let mut next = 0;
        while next < found.len() {
            let pid = found[next];
            next += 1;
            if let Some(p) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
                let _ = kill_process(p, Signal::STOP);
            }
            for c in children_of(pid) {
                if !found.contains(&c) {
                    found.push(c);
                }
            }
        }
        for pid in found.into_iter().skip(1) {
            if let Some(p) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
                let _ = kill_process(p, Signal::KILL);
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The processes whose parent is `pid`, from `/proc/*/stat` (its fourth field; the second,
/// the command name in parentheses, may itself hold spaces and parentheses).
#[cfg(target_os = "linux")]
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&p| {
            std::fs::read_to_string(format!("/proc/{p}/stat")).is_ok_and(|stat| {
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
                    == Some(pid)
            })
        })
        .collect()
}

/// `$XDG_CACHE_HOME` or `~/.cache` (Linux and other Unix), `~/Library/Caches` (macOS),
/// `%LOCALAPPDATA%` (Windows), then `tokenwarden/mirrors`.
fn default_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        env("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Caches"))
    } else {
        env("XDG_CACHE_HOME")
            .filter(|p| p.is_absolute())
            .or_else(|| env("HOME").map(|h| h.join(".cache")))
    }?;
    Some(base.join("tokenwarden").join("mirrors"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mirror_another_run_finished_first_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (partial, path) = (dir.path().join(".a.partial-1"), dir.path().join("a.git"));
        for d in [&partial, &path] {
            std::fs::create_dir_all(d.join("objects")).unwrap();
            std::fs::write(d.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        }
        std::fs::write(path.join("theirs"), "").unwrap();
        move_into_place(&partial, &path).unwrap();
        assert!(!partial.exists() && path.join("theirs").exists());
        // Nothing there: moved.
        std::fs::create_dir_all(partial.join("objects")).unwrap();
        let other = dir.path().join("b.git");
        move_into_place(&partial, &other).unwrap();
        assert!(other.join("objects").is_dir() && !partial.exists());
        // Something that is not a mirror in the way: an error, the clone left to be removed.
        std::fs::create_dir_all(partial.join("objects")).unwrap();
        let blocked = dir.path().join("c.git");
        std::fs::create_dir_all(blocked.join("junk")).unwrap();
        let err = move_into_place(&partial, &blocked).unwrap_err();
        assert!(err.starts_with("cannot move the clone: "), "{err}");
    }
}
