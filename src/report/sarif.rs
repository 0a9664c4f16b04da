//! SARIF 2.1.0 for GitHub code scanning, built with serde-sarif's types.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, Invocation, Location, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif,
    Suppression, Tool, ToolComponent, VersionControlDetails,
};
use sha2::{Digest, Sha256};

use super::markdown::plain_text;
use super::vocabulary::{self, Severity};
use crate::finding::RuleInfo;
use crate::finding::{Finding, Root, hex};
use crate::outcome::Outcome;

/// Everything but RFC 3986 unreserved characters and the path separator.
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

pub const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/tokenwarden/tokenwarden";
/// GitHub code scanning's limit on results per run.
const MAX_RESULTS: usize = 25_000;
pub const AUTOMATION_ID: &str = "tokenwarden/";
/// Skipped files beyond this many are summarized in one notification.
const MAX_SKIP_NOTIFICATIONS: usize = 100;

/// One run, or one per repository when the outcome covers several: code scanning keeps
/// alerts per repository, so each run can be uploaded to its own (each has its own
/// category, as code scanning refuses two runs of one category in an upload).
pub fn write(w: &mut dyn Write, out: &Outcome) -> io::Result<()> {
    if out.repositories.len() <= 1 {
        return write_runs(w, vec![run(out)]);
    }
    let runs = out
        .repositories
        .iter()
        .map(|r| {
            let mut run = run(&out.of_repository(&r.name));
            run.automation_details = Some(RunAutomationDetails {
                id: Some(format!("{AUTOMATION_ID}{}/", category(&r.name))),
                ..Default::default()
            });
            run
        })
        .collect();
    write_runs(w, runs)
}

/// A repository's name as a code scanning category: `/`-separated words, no scheme.
fn category(name: &str) -> String {
    name.replacen("://", "/", 1)
        .replace('\\', "/")
        .trim_matches('/')
        .to_string()
}

/// Writes one run as a whole SARIF document.
pub(crate) fn write_run(w: &mut dyn Write, run: Run) -> io::Result<()> {
    write_runs(w, vec![run])
}

fn write_runs(w: &mut dyn Write, runs: Vec<Run>) -> io::Result<()> {
    let sarif = Sarif::builder()
        .schema(SARIF_SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(runs)
        .build();
    serde_json::to_writer_pretty(&mut *w, &sarif)?;
    writeln!(w)
}

pub(crate) fn run(out: &Outcome) -> Run {
    let rules = &out.rules;
    let driver = ToolComponent::builder()
        .name("tokenwarden")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(rules.iter().map(descriptor).collect::<Vec<_>>())
        .build();
    let (kept, omitted) = within_upload_limit(out);
    let mut occurrences: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let results: Vec<SarifResult> = kept
        .into_iter()
        .map(|f| {
            let commit = f.provenance.as_ref().map_or("", |p| p.commit.as_str());
            let n = occurrences
                .entry((&f.fingerprint, &f.path, commit))
                .or_default();
            *n += 1;
            result(f, &out.rule_of(f), rule_index(out, f), *n)
        })
        .collect();
    Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .invocations(vec![invocation(out, omitted)])
        .opt_version_control_provenance(provenance(out))
        // Separates tokenwarden's alerts from other tools' in code scanning.
        .automation_details(RunAutomationDetails {
            id: Some(AUTOMATION_ID.into()),
            ..Default::default()
        })
        .build()
}

/// GitHub rejects a run with more than 25,000 results. Past that, the most serious are
/// kept (unsuppressed, live, error level, high confidence first), in report order.
fn within_upload_limit(out: &Outcome) -> (Vec<&Finding>, usize) {
    let findings = &out.findings;
    if findings.len() <= MAX_RESULTS {
        return (findings.iter().collect(), 0);
    }
    let mut ranked: Vec<(usize, &Finding)> = findings.iter().enumerate().collect();
    ranked.sort_by_key(|(i, f)| {
        (
            f.suppression.is_some(),
            !f.is_live(),
            Severity::of(&out.rule_of(f), f),
            std::cmp::Reverse(f.confidence),
            *i,
        )
    });
    ranked.truncate(MAX_RESULTS);
    ranked.sort_by_key(|(i, _)| *i);
    (
        ranked.into_iter().map(|(_, f)| f).collect(),
        findings.len() - MAX_RESULTS,
    )
}

/// Where `f`'s rule stands in the run's rule list (SARIF `ruleIndex`).
fn rule_index(out: &Outcome, f: &Finding) -> Option<i64> {
    out.rules
        .iter()
        .position(|r| r.id == f.rule_id)
        .map(|i| i as i64)
}

fn descriptor(r: &RuleInfo) -> ReportingDescriptor {
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        Value::String(format!("{:.1}", r.security_severity)),
    );
    props.insert("precision".to_string(), json!("high"));
    ReportingDescriptor::builder()
        .id(&r.id)
        .name(camel_name(&r.id))
        .short_description(text_message(&r.name))
        .full_description(text_message(&r.description))
        .help(
            MultiformatMessageString::builder()
                .text(plain_text(&r.remediation))
                .markdown(vocabulary::remediation_markdown(r))
                .build(),
        )
        // A link chosen by the scanned tree is not one to offer the reader.
        .opt_help_uri(r.help_uri.clone().filter(|_| r.trusted))
        .default_configuration(ReportingConfiguration {
            level: Some(json!(r.severity.as_str())),
            ..Default::default()
        })
        .properties(PropertyBag {
            tags: Some(r.tags.clone()),
            additional_properties: props,
        })
        .build()
}

