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
    embed_json(&mut out, &rules);
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

/// `EMBEDDED_RULES_JSON`: each rule file as JSON without its `examples` and
/// `negative_examples`, in the same order as `EMBEDDED_RULES`. Scanning needs neither the
/// examples (half the text, only `rules check` reads them) nor TOML: parsing the rules was
/// the largest part of the pre-commit hook's start-up, and JSON parses several times
/// faster. A file that does not parse here is left empty (`""`): the program then parses
/// the TOML itself and reports the error as for any rule file. The unit test
/// `embedded_json_is_each_rule_without_its_examples` checks the conversion.
fn embed_json(out: &mut String, files: &[PathBuf]) {
    writeln!(out, "pub static EMBEDDED_RULES_JSON: &[&str] = &[").unwrap();
    for path in files {
        let text = fs::read_to_string(path).unwrap_or_default();
        let json = toml::from_str::<toml::Table>(&text)
            .ok()
            .and_then(|mut table| {
                table.remove("examples");
                table.remove("negative_examples");
                serde_json::to_string(&table).ok()
            })
            .unwrap_or_default();
        writeln!(out, "    {json:?},").unwrap();
    }
    out.push_str("];\n");
}
