//! `tokenwarden install-hook`: writes hooks/pre-commit into the repository's effective
//! hooks directory.

use std::fs;
use std::path::Path;

use crate::cli::InstallHookArgs;
use crate::error::{Error, Result};
use crate::pipeline::EXIT_CLEAN;
use crate::source::git::hooks_dir;

pub const HOOK: &str = include_str!("../../hooks/pre-commit");

/// The hook as written: LF line endings whatever the checkout it was built from did (a CR
/// would reach `sh` as part of every command).
fn hook() -> String {
    HOOK.replace("\r\n", "\n")
}
/// Identifies a hook written by any version of tokenwarden (safe to replace).
const MARKER: &str = "tokenwarden pre-commit hook";

pub fn run(args: InstallHookArgs) -> Result<i32> {
    let dir = hooks_dir(&args.repo)?;
    let path = dir.join("pre-commit");
    match fs::read_to_string(&path) {
        Ok(existing) if existing == hook() => {
            println!(
                "tokenwarden pre-commit hook already installed at {}",
                path.display()
            );
            return Ok(EXIT_CLEAN);
        }
        Ok(existing) if !existing.contains(MARKER) && !args.force => {
            return Err(Error::new(format!(
                "{} already exists and is not tokenwarden's hook; rerun with --force to replace it \
                 (or call `tokenwarden staged` from your existing hook)",
                path.display()
            )));
        }
        _ => {}
    }
    fs::create_dir_all(&dir).map_err(|e| Error::io("create hooks directory", &dir, &e))?;
    // Written beside and renamed over: a symlinked hook (often shared by many repositories)
    // is replaced as a link, its target left alone.
    crate::atomic::write_file(&path, |w| w.write_all(hook().as_bytes()))
        .map_err(|e| Error::io("write hook", &path, &e))?;
    make_executable(&path)?;
    println!(
        "installed tokenwarden pre-commit hook at {}",
        path.display()
    );
    Ok(EXIT_CLEAN)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io("make executable", path, &e))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hook_is_written_with_lf_line_endings() {
        assert!(!hook().contains('\r'));
        assert!(hook().starts_with("#!/bin/sh\n") || hook().starts_with("#!/usr/bin/env sh\n"));
    }
}
