//! `tokenwarden rules list|check`

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use crate::check::check_examples;
use crate::cli::{ListFormat, RulesCommand};
use crate::error::{Error, Result};
use crate::matcher::Matcher;
use crate::pipeline::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::rules::{Rule, RuleSet};

pub fn run(cmd: RulesCommand) -> Result<i32> {
    match cmd {
        RulesCommand::List {
            ids,
            rules,
            verbose,
            format,
        } => list(&ids, &rules, verbose, format),
        RulesCommand::Check { dir, no_redact } => check(dir, !no_redact),
    }
}

fn list(ids: &[String], dirs: &[PathBuf], verbose: bool, format: ListFormat) -> Result<i32> {
    let set = RuleSet::load(dirs)?;
    for id in ids {
        if set.index_of(id).is_none() {
            return Err(Error::new(format!(
                "no rule `{id}` (tokenwarden rules list shows them all)"
            )));
        }
    }
    let selected: Vec<&Rule> = set
        .rules
        .iter()
        .filter(|r| ids.is_empty() || ids.contains(&r.info.id))
        .collect();
    let mut w = std::io::stdout().lock();
    let written = match format {
        ListFormat::Json => {
            let doc: Vec<_> = selected
                .iter()
                .map(|r| {
                    json!({
                        "id": r.info.id,
                        "name": r.info.name,
                        "description": r.info.description,
                        "severity": r.info.severity.as_str(),
                        "security_severity": r.info.security_severity,
                        "keywords": r.keywords,
                        "tags": r.info.tags,
                        "origin": r.origin,
                        "remediation": r.info.remediation.trim(),
                    })
                })
                .collect();
            writeln!(
                w,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            )
        }
        ListFormat::Text => selected
            .iter()
            .try_for_each(|r| write_rule(&mut w, r, verbose)),
    };
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::new(format!("cannot write rules: {e}")))
        }
        _ => Ok(EXIT_CLEAN),
    }
}

fn write_rule(w: &mut dyn Write, r: &Rule, verbose: bool) -> std::io::Result<()> {
    writeln!(
        w,
        "{:<24} {:<8} {:>4}  {}",
        r.info.id,
        r.info.severity.as_str(),
        format!("{:.1}", r.info.security_severity),
        r.info.name
    )?;
    if verbose {
        writeln!(w, "  {}", r.info.description)?;
        writeln!(w, "  defined in {}", r.origin)?;
        writeln!(w, "  default confidence: {}", r.confidence)?;
        for c in &r.contexts {
            if let Some(d) = &c.description {
                writeln!(w, "  {:<6} {d}", c.confidence.as_str())?;
            }
        }
        writeln!(w)?;
        for line in crate::report::plain_text(&r.info.remediation).lines() {
            writeln!(w, "  {line}")?;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn check(dir: Option<PathBuf>, redact: bool) -> Result<i32> {
    let (set, only) = match &dir {
        None => (RuleSet::load_eager(&[] as &[PathBuf])?, None),
        Some(d) => {
            // Checked next to the built-in rules, so `supersedes` behaves as in a scan.
            let (set, ids) = RuleSet::load_for_check(d)?;
            let idx: Vec<usize> = ids.iter().filter_map(|id| set.index_of(id)).collect();
            (set, Some(idx))
        }
    };
    let matcher = Matcher::new(set);
    let report = check_examples(&matcher, only.as_deref(), redact);
    let checked = only.as_ref().map_or(matcher.rules().len(), Vec::len);
    for f in &report.failures {
        println!("FAIL {} ({}): {}", f.rule_id, f.origin, f.message);
    }
    println!(
        "{} rule{}, {} examples checked, {} failure{}",
        checked,
        if checked == 1 { "" } else { "s" },
        report.examples,
        report.failures.len(),
        if report.failures.len() == 1 { "" } else { "s" }
    );
    Ok(if report.failures.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}
