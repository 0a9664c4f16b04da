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
    embed(&mut out, "EMBEDDED_RULES", "rules", &toml_files(&rules_dir));
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