fn result(f: &Finding, rule: &RuleInfo, index: Option<i64>, occurrence: usize) -> SarifResult {
    let region = Region {
        start_line: Some(f.line as i64),
        start_column: Some(f.column as i64),
        end_column: Some(f.end_column as i64),
        snippet: Some(ArtifactContent {
            text: Some(f.snippet.clone()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let location = location(artifact_uri(&f.root, &f.path), region);
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("secretFingerprint/v1".to_string(), f.fingerprint.clone());
    // Stable across runs and edits elsewhere in the file: no byte offsets, no line
    // numbers. GitHub uses this key to track an alert instead of hashing the line itself.
    fingerprints.insert(
        "primaryLocationLineHash".to_string(),
        format!("{}:{occurrence}", location_hash(f)),
    );
    let mut props = BTreeMap::new();
    props.insert("confidence".to_string(), json!(f.confidence));
    props.insert("fingerprint".to_string(), json!(f.fingerprint));
    props.insert("incident".to_string(), json!(crate::incident::id(f)));
    if let Root::Repository(r) = &f.root {
        props.insert("repository".to_string(), json!(r));
    }
    if let Some(p) = &f.provenance
        && let Ok(Value::Object(fields)) = serde_json::to_value(p)
    {
        props.extend(fields);
    }
    if let Some(v) = &f.verification {
        props.insert("verification".to_string(), json!(v));
    }
    let message = vocabulary::message(rule, f);
    SarifResult::builder()
        .rule_id(&f.rule_id)
        .opt_rule_index(index)
        .level(result_level(Severity::of(rule, f)))
        .message(text(message))
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .opt_suppressions(f.suppression.as_ref().map(|s| {
            vec![
                Suppression::builder()
                    .kind(json!(s.kind))
                    .status(json!("accepted"))
                    .justification(&s.justification)
                    .build(),
            ]
        }))
        .properties(PropertyBag {
            tags: None,
            additional_properties: props,
        })
        .build()
}

/// Where a run of one repository's results came from: its URI, HEAD's commit and branch.
fn provenance(out: &Outcome) -> Option<Vec<VersionControlDetails>> {
    let [r] = out.repositories.as_slice() else {
        return None;
    };
    let details = VersionControlDetails::builder()
        .repository_uri(r.uri.clone()?)
        .opt_revision_id(r.head.clone())
        .opt_branch(r.branch.clone())
        .build();
    Some(vec![details])
}

fn invocation(out: &Outcome, omitted: usize) -> Invocation {
    let warning = |text_: String| {
        Notification::builder()
            .level(json!("warning"))
            .message(text(text_))
            .build()
    };
    let mut notes: Vec<Notification> = out.stats.warnings.iter().cloned().map(warning).collect();
    if omitted > 0 {
        notes.push(warning(format!(
            "{omitted} less serious results were left out: GitHub code scanning accepts at most \
             {MAX_RESULTS} per run; the JSON report has them all"
        )));
    }
    let skipped = &out.stats.skipped;
    notes.extend(
        skipped
            .iter()
            .take(MAX_SKIP_NOTIFICATIONS)
            .map(|s| note(format!("skipped {}: {}", s.path, s.reason))),
    );
    if skipped.len() > MAX_SKIP_NOTIFICATIONS {
        notes.push(note(format!(
            "{} more files skipped; run with --format json to list them all",
            skipped.len() - MAX_SKIP_NOTIFICATIONS
        )));
    }
    let error = out.repositories.iter().find_map(|r| r.error.as_deref());
    if let Some(why) = error {
        notes.insert(
            0,
            Notification::builder()
                .level(json!("error"))
                .message(text(format!("not scanned: {why}")))
                .build(),
        );
    }
    Invocation::builder()
        .execution_successful(error.is_none())
        .opt_tool_execution_notifications((!notes.is_empty()).then_some(notes))
        .build()
}

fn result_level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Note => ResultLevel::Note,
    }
}

pub(crate) fn text_message(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s.trim()).build()
}

pub(crate) fn text(s: String) -> Message {
    Message {
        text: Some(s),
        ..Default::default()
    }
}

fn note(message: String) -> Notification {
    Notification::builder()
        .level(json!("note"))
        .message(text(message))
        .build()
}

/// `okta-api-token` → `OktaApiToken` (SARIF's `name` is an identifier-like label).
pub(crate) fn camel_name(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// From the secret's fingerprint, the path and (for history findings) the introducing
/// commit: never from offsets or line numbers, so the value survives unrelated edits.
fn location_hash(f: &Finding) -> String {
    let mut h = Sha256::new();
    h.update(f.fingerprint.as_bytes());
    h.update(b"\0");
    h.update(f.path.as_bytes());
    if let Some(p) = &f.provenance {
        h.update(b"\0");
        h.update(p.commit.as_bytes());
    }
    hex(&h.finalize()[..8])
}

/// A result's location: the artifact's URI (see `artifact_uri`), and the region in it.
pub(crate) fn location(uri: String, region: Region) -> Location {
    Location {
        physical_location: Some(PhysicalLocation {
            artifact_location: Some(ArtifactLocation {
                uri: Some(uri),
                ..Default::default()
            }),
            region: Some(region),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A relative URI reference: every byte outside RFC 3986 unreserved characters and `/`
/// is percent-encoded.
pub fn uri_path(path: &str) -> String {
    utf8_percent_encode(path, URI_PATH).to_string()
}

/// A finding's artifact URI. Paths in a repository, and paths under a directory scanned by
/// a relative name, are relative references (code scanning resolves them against the
/// checkout). A directory scanned by an absolute name gives absolute paths, which become
/// `file:` URIs (RFC 8089): as relative references, `C:/x` would read as scheme `c` and
/// `/tmp/x` would resolve against the checkout.
pub fn artifact_uri(root: &Root, path: &str) -> String {
    match root {
        Root::Dir(_) => file_uri(path, cfg!(windows)).unwrap_or_else(|| uri_path(path)),
        Root::Repository(_) | Root::Stdin => uri_path(path),
    }
}

/// The `file:` URI of a local repository (SARIF `repositoryUri` is absolute).
pub fn local_uri(path: &std::path::Path) -> Option<String> {
    let absolute = std::fs::canonicalize(path).ok()?;
    file_uri(&crate::source::display_path(&absolute), cfg!(windows))
}

/// `path` (a display path: `/`-separated) as a `file:` URI when it is absolute on this OS
/// (`windows`: drive paths `C:/…` and UNC paths `//server/share/…` too).
fn file_uri(path: &str, windows: bool) -> Option<String> {
    let b = path.as_bytes();
    if windows && path.starts_with("//") {
        return Some(format!("file:{}", uri_path(path)));
    }
    if path.starts_with('/') {
        return Some(format!(
            "file:///{}",
            uri_path(path.trim_start_matches('/'))
        ));
    }
    let drive = b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/';
    (windows && drive).then(|| format!("file:///{}:{}", &path[..1], uri_path(&path[2..])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Confidence;
    use crate::rules::RuleSet;

    fn finding(i: usize, confidence: Confidence) -> Finding {
        Finding {
            rule_id: "okta-api-token".into(),
            root: Default::default(),
            confidence,
            path: format!("f{i}.txt"),
            line: 1,
            column: 1,
            end_column: 43,
            secret: "00ab…".into(),
            fingerprint: format!("{i:024x}"),
            snippet: String::new(),
            provenance: None,
            verification: None,
            secret_id: None,
            suppression: None,
        }
    }

    #[test]
    fn results_are_capped_at_the_upload_limit_keeping_the_most_serious() {
        let rules = RuleSet::load(&[] as &[&std::path::Path]).unwrap();
        let mut out = Outcome {
            findings: (0..MAX_RESULTS + 10)
                .map(|i| finding(i, Confidence::Low))
                .collect(),
            rules: rules.rules.iter().map(|r| r.info.clone()).collect(),
            ..Default::default()
        };
        out.findings[MAX_RESULTS + 5].confidence = Confidence::High;
        let (kept, omitted) = within_upload_limit(&out);
        assert_eq!((kept.len(), omitted), (MAX_RESULTS, 10));
        assert!(
            kept.iter().any(|f| f.confidence == Confidence::High),
            "the high one survives"
        );
        assert!(
            kept.windows(2)
                .all(|w| w[0].path < w[1].path || w[0].fingerprint < w[1].fingerprint)
        );
        let doc = serde_json::to_value(run(&out)).unwrap();
        assert_eq!(doc["results"].as_array().unwrap().len(), MAX_RESULTS);
        let notes = doc["invocations"][0]["toolExecutionNotifications"].to_string();
        assert!(notes.contains("10 less serious results were left out"));
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri_path("a b/c#d.txt"), "a%20b/c%23d.txt");
        assert_eq!(uri_path("<stdin>"), "%3Cstdin%3E");
    }

    #[test]
    fn absolute_paths_become_file_uris_on_every_os() {
        let dir = Root::Dir("x".into());
        assert_eq!(artifact_uri(&dir, "src/a b.env"), "src/a%20b.env");
        assert_eq!(
            artifact_uri(&Root::Repository(".".into()), "C:/x"),
            "C%3A/x",
            "a git path is relative whatever its first directory is called"
        );
        for windows in [false, true] {
            assert_eq!(
                file_uri("/home/me/a b.env", windows).as_deref(),
                Some("file:///home/me/a%20b.env")
            );
            assert_eq!(file_uri("src/a.env", windows), None);
        }
        assert_eq!(
            file_uri("C:/work/repo/.env", true).as_deref(),
            Some("file:///C:/work/repo/.env")
        );
        assert_eq!(
            file_uri("C:/work", false),
            None,
            "a directory named C: on Unix"
        );
        assert_eq!(
            file_uri("//server/share/a#1.env", true).as_deref(),
            Some("file://server/share/a%231.env")
        );
        assert_eq!(
            file_uri("//tmp/a.env", false).as_deref(),
            Some("file:///tmp/a.env")
        );
    }

    #[test]
    fn camel() {
        assert_eq!(camel_name("okta-api-token"), "OktaApiToken");
    }
}
