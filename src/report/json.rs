//! The JSON report. Field names are a contract (README "JSON output"): add, never rename.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::finding::{Finding, Root};
use crate::outcome::{Outcome, RepositoryRun};

pub fn finding_json(f: &Finding) -> Value {
    let mut v = json!({
        "rule_id": f.rule_id,
        "confidence": f.confidence,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_column": f.end_column,
        "secret": f.secret,
        "fingerprint": f.fingerprint,
        "snippet": f.snippet,
    });
    if let (Root::Repository(r), Value::Object(map)) = (&f.root, &mut v) {
        map.insert("repository".into(), json!(r));
    }
    if let Value::Object(map) = &mut v {
        map.insert("incident".into(), json!(crate::incident::id(f)));
    }
    if let (Some(p), Value::Object(map)) = (&f.provenance, &mut v)
        && let Ok(Value::Object(fields)) = serde_json::to_value(p)
    {
        map.extend(fields);
    }
    if let (Some(verification), Value::Object(map)) = (&f.verification, &mut v) {
        map.insert("verification".into(), json!(verification));
    }
    if let (Some(suppression), Value::Object(map)) = (&f.suppression, &mut v) {
        map.insert("suppression".into(), json!(suppression));
    }
    v
}

pub fn write(w: &mut dyn Write, out: &Outcome) -> io::Result<()> {
    let doc = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "findings": out.reported().map(finding_json).collect::<Vec<_>>(),
        "suppressed": out.suppressed().map(finding_json).collect::<Vec<_>>(),
        "stats": stats_json(out),
    });
    let doc = match doc {
        Value::Object(mut map) if out.lists_repositories || !out.repositories.is_empty() => {
            map.insert(
                "repositories".into(),
                out.repositories
                    .iter()
                    .map(|r| repository_json(r, out))
                    .collect(),
            );
            Value::Object(map)
        }
        doc => doc,
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

/// The `stats` object: what was read, what was skipped and why (shared by `audit`).
pub fn stats_json(out: &Outcome) -> Value {
    let s = &out.stats;
    json!({
            "files_scanned": s.files_scanned,
            "bytes_scanned": s.bytes_scanned,
            "findings": out.reported().count(),
            "suppressed": out.suppressed().count(),
            "skipped": s.skipped.len(),
            "skipped_by_reason": s.skipped_by_reason(),
            "binary_strict_scanned": s.binary_strict_scanned,
            "skipped_files": s.skipped.iter().map(|k| json!({
                "path": k.path,
                "reason": k.reason.key(),
                "detail": k.reason.to_string(),
            })).collect::<Vec<_>>(),
            "warnings": s.warnings,
            "elapsed_ms": s.elapsed.as_millis() as u64,
    })
}

/// One entry of `repositories`: what was asked for and what became of it.
pub fn repository_json(r: &RepositoryRun, out: &Outcome) -> Value {
    let root = Root::Repository(r.name.clone());
    json!({
        "repository": r.name,
        "uri": r.uri,
        "head": r.head,
        "branch": r.branch,
        "scanned": r.error.is_none(),
        "error": r.error,
        "blobs_scanned": r.blobs_scanned,
        "bytes_scanned": r.bytes_scanned,
        "findings": out.reported().filter(|f| f.root == root).count(),
        "warnings": r.warnings,
    })
}
