//! The one-line summary of a run, and how to name this program in hints.

use crate::outcome::Outcome;

/// The one-line summary shown after text output and on stderr for machine formats.
pub fn summary(out: &Outcome, verbose: bool) -> String {
    let s = &out.stats;
    let n = out.reported().count();
    let mut by_conf = Vec::new();
    for c in ["high", "medium", "low"] {
        let k = out
            .reported()
            .filter(|f| f.confidence.as_str() == c)
            .count();
        if k > 0 {
            by_conf.push(format!("{k} {c}"));
        }
    }
    let secrets = crate::incident::group(out.reported()).len();
    let of_secrets = if secrets < n {
        format!(" of {secrets} secret{}", plural(secrets))
    } else {
        String::new()
    };
    let repositories = match out.repositories.len() {
        0 | 1 => String::new(),
        k => format!(" of {k} repositories"),
    };
    let mut line = format!(
        "{n} finding{}{}{of_secrets} in {} {}{} ({}){repositories} in {:.2}s",
        plural(n),
        if by_conf.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_conf.join(", "))
        },
        s.files_scanned,
        match s.unit {
            crate::outcome::Unit::File => "file",
            crate::outcome::Unit::Blob => "blob",
        },
        plural(s.files_scanned as usize),
        crate::size::human_bytes(s.bytes_scanned),
        s.elapsed.as_secs_f64()
    );
    let failed = out
        .repositories
        .iter()
        .filter(|r| r.error.is_some())
        .count();
    if failed > 0 {
        line.push_str(&format!(
            "; {failed} repositor{} not scanned",
            if failed == 1 { "y" } else { "ies" }
        ));
    }
    let suppressed = out.suppressed().count();
    if suppressed > 0 {
        line.push_str(&format!("; {suppressed} suppressed"));
    }
    if !s.skipped.is_empty() {
        let parts: Vec<String> = s
            .skipped_by_reason()
            .iter()
            .map(|(k, v)| format!("{v} {}", k.replace('_', " ")))
            .collect();
        line.push_str(&format!(
            "; skipped {}: {}",
            s.skipped.len(),
            parts.join(", ")
        ));
        if !verbose {
            line.push_str(" (--verbose lists them)");
        }
    }
    line
}

/// How the user can run this program again, for hints: `tokenwarden` when that name finds
/// this binary on PATH, else the path it was started by (a pre-commit environment, an
/// unpacked release, `target/release/tokenwarden`).
pub fn command_name() -> String {
    let Some(argv0) = std::env::args_os().next() else {
        return "tokenwarden".into();
    };
    let started = std::path::PathBuf::from(&argv0);
    if started.components().count() <= 1 {
        return "tokenwarden".into(); // found through PATH already
    }
    let on_path = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            let candidate = dir.join(format!("tokenwarden{}", std::env::consts::EXE_SUFFIX));
            candidate.exists()
                && std::fs::canonicalize(&candidate).ok() == std::fs::canonicalize(&started).ok()
        })
    });
    if on_path {
        "tokenwarden".into()
    } else {
        crate::escape::sanitize(&started.display().to_string())
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
