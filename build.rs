//! Embeds every `rules/*.toml` (detection rules) and `rules/audit/*.toml` (audit data)
//! into the binary, so a release build needs no data files.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let rules_dir = Path::new(&manifest).join("rules");
    let mut out = String::new();
    let rules = toml_files(&rules_dir);
    embed(&mut out, "EMBEDDED_RULES", "rules", &rules);
    embed_without_examples(&mut out, &rules);
    embed(
        &mut out,
        "EMBEDDED_AUDIT",
        "rules/audit",
        &toml_files(&rules_dir.join("audit")),
    );
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded_rules.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|x| x == "toml"));
    files.sort();
    files
}

fn embed(out: &mut String, name: &str, dir: &str, files: &[PathBuf]) {
    writeln!(out, "pub static {name}: &[(&str, &str)] = &[").unwrap();
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let file = path.file_name().unwrap().to_string_lossy();
        writeln!(
            out,
            "    (\"{dir}/{file}\", include_str!({:?})),",
            path.display()
        )
        .unwrap();
    }
    out.push_str("];\n");
}

/// `EMBEDDED_RULES_NO_EXAMPLES`: each rule file without its `[[examples]]` and
/// `[[negative_examples]]` tables, in the same order as `EMBEDDED_RULES`. Examples are half
/// the text, only `rules check` reads them, and parsing TOML was a third of the pre-commit
/// hook's start-up. The unit test `embedded_rules_without_examples_are_the_same_rules` checks
/// this split against the whole files.
fn embed_without_examples(out: &mut String, files: &[PathBuf]) {
    writeln!(out, "pub static EMBEDDED_RULES_NO_EXAMPLES: &[&str] = &[").unwrap();
    for path in files {
        let text = fs::read_to_string(path).expect("rule files are UTF-8");
        writeln!(out, "    {:?},", without_examples(&text)).unwrap();
    }
    out.push_str("];\n");
}

/// `text` without the top-level tables `[[examples]]` and `[[negative_examples]]`: a table
/// runs from its header line to the next header line outside a string. Multi-line strings
/// (`"""`, `'''`) are followed so that a line inside one that looks like a header (an INI or
/// TOML snippet in an example) is not taken for one.
fn without_examples(text: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    let mut in_string: Option<&str> = None;
    for line in text.split_inclusive('\n') {
        if in_string.is_none() {
            let t = line.trim_start();
            if t.starts_with('[') {
                let header = t.trim_end();
                skipping = header == "[[examples]]" || header == "[[negative_examples]]";
            }
        }
        in_string = string_state(line, in_string);
        if !skipping {
            out.push_str(line);
        }
    }
    out
}

/// Whether a multi-line string is still open after `line`, given the one open before it.
fn string_state<'a>(line: &str, mut open: Option<&'a str>) -> Option<&'a str> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match open {
            Some(delim) => {
                if delim == "\"\"\"" && b[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if b[i..].starts_with(delim.as_bytes()) {
                    // A closing delimiter may be followed by up to two more quotes.
                    i += 3;
                    open = None;
                    continue;
                }
                i += 1;
            }
            None => match b[i] {
                b'#' => break,
                b'"' | b'\'' => {
                    let q = b[i];
                    let triple = if q == b'"' { "\"\"\"" } else { "\'\'\'" };
                    if b[i..].starts_with(triple.as_bytes()) {
                        open = Some(triple);
                        i += 3;
                    } else {
                        // A single-line string: to its closing quote (escapes in "…").
                        i += 1;
                        while i < b.len() && b[i] != q {
                            if q == b'"' && b[i] == b'\\' {
                                i += 1;
                            }
                            i += 1;
                        }
                        i += 1;
                    }
                }
                _ => i += 1,
            },
        }
    }
    open
}
