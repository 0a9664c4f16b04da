//! `tokenwarden audit [PATH...]`

use crate::audit::data::AuditData;
use crate::audit::evidence::Evidence;
use crate::audit::report;
use crate::audit::sarif::{self as audit_sarif, UsageNote};
use crate::audit::scanner::AuditScanner;
use crate::audit::{Audit, plan, terraform};
use crate::cli::{AuditArgs, AuditFormat, EvidenceClass};
use crate::error::{Error, Result};
use crate::finding::Root;
use crate::outcome::Outcome;
use crate::pipeline::{EXIT_CLEAN, EXIT_FINDINGS, Pipeline, write_output};
use crate::settings::Settings;
use crate::source::display_path;
use crate::source::fs::{WalkOptions, scan_root};

pub fn run(args: AuditArgs) -> Result<i32> {
    let started = std::time::Instant::now();
    let emit_dir = match args.emit.as_deref() {
        None => None,
        Some([kind, dir]) if kind.as_os_str() == "terraform" => Some(dir.clone()),
        Some(other) => {
            return Err(Error::new(format!(
                "--emit {}: the kind of code to emit is `terraform` (--emit terraform DIR)",
                other
                    .first()
                    .map(|k| crate::escape::sanitize(&k.to_string_lossy()))
                    .unwrap_or_default()
            )));
        }
    };
    let data = AuditData::load()?;
    // The scan's own pipeline: the same rules, each root's settings, scrubbing and order.
    let settings = Settings {
        max_file_size: args.limits.max_file_size,
        ..Settings::new()
    };
    let roots: Vec<&std::path::Path> = args.paths.iter().map(|p| p.as_path()).collect();
    let pipeline = Pipeline::new(&settings, &roots)?;
    let engine = pipeline.engine();
    let opts = WalkOptions {
        no_ignore: args.no_ignore,
        max_file_size: pipeline.max_size(),
        threads: pipeline.threads(),
    };
    let mut leaks = Outcome::default();
    let mut audit = Audit::default();
    // Components are named relative to each audited root; with several roots, under the
    // root's name.
    let several = args.paths.len() > 1;
    for (i, root) in args.paths.iter().enumerate() {
        let scanner = AuditScanner::new(&data, engine, pipeline.scanner(i));
        let from = leaks.mark();
        scan_root(&scanner, &pipeline.allowed(i), root, &opts, &mut leaks)?;
        leaks.set_root(from, &Root::Dir(display_path(root)));
        let mut found = scanner.into_audit();
        found.relative_to(root, several);
        audit.sites.append(&mut found.sites);
        audit.calls.append(&mut found.calls);
        audit.manifests.append(&mut found.manifests);
    }
    // Paths, usage snippets and endpoints come from the audited tree: scrubbed like every
    // report (README "Trust model").
    pipeline.settle(&mut leaks);
    for site in &mut audit.sites {
        for text in [&mut site.path, &mut site.walked, &mut site.snippet] {
            *text = pipeline.scrub(text);
        }
    }
    for call in &mut audit.calls {
        for text in [&mut call.path, &mut call.endpoint] {
            *text = pipeline.scrub(text);
        }
        if let Some(sdk) = &mut call.sdk {
            sdk.written = pipeline.scrub(&sdk.written);
            if let Some(d) = &mut sdk.defined_in {
                *d = pipeline.scrub(d);
            }
        }
    }
    for m in &mut audit.manifests {
        m.path = pipeline.scrub(&m.path);
    }
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
    let plan = plan::plan(&audit, &include, &data.roles);
    if let Some(dir) = &emit_dir {
        emit_terraform(&plan, dir)?;
    }
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
    let usage = audit.sites.iter().any(|s| !s.migrated && !s.client_secret);
    Ok(
        if leaks.reported().next().is_some() || (args.fail_on_usage && usage) {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        },
    )
}

/// `--emit terraform DIR`: the service apps as HCL, and a line on standard error saying
/// what was written.
fn emit_terraform(plan: &plan::Plan, dir: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, &e))?;
    let path = dir.join(terraform::FILE_NAME);
    let hcl = terraform::emit(plan);
    crate::atomic::write_file(&path, |w| w.write_all(hcl.as_bytes()))
        .map_err(|e| Error::io("write", &path, &e))?;
    let apps = plan
        .components
        .iter()
        .filter(|c| !c.scopes.is_empty())
        .count();
    eprintln!(
        "tokenwarden: wrote {} ({apps} service app{}); run `terraform init && terraform plan` there",
        display_path(&path),
        if apps == 1 { "" } else { "s" }
    );
    Ok(())
}
