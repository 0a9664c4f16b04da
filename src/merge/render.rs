//! A merged report for people: Markdown (a job summary, a ticket) and plain text. Paths,
//! repository names and verdicts come from scanned repositories and remote servers, so
//! every one goes through the Markdown escapes.

use std::fmt::Write as _;

use serde_json::Value;

use super::model::{Incident, Location, Merged};
use crate::escape::{markdown_cell as cell, sanitize};
use crate::size::human_bytes;

/// Places listed under each incident before the rest are counted.
const PLACES_SHOWN: usize = 10;
/// Incidents listed in detail before the rest are only in the table.
const DETAILS_SHOWN: usize = 50;
/// Table rows: a GitHub job summary holds at most 1 MiB, and a thousand-row table is read
/// by nobody; the JSON report has them all.
const ROWS_SHOWN: usize = 500;

pub fn markdown(m: &Merged) -> String {
    let mut s = String::new();
    let ranked = m.ranked();
    let _ = writeln!(s, "## tokenwarden: {}\n", headline(m));
    let _ = writeln!(
        s,
        "{}. An incident is one leaked secret, wherever it was copied.\n",
        coverage(m)
    );
    if !ranked.is_empty() {
        s.push_str(
            "| | secret | rule | confidence | places | repositories | first seen | at HEAD | verification |\n\
             |---|---|---|---|---|---|---|---|---|\n",
        );
        for i in ranked.iter().take(ROWS_SHOWN) {
            let _ = writeln!(
                s,
                "| {} | `{}` | `{}` | {} | {} | {} | {} | {} | {} |",
                icon(i),
                cell(&i.secret),
                cell(&i.rule_id),
                i.confidence,
                i.locations.len(),
                i.repositories().len(),
                i.first_seen
                    .as_deref()
                    .map_or("–".to_string(), |d| cell(day(d))),
                if i.at_head { "yes" } else { "no" },
                cell(&verdict(i))
            );
        }
        if ranked.len() > ROWS_SHOWN {
            let _ = writeln!(
                s,
                "\n…and {} more incidents (the JSON report lists every one).",
                ranked.len() - ROWS_SHOWN
            );
        }
        s.push('\n');
        for i in ranked.iter().take(DETAILS_SHOWN) {
            let _ = writeln!(
                s,
                "### {} `{}` ({}), fingerprint `{}`\n",
                icon(i),
                cell(&i.secret),
                cell(&i.rule_id),
                cell(&i.fingerprint)
            );
            for l in i.locations.iter().take(PLACES_SHOWN) {
                let _ = writeln!(s, "- {}", place_markdown(l));
            }
            if i.locations.len() > PLACES_SHOWN {
                let _ = writeln!(
                    s,
                    "- …and {} more (the JSON report lists every place)",
                    i.locations.len() - PLACES_SHOWN
                );
            }
            s.push('\n');
        }
        if ranked.len() > DETAILS_SHOWN {
            let _ = writeln!(
                s,
                "…and {} more incidents, not detailed here.\n",
                ranked.len() - DETAILS_SHOWN
            );
        }
        s.push_str(
            "Revoke each secret once, wherever it appears (`tokenwarden revoke` revokes live Okta \
             API tokens), then replace it: an OAuth 2.0 service app with client credentials \
             (`private_key_jwt`) and only the scopes it needs. Removing the files does not \
             un-leak a token that history still holds.\n\n",
        );
    }
    let failed: Vec<_> = m.failed_repositories().collect();
    if !failed.is_empty() {
        let _ = writeln!(s, "### Not scanned ({})\n", failed.len());
        for (name, r) in failed {
            let _ = writeln!(
                s,
                "- `{}`: {}",
                cell(name),
                cell(r["error"].as_str().unwrap_or("unknown error"))
            );
        }
        s.push('\n');
    }
    s
}

