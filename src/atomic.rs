//! Reports written with `-o FILE` appear whole or not at all: they are written to a
//! temporary file beside the target and renamed over it, so a reader (or a second
//! concurrent run) never sees a half-written report.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Writes `path` through `fill`. On any error the temporary file is removed and `path`
/// is left as it was. Replacing a symbolic link to a file replaces the link, not its target.
///
/// Only regular files (or paths that do not exist yet) are replaced: `-o /dev/null`, a FIFO
/// or `/dev/stdout` are written in place. Renaming over them would replace a device with a
/// file, for everyone on the machine. On Windows the same holds for `NUL`, `CON` and the
/// other reserved names, in any directory and with any extension.
pub fn write_file(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let device = cfg!(windows)
        && path
            .file_name()
            .is_some_and(|n| is_windows_device_name(&n.to_string_lossy()));
    if device || fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let mut w = BufWriter::new(OpenOptions::new().write(true).open(path)?);
        fill(&mut w)?;
        return w.flush();
    }
    let (tmp, file) = create_temp_beside(path)?;
    let written = (|| {
        let mut w = BufWriter::new(file);
        fill(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    let result = written.and_then(|()| replace(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Renames `tmp` over `path`. On Windows the rename fails with "access denied" while
/// another program holds `path` open (an editor, a viewer, a virus scanner reading the file
/// just written): it is tried for a second, then the error says what to look for.
fn replace(tmp: &Path, path: &Path) -> io::Result<()> {
    let mut waited = 0;
    loop {
        match fs::rename(tmp, path) {
            Err(e) if cfg!(windows) && e.kind() == io::ErrorKind::PermissionDenied => {
                if waited >= 10 {
                    return Err(io::Error::new(
                        e.kind(),
                        format!("{e} (is the file open in another program?)"),
                    ));
                }
                waited += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            result => return result,
        }
    }
}

/// Names Windows reserves for devices in every directory, whatever follows the first dot
/// (`nul`, `NUL.json`, `com1.sarif`, `CON .txt`).
fn is_windows_device_name(name: &str) -> bool {
    let stem = name
        .split('.')
        .next()
        .unwrap_or_default()
        .trim_end_matches(' ');
    let upper = stem.to_ascii_uppercase();
    let numbered = |prefix: &str| {
        upper.strip_prefix(prefix).is_some_and(|n| {
            let mut c = n.chars();
            matches!(
                (c.next(), c.next()),
                (Some('1'..='9' | '¹' | '²' | '³'), None)
            )
        })
    };
    matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || numbered("COM")
        || numbered("LPT")
}

/// A new file `.NAME.tokenwarden-PID-N.tmp` in `path`'s directory (the same file system,
/// so the rename is atomic), created exclusively so two runs never share one.
fn create_temp_beside(path: &Path) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(
            ".{name}.tokenwarden-{}-{n}.tmp",
            std::process::id()
        ));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_the_old_file_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        fs::write(&path, "old").unwrap();
        let err = write_file(&path, |w: &mut dyn Write| {
            w.write_all(b"half")?;
            Err(io::Error::other("boom"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        write_file(&path, |w: &mut dyn Write| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn windows_device_names_are_recognised() {
        for name in [
            "NUL",
            "nul",
            "nul.json",
            "CON .txt",
            "com1.sarif",
            "LPT9",
            "COM¹",
        ] {
            assert!(is_windows_device_name(name), "{name}");
        }
        for name in [
            "null",
            "nul-report.json",
            "com10",
            "COM0",
            "console.txt",
            "report.nul",
        ] {
            assert!(!is_windows_device_name(name), "{name}");
        }
    }

    /// `-o /dev/null` and friends: written in place, never replaced by a regular file. A
    /// FIFO stands in for the device (a test must not risk the machine's /dev/null).
    #[cfg(unix)]
    #[test]
    fn special_files_are_written_in_place() {
        use std::io::Read;
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut got = String::new();
                fs::File::open(&fifo)
                    .unwrap()
                    .read_to_string(&mut got)
                    .unwrap();
                got
            })
        };
        write_file(&fifo, |w: &mut dyn Write| w.write_all(b"report")).unwrap();
        assert_eq!(reader.join().unwrap(), "report");
        assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn replaces_a_symlink_not_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("shared");
        fs::write(&target, "shared").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_file(&link, |w: &mut dyn Write| w.write_all(b"mine")).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "shared");
        assert_eq!(fs::read_to_string(&link).unwrap(), "mine");
        assert!(
            !fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}
