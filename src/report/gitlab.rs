//! GitLab's secret detection report (`gl-secret-detection-report.json`, report schema 15.x):
//! one vulnerability per reported finding, with file, line, commit, severity and the rule as
//! identifier, for `artifacts: reports: secret_detection`.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::vocabulary;
use crate::finding::Finding;
use crate::finding::RuleInfo;
use crate::outcome::Outcome;

/// The report schema version this writer follows.
pub const SCHEMA_VERSION: &str = "15.2.1";

pub fn write(w: &mut dyn Write, out: &Outcome) -> io::Result<()> {
    let now = jiff::Timestamp::now();
    let start = now - jiff::SignedDuration::try_from(out.stats.elapsed).unwrap_or_default();
    let tool = json!({
        "id": "tokenwarden",
        "name": "tokenwarden",
        "version": env!("CARGO_PKG_VERSION"),
        "vendor": {"name": "tokenwarden"},
        "url": "https://github.com/tokenwarden/tokenwarden",
    });
    let doc = json!({
        "version": SCHEMA_VERSION,
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "secret_detection",
            // GitLab's format: seconds, no zone.
            "start_time": start.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
            "end_time": now.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
            "status": "success",
        },
        "vulnerabilities": out
            .reported()
            .map(|f| vulnerability(f, &out.rule_of(f)))
            .collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

fn vulnerability(f: &Finding, rule: &RuleInfo) -> Value {
    let mut location = json!({
        "file": f.path,
        "start_line": f.line,
        "end_line": f.line,
        // GitLab's own analyzer writes this sha for secrets found outside git history.
        "commit": {"sha": "0000000"},
    });
    if let Some(p) = &f.provenance {
        location["commit"] = json!({
            "sha": p.commit,
            "author": p.author,
            "date": p.date,
            "message": p.summary,
        });
    }
    json!({
        "id": id(f),
        "category": "secret_detection",
        "name": rule.name,
        "description": format!("{} {}", rule.description, vocabulary::message(rule, f)),
        "severity": severity(rule.security_severity, f.is_live()),
        "solution": vocabulary::steps(&rule.remediation).join(" "),
        "raw_source_code_extract": f.snippet,
        "location": location,
        "identifiers": [{
            "type": "tokenwarden_rule_id",
            "name": format!("tokenwarden {}", rule.id),
            "value": rule.id,
        }],
    })
}

/// Stable across runs: the same secret at the same place keeps its id.
fn id(f: &Finding) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [
        &f.fingerprint,
        &f.path,
        &f.line.to_string(),
        &f.column.to_string(),
    ] {
        h.update(part.as_bytes());
        h.update(b"\0");
    }
    crate::finding::hex(&h.finalize()[..16])
}

/// GitHub's security-severity bands, in GitLab's words; a live credential is critical.
fn severity(score: f64, live: bool) -> &'static str {
    match score {
        _ if live => "Critical",
        s if s >= 9.0 => "Critical",
        s if s >= 7.0 => "High",
        s if s >= 4.0 => "Medium",
        _ => "Low",
    }
}