pub fn text(m: &Merged) -> String {
    let mut s = String::new();
    for i in m.ranked() {
        let _ = writeln!(
            s,
            "{} {} [{}] {} place{} in {} repositor{}; {}; {}{}",
            sanitize(&i.rule_id),
            sanitize(&i.secret),
            i.confidence,
            i.locations.len(),
            if i.locations.len() == 1 { "" } else { "s" },
            i.repositories().len(),
            if i.repositories().len() == 1 {
                "y"
            } else {
                "ies"
            },
            if i.at_head {
                "still at HEAD"
            } else {
                "only in history"
            },
            sanitize(&verdict(i)),
            i.first_seen
                .as_deref()
                .map(|d| format!("; first seen {}", day(d)))
                .unwrap_or_default()
        );
        for l in i.locations.iter().take(PLACES_SHOWN) {
            let _ = writeln!(s, "    {}", place_text(l));
        }
        if i.locations.len() > PLACES_SHOWN {
            let _ = writeln!(
                s,
                "    … and {} more (--format json lists them)",
                i.locations.len() - PLACES_SHOWN
            );
        }
        let _ = writeln!(s, "    fingerprint {}", sanitize(&i.fingerprint));
    }
    for (name, r) in m.failed_repositories() {
        let _ = writeln!(
            s,
            "not scanned: {}: {}",
            sanitize(name),
            sanitize(r["error"].as_str().unwrap_or("unknown error"))
        );
    }
    if !m.incidents.is_empty() {
        s.push('\n');
    }
    let _ = writeln!(s, "{}", summary(m));
    s
}

/// The one-line summary (after text, on stderr for the other formats).
pub fn summary(m: &Merged) -> String {
    format!("{}; {}", headline(m), coverage(m))
}

/// `3 incidents (1 live) in 5 repositories`: an incident is one leaked secret.
fn headline(m: &Merged) -> String {
    let n = m.incidents.len();
    let live = m.incidents.values().filter(|i| i.is_live()).count();
    let repositories: std::collections::BTreeSet<&str> = m
        .incidents
        .values()
        .flat_map(|i| i.repositories())
        .collect();
    let mut line = format!("{n} incident{}", if n == 1 { "" } else { "s" });
    if live > 0 {
        let _ = write!(line, " ({live} live)");
    }
    if !repositories.is_empty() {
        let _ = write!(
            line,
            " in {} repositor{}",
            repositories.len(),
            if repositories.len() == 1 { "y" } else { "ies" }
        );
    }
    line
}

/// What the reports covered: repositories, failures, blobs, reports.
fn coverage(m: &Merged) -> String {
    let scanned = m.repositories.len() - m.failed_repositories().count();
    let sum = |k: &str| -> u64 {
        m.repositories
            .values()
            .map(|r: &Value| r[k].as_u64().unwrap_or(0))
            .sum()
    };
    let mut line = format!(
        "{scanned} repositor{} scanned",
        if scanned == 1 { "y" } else { "ies" }
    );
    let failed = m.repositories.len() - scanned;
    if failed > 0 {
        let _ = write!(line, ", {failed} not");
    }
    let _ = write!(
        line,
        " ({} blobs, {}), from {} report{}",
        sum("blobs_scanned"),
        human_bytes(sum("bytes_scanned")),
        m.reports,
        if m.reports == 1 { "" } else { "s" }
    );
    if m.suppressed > 0 {
        let _ = write!(line, "; {} suppressed findings", m.suppressed);
    }
    line
}

fn icon(i: &Incident) -> &'static str {
    if i.is_live() {
        "🔴"
    } else if i.at_head {
        "🟠"
    } else {
        "🟡"
    }
}

fn verdict(i: &Incident) -> String {
    let Some(v) = &i.verification else {
        return "not verified".into();
    };
    let org = v["org"]
        .as_str()
        .map(|o| format!(" at {o}"))
        .unwrap_or_default();
    match i.status() {
        Some("live") => format!("LIVE{org}"),
        Some("invalid") => format!("invalid{org}"),
        _ => format!(
            "unverified{}",
            v["reason"]
                .as_str()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
    }
}

/// The date part of an RFC 3339 date.
fn day(d: &str) -> &str {
    d.get(..10).unwrap_or(d)
}

fn short(commit: &str) -> &str {
    commit.get(..10).unwrap_or(commit)
}

fn place_markdown(l: &Location) -> String {
    let mut s = String::new();
    if let Some(r) = &l.repository {
        let _ = write!(s, "`{}` ", cell(r));
    }
    let _ = write!(s, "`{}:{}`", cell(&l.path), l.line);
    if let Some(c) = &l.commit {
        let _ = write!(s, " (commit `{}`)", cell(short(c)));
    }
    s
}

fn place_text(l: &Location) -> String {
    let mut s = String::new();
    if let Some(r) = &l.repository {
        let _ = write!(s, "[{}] ", sanitize(r));
    }
    let _ = write!(s, "{}:{}", sanitize(&l.path), l.line);
    if let Some(c) = &l.commit {
        let _ = write!(s, " {}", sanitize(short(c)));
    }
    s
}
