//! GitHub Actions output: workflow annotations and the Markdown job summary.

use std::fmt::Write as _;

use super::vocabulary::{self, Severity};
use crate::escape::{markdown_cell as cell, markdown_code, sanitize};
use crate::finding::Finding;
use crate::incident;
use crate::okta::Revocation;
use crate::outcome::{Outcome, SkipReason};
use crate::review::Added;

/// Rows of the job summary table beyond which the rest is counted, not listed.
const SUMMARY_ROWS: usize = 200;

/// One `::error file=…::…` line per reported finding.
pub fn annotations(out: &Outcome) -> String {
    let mut s = String::new();
    for f in out.reported() {
        let rule = out.rule_of(f);
        let command = Severity::of(&rule, f).workflow_command();
        let mut message = vocabulary::message(&rule, f);
        if let Some(v) = f.verification.as_ref().filter(|_| !f.is_live()) {
            let _ = write!(message, " Verification: {}.", vocabulary::verification(v));
        }
        if let Some(p) = &f.provenance {
            let _ = write!(
                message,
                " Added in commit {} by {}.",
                short(&p.commit),
                p.author
            );
        }
        let _ = writeln!(
            s,
            "::{command} file={},line={},col={},endColumn={},title={}::{}",
            property(&f.path),
            f.line,
            f.column,
            f.end_column,
            property(&format!("tokenwarden: {}", rule.name)),
            data(&message)
        );
    }
    s
}

/// Rows of a hidden-findings list in one annotation or summary cell.
const HIDDEN_SHOWN: usize = 5;

/// One `::warning` per suppression the change adds, on the line that adds it.
pub fn review_annotations(added: &[Added]) -> String {
    let mut s = String::new();
    for a in added {
        let _ = writeln!(
            s,
            "::warning file={},line={},title={}::{}{} {}",
            property(&a.path),
            a.line,
            property("tokenwarden: suppression added by this change"),
            data(&a.what),
            data(
                &a.value
                    .as_ref()
                    .map_or_else(String::new, |v| format!(" {v}"))
            ),
            data(&hides(a, false))
        );
    }
    s
}

/// "hides 2 findings: rule secret at path:line, …" (`markdown`: as table cell text).
fn hides(a: &Added, markdown: bool) -> String {
    if a.hides.is_empty() {
        return "hides nothing in this run.".into();
    }
    let mut s = format!(
        "hides {} finding{}: ",
        a.hides.len(),
        if a.hides.len() == 1 { "" } else { "s" }
    );
    let listed: Vec<String> = a
        .hides
        .iter()
        .take(HIDDEN_SHOWN)
        .map(|f| {
            let at = format!("{} {} at {}:{}", f.rule_id, f.secret, f.path, f.line);
            if markdown {
                format!("`{}`", cell(&at))
            } else {
                at
            }
        })
        .collect();
    s.push_str(&listed.join(", "));
    if a.hides.len() > HIDDEN_SHOWN {
        let _ = write!(s, " and {} more", a.hides.len() - HIDDEN_SHOWN);
    }
    s.push('.');
    s
}

