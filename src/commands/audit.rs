//! `tokenwarden audit [PATH...]`

use std::fs;
use std::io::Write;

use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::audit::data::AuditData;
use crate::audit::{Audit, audit_blob, report};
use crate::cli::{AuditArgs, AuditFormat};
use crate::engine::{Engine, looks_binary};
use crate::error::{Error, Result};
use crate::matcher::Matcher;
use crate::outcome::{Outcome, SkipReason, Skipped};
use crate::redact::Scrubber;
use crate::report::{UsageNote, write_sarif_with_usage};
use crate::rules::RuleSet;
use crate::source::display_path;
use crate::source::fs::{WalkOptions, walk_builder};

pub fn run(args: AuditArgs) -> Result<i32> {
    let data = AuditData::load()?;
    let engine = Engine::new(Matcher::new(RuleSet::load(&[] as &[&std::path::Path])?));
    let opts = WalkOptions {
        no_ignore: args.no_ignore,
        max_file_size: args.max_file_size,
        threads: 1,
    };
    let mut audit = Audit::default();
    let mut leaks = Outcome::default();
    for root in &args.paths {
        fs::metadata(root).map_err(|e| Error::io("audit", root, &e))?;
        // Audits are one-off reports, not a hot path: a serial walk keeps output order.
        for entry in walk_builder(root, &opts).build() {
            let Ok(entry) = entry else { continue };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = display_path(entry.path());
            let too_big = entry.metadata().is_ok_and(|m| m.len() > args.max_file_size);
            let data_bytes = match fs::read(entry.path()) {
                Ok(d) if !too_big && !looks_binary(&d) => d,
                Ok(_) => continue,
                Err(e) => {
                    leaks.stats.skipped.push(Skipped {
                        path,
                        reason: SkipReason::Unreadable(crate::error::describe_io(&e)),
                    });
                    continue;
                }
            };
            leaks.stats.files_scanned += 1;
            leaks.stats.bytes_scanned += data_bytes.len() as u64;
            audit_blob(&data, &engine, &path, &data_bytes, &mut audit);
            leaks.findings.extend(engine.scan_blob(&path, &data_bytes));
        }
    }
    // Paths, usage snippets and endpoints come from the audited tree: scrubbed like every
    // report (README "Trust model").
    let scrubber = Scrubber::new(&engine.matcher).with_known(engine.vault.seen());
    scrubber.scrub_outcome(&mut leaks);
    for site in &mut audit.sites {
        scrubber.scrub_in_place(&mut site.path);
        scrubber.scrub_in_place(&mut site.snippet);
    }
    for call in &mut audit.calls {
        scrubber.scrub_in_place(&mut call.path);
        scrubber.scrub_in_place(&mut call.endpoint);
    }
    leaks.sort();
    let text = match args.format {
        AuditFormat::Text => report::text(&audit, &leaks),
        AuditFormat::Json => {
            serde_json::to_string_pretty(&report::json(&audit, &leaks)).unwrap_or_default() + "\n"
        }
        AuditFormat::Markdown => report::markdown(&audit, &leaks),
        AuditFormat::Sarif => {
            let notes: Vec<UsageNote> = audit
                .sites
                .iter()
                .filter(|s| !s.migrated)
                .map(|s| UsageNote {
                    path: &s.path,
                    line: s.line,
                    pattern: &s.pattern,
                    title: &s.title,
                    snippet: &s.snippet,
                })
                .collect();
            let mut buf = Vec::new();
            write_sarif_with_usage(&mut buf, &leaks, engine.matcher.rules(), &notes)
                .map_err(|e| Error::new(format!("cannot write SARIF: {e}")))?;
            String::from_utf8_lossy(&buf).into_owned()
        }
    };
    match &args.output {
        Some(p) => crate::atomic::write_file(p, |w| w.write_all(text.as_bytes()))
            .map_err(|e| Error::io("write report to", p, &e))?,
        None => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
    let usage = audit.sites.iter().any(|s| !s.migrated);
    Ok(
        if leaks.reported().next().is_some() || (args.fail_on_usage && usage) {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        },
    )
}
