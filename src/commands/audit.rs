//! `tokenwarden audit [PATH...]`

use crate::audit::data::AuditData;
use crate::audit::evidence::Evidence;
use crate::audit::report;
use crate::audit::sarif::{self as audit_sarif, UsageNote};
use crate::audit::scanner::AuditScanner;
use crate::audit::{Audit, plan};
use crate::cli::{AuditArgs, AuditFormat, EvidenceClass};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::matcher::Matcher;
use crate::outcome::Outcome;
use crate::pipeline::{BlobScanner, EXIT_CLEAN, EXIT_FINDINGS, Windows, write_output};
use crate::redact::Scrubber;
use crate::rules::RuleSet;
use crate::source::fs::{WalkOptions, scan_root};

pub fn run(args: AuditArgs) -> Result<i32> {
    let started = std::time::Instant::now();
    let data = AuditData::load()?;
    let engine = Engine::new(Matcher::new(RuleSet::load(&[] as &[&std::path::Path])?));
    let max_size = args.limits.max_file_size;
    let opts = WalkOptions {
        no_ignore: args.no_ignore,
        max_file_size: max_size,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let mut leaks = Outcome::default();
    let mut audit = Audit::default();
    // Components are named relative to each audited root; with several roots, under the
    // root's name.
    let several = args.paths.len() > 1;
    for root in &args.paths {
        let scanner = AuditScanner::new(
            &data,
            &engine,
            BlobScanner::new(&engine, max_size, Windows::DEFAULT),
        );
        scan_root(&scanner, &|_| false, root, &opts, &mut leaks)?;
        let mut found = scanner.into_audit();
        found.relative_to(root, several);
        audit.sites.append(&mut found.sites);
        audit.calls.append(&mut found.calls);
        audit.manifests.append(&mut found.manifests);
    }
    // Paths, usage snippets and endpoints come from the audited tree: scrubbed like every
    // report (README "Trust model").
    let scrubber = Scrubber::new(&engine.matcher).with_known(engine.vault.seen());
    scrubber.scrub_outcome(&mut leaks);
    for site in &mut audit.sites {
        scrubber.scrub_in_place(&mut site.path);
        scrubber.scrub_in_place(&mut site.walked);
        scrubber.scrub_in_place(&mut site.snippet);
    }
    for call in &mut audit.calls {
        scrubber.scrub_in_place(&mut call.path);
        scrubber.scrub_in_place(&mut call.endpoint);
    }
    for m in &mut audit.manifests {
        scrubber.scrub_in_place(&mut m.path);
    }
    leaks.rules = engine.matcher.rules().iter().map(Into::into).collect();
    leaks.sort();
    leaks.stats.elapsed = started.elapsed();
    let include: Vec<Evidence> = args
        .include_evidence
        .iter()
        .map(|c| match c {
            EvidenceClass::Tests => Evidence::Tests,
            EvidenceClass::Docs => Evidence::Docs,
            EvidenceClass::Catalogues => Evidence::Catalogue,
        })
        .collect();
    let plan = plan::plan(&audit, &include);
    let text = match args.format {
        AuditFormat::Text => report::text(&plan, &audit, &leaks),
        AuditFormat::Json => {
            serde_json::to_string_pretty(&report::json(&plan, &audit, &leaks)).unwrap_or_default()
                + "\n"
        }
        AuditFormat::Markdown => report::markdown(&plan, &args.paths, &leaks),
        AuditFormat::Sarif => {
            let notes: Vec<UsageNote> = audit
                .sites
                .iter()
                .filter(|s| !s.migrated)
                .map(|s| UsageNote {
                    path: &s.walked,
                    line: s.line,
                    pattern: &s.pattern,
                    title: &s.title,
                    snippet: &s.snippet,
                })
                .collect();
            let mut buf = Vec::new();
            audit_sarif::write(&mut buf, &leaks, &notes)
                .map_err(|e| Error::new(format!("cannot write SARIF: {e}")))?;
            String::from_utf8_lossy(&buf).into_owned()
        }
    };
    write_output(args.output.as_deref(), |w| w.write_all(text.as_bytes()))?;
    let usage = audit.sites.iter().any(|s| !s.migrated);
    Ok(
        if leaks.reported().next().is_some() || (args.fail_on_usage && usage) {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        },
    )
}