/// The Markdown appended to `$GITHUB_STEP_SUMMARY`.
pub fn job_summary(out: &Outcome, scope: &str, added: &[Added]) -> String {
    let reported: Vec<&Finding> = out.reported().collect();
    let mut incidents = incident::group(reported.iter().copied());
    // Live tokens first, the worst impact first: the rows a responder acts on.
    incidents.sort_by_key(|i| std::cmp::Reverse(vocabulary::urgency(i.first())));
    let mut s = String::new();
    let secrets = if incidents.len() < reported.len() {
        format!(
            " of {} secret{}",
            incidents.len(),
            if incidents.len() == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        s,
        "## tokenwarden: {} finding{}{secrets}\n\n{scope}\n",
        reported.len(),
        if reported.len() == 1 { "" } else { "s" }
    );
    if !reported.is_empty() {
        s.push_str("| | rule | location | commit | verification |\n|---|---|---|---|---|\n");
        for i in incidents.iter().take(SUMMARY_ROWS) {
            let f = i.first();
            let icon = if f.is_live() { "🔴" } else { "🟠" };
            let commit = f
                .provenance
                .as_ref()
                .map_or("–".to_string(), |p| format!("`{}`", short(&p.commit)));
            let verification = f
                .verification
                .as_ref()
                .map_or_else(|| "–".to_string(), |v| cell(&vocabulary::verification(v)));
            let more = match i.others().len() {
                0 => String::new(),
                n => format!(
                    " and {n} more place{} (same secret)",
                    if n == 1 { "" } else { "s" }
                ),
            };
            let _ = writeln!(
                s,
                "| {icon} | `{}` ({}) | `{}:{}`{more} | {commit} | {verification} |",
                f.rule_id,
                f.confidence,
                cell(&f.path),
                f.line
            );
        }
        if incidents.len() > SUMMARY_ROWS {
            let _ = writeln!(
                s,
                "\n…and {} more secrets (see the SARIF file or code scanning).",
                incidents.len() - SUMMARY_ROWS
            );
        }
        s.push_str("\n### What to do\n\n");
        let mut seen = Vec::new();
        for f in &reported {
            if !seen.contains(&&f.rule_id) {
                seen.push(&f.rule_id);
                let r = out.rule_of(f);
                if r.trusted {
                    let _ = writeln!(s, "**{}**:\n", r.name);
                    for step in vocabulary::steps(&r.remediation) {
                        let _ = writeln!(s, "{step}");
                    }
                } else {
                    let _ = writeln!(
                        s,
                        "`{}`:\n\n{}",
                        markdown_code(&r.name),
                        vocabulary::remediation_markdown(&r)
                    );
                }
                s.push('\n');
            }
        }
    }
    if !added.is_empty() {
        let _ = writeln!(
            s,
            "### Suppressions this change adds ({})\n\nEach silences findings without fixing \
             them: check that what it hides is not a real secret.\n\n| added at | suppression | \
             what it hides in this run |\n|---|---|---|",
            added.len()
        );
        for a in added.iter().take(SUMMARY_ROWS) {
            let _ = writeln!(
                s,
                "| `{}:{}` | {}{} | {} |",
                cell(&a.path),
                a.line,
                a.what,
                a.value
                    .as_ref()
                    .map_or_else(String::new, |v| format!(" `{}`", cell(v))),
                hides(a, true)
            );
        }
        if added.len() > SUMMARY_ROWS {
            let _ = writeln!(s, "\n…and {} more.", added.len() - SUMMARY_ROWS);
        }
        s.push('\n');
    }
    let suppressed = out.suppressed().count();
    let _ = writeln!(
        s,
        "{} files ({}) scanned{}.",
        out.stats.files_scanned,
        crate::size::human_bytes(out.stats.bytes_scanned),
        if suppressed > 0 {
            format!(", {suppressed} suppressed findings")
        } else {
            String::new()
        }
    );
    let binary: Vec<&str> = out
        .stats
        .skipped
        .iter()
        .filter(|k| matches!(k.reason, SkipReason::Binary))
        .map(|k| k.path.as_str())
        .collect();
    if !binary.is_empty() {
        // A NUL byte is enough to look binary: say which files got only the strict pass.
        let shown: Vec<String> = binary
            .iter()
            .take(HIDDEN_SHOWN * 4)
            .map(|p| format!("`{}`", cell(p)))
            .collect();
        let _ = writeln!(
            s,
            "\n{} binary file{} searched for high-confidence tokens only (the full rules do not \
             run on binary content): {}{}.",
            binary.len(),
            if binary.len() == 1 { " was" } else { "s were" },
            shown.join(", "),
            if binary.len() > shown.len() {
                format!(" and {} more", binary.len() - shown.len())
            } else {
                String::new()
            }
        );
    }
    for w in &out.stats.warnings {
        let _ = writeln!(s, "\n> ⚠️ {}", sanitize(w));
    }
    s
}

/// What revoking live tokens came to, one annotation each: a notice when revoked, an error
/// when not.
pub fn revocation_annotations(results: &[(&Finding, Revocation)]) -> String {
    let mut s = String::new();
    for (f, outcome) in results {
        let at = format!(
            "the live token {} ({}:{}) at {}",
            f.secret,
            f.path,
            f.line,
            f.verified_org().unwrap_or("its org")
        );
        let (command, message) = match outcome {
            Revocation::Revoked => ("notice", format!("revoked {at}")),
            Revocation::AlreadyInvalid => ("notice", format!("{at} was already invalid")),
            Revocation::Failed(why) => (
                "error",
                format!(
                    "could not revoke {at}: {why}; revoke it in the Admin Console (Security → API → Tokens)"
                ),
            ),
        };
        let _ = writeln!(s, "::{command} title=tokenwarden::{}", data(&message));
    }
    s
}

/// The job summary's section for revoked live tokens.
pub fn revocation_summary(results: &[(&Finding, Revocation)]) -> String {
    if results.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "\n### Live tokens revoked (revoke-live)\n\n| token | location | result |\n|---|---|---|\n",
    );
    for (f, outcome) in results {
        let result = match outcome {
            Revocation::Revoked => "revoked: it no longer works".to_string(),
            Revocation::AlreadyInvalid => "already invalid".to_string(),
            Revocation::Failed(why) => format!("**failed**: {}", sanitize(why)),
        };
        let _ = writeln!(
            s,
            "| `{}` | `{}:{}` | {} |",
            f.secret,
            cell(&f.path),
            f.line,
            result.replace('|', "\\|")
        );
    }
    s.push_str("\nReview each owner's activity in the System Log (Admin Console → Reports → System Log, filter `actor.id eq \"<owner id>\"`), then replace the tokens with OAuth 2.0 service apps.\n");
    s
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(10)]
}

/// Escaping for a workflow command's message. Controls and bidi characters (from file
/// names, author names) are escaped first: the runner passes a raw ESC or U+202E through
/// to the log and the annotation.
fn data(s: &str) -> String {
    sanitize(s).replace('%', "%25")
}

/// Escaping for a workflow command's properties.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("a%b\rc"), "a%25b\\u{d}c");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(property("x\x1b[2J\u{202e}y.sh"), "x\\u{1b}[2J\\u{202e}y.sh");
    }

    #[test]
    fn the_job_summary_has_a_row_per_secret() {
        let out = Outcome {
            findings: vec![
                Finding::example("a.yaml", "1"),
                Finding::example("b.yaml", "1"),
                Finding::example("c.yaml", "2"),
            ],
            ..Default::default()
        };
        let s = job_summary(&out, "scope", &[]);
        assert!(
            s.starts_with("## tokenwarden: 3 findings of 2 secrets"),
            "{s}"
        );
        assert!(
            s.contains("`a.yaml:1` and 1 more place (same secret)"),
            "{s}"
        );
        assert!(!s.contains("b.yaml"), "{s}");
        assert!(s.contains("`c.yaml:1` |"), "{s}");
    }
}
