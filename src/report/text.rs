//! ripgrep-like text: `path:line:col: rule [confidence] secret`, the snippet under it.

use std::io::{self, Write};

use anstyle::{AnsiColor, Color, Style};

use super::summary::{command_name, summary};
use super::vocabulary;
use crate::escape::sanitize;
use crate::finding::{Confidence, Finding, Root, Status};
use crate::incident::{self, Incident};
use crate::outcome::Outcome;

/// How the text report is shown.
pub struct ReportContext {
    pub color: bool,
    pub verbose: bool,
}

/// ANSI styles, or none when color is off.
struct Paint {
    on: bool,
}

const HIGH: Style = Style::new()
    .bold()
    .fg_color(Some(Color::Ansi(AnsiColor::Red)));
const MEDIUM: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Yellow)));
const LOW: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Cyan)));
const LIVE: Style = Style::new()
    .bold()
    .bg_color(Some(Color::Ansi(AnsiColor::Red)));
const GOOD: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Green)));
const PATH: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Magenta)));
const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

impl Paint {
    fn wrap(&self, style: Style, s: &str) -> String {
        if self.on {
            format!("{style}{s}{style:#}")
        } else {
            s.to_string()
        }
    }
}

/// Places of an incident listed under its first before the rest are counted.
const OTHER_PLACES_SHOWN: usize = 5;

pub fn write(w: &mut dyn Write, out: &Outcome, cx: &ReportContext) -> io::Result<()> {
    let p = Paint { on: cx.color };
    let several = out.several_repositories();
    for incident in incident::group(out.reported()) {
        let f = incident.first();
        let conf = match f.confidence {
            Confidence::High => p.wrap(HIGH, "high"),
            Confidence::Medium => p.wrap(MEDIUM, "medium"),
            Confidence::Low => p.wrap(LOW, "low"),
        };
        let verified = match &f.verification {
            None => String::new(),
            Some(v) => {
                let phrase = vocabulary::verification(v);
                let shown = match v.status {
                    Status::Live => p.wrap(
                        LIVE,
                        &format!("{} — revoke it now", phrase.replacen("live", "LIVE", 1)),
                    ),
                    Status::Invalid => p.wrap(GOOD, &phrase),
                    Status::Unknown => p.wrap(MEDIUM, &phrase),
                };
                format!(" {shown}")
            }
        };
        writeln!(
            w,
            "{}{}:{}:{}: {} [{conf}] {}{verified}",
            repository_prefix(f, several),
            p.wrap(PATH, &sanitize(&f.path)),
            p.wrap(GOOD, &f.line.to_string()),
            f.column,
            p.wrap(BOLD, &f.rule_id),
            p.wrap(BOLD, &f.secret),
        )?;
        if let Some(prov) = &f.provenance {
            let short = &prov.commit[..prov.commit.len().min(10)];
            let head = if prov.at_head {
                "still at HEAD"
            } else {
                "not at HEAD"
            };
            let again = match prov.reintroduced_in.len() {
                0 => String::new(),
                1 => "; introduced again in 1 later commit".to_string(),
                n => format!("; introduced again in {n} later commits"),
            };
            writeln!(
                w,
                "    {} {} {} — {} ({head}{again})",
                p.wrap(MEDIUM, short),
                prov.date.get(..10).unwrap_or(&prov.date),
                sanitize(&prov.author),
                sanitize(&prov.summary)
            )?;
        }
        if let Some(e) = f.exposure() {
            let level = e.impact.level.as_str().to_uppercase();
            let level = match e.impact.level {
                crate::blast::Level::Critical | crate::blast::Level::High => p.wrap(LIVE, &level),
                crate::blast::Level::Medium => p.wrap(MEDIUM, &level),
            };
            let owner = e
                .owner
                .as_ref()
                .map(|o| format!("; owner {} ({})", sanitize(&o.login), sanitize(&o.id)))
                .unwrap_or_default();
            writeln!(w, "    impact {level}: {}{owner}", sanitize(&e.impact.why))?;
            writeln!(w, "    {}", vocabulary::exposure_details(e))?;
        }
        writeln!(w, "    {}", f.snippet)?;
        write_other_places(w, &incident, several, cx.verbose, &p)?;
        writeln!(
            w,
            "    {}",
            p.wrap(DIM, &format!("fingerprint {}", f.fingerprint))
        )?;
    }
    if cx.verbose {
        for f in out.suppressed() {
            let why = f
                .suppression
                .as_ref()
                .map_or("", |s| s.justification.as_str());
            writeln!(
                w,
                "suppressed {}{}:{}: {} {} ({why})",
                repository_prefix(f, several),
                sanitize(&f.path),
                f.line,
                f.rule_id,
                f.secret
            )?;
        }
        for s in &out.stats.skipped {
            let repo = match (&s.root, several) {
                (Root::Repository(r), true) => format!("[{}] ", sanitize(r)),
                _ => String::new(),
            };
            writeln!(w, "skipped {repo}{}: {}", sanitize(&s.path), s.reason)?;
        }
    }
    if out.reported().next().is_some() || cx.verbose {
        writeln!(w)?;
    }
    writeln!(w, "{}", summary(out, cx.verbose))?;
    if out.reported().next().is_some() {
        let ids: std::collections::BTreeSet<&str> =
            out.reported().map(|f| f.rule_id.as_str()).collect();
        let hint = ids.into_iter().collect::<Vec<_>>().join(" ");
        writeln!(
            w,
            "How to fix: {} rules list --verbose {hint}",
            command_name()
        )?;
    }
    Ok(())
}

/// `[repository] ` before a place when the report covers several repositories.
fn repository_prefix(f: &Finding, several: bool) -> String {
    match (&f.root, several) {
        (Root::Repository(r), true) => format!("[{}] ", sanitize(r)),
        _ => String::new(),
    }
}

/// The other places of the same secret, under its first: a few (all with `verbose`), then
/// how many more.
fn write_other_places(
    w: &mut dyn Write,
    incident: &Incident<'_>,
    several: bool,
    verbose: bool,
    p: &Paint,
) -> io::Result<()> {
    let others = incident.others();
    if others.is_empty() {
        return Ok(());
    }
    let repositories = match incident.repositories() {
        n if n > 1 => format!(" in {n} repositories"),
        _ => String::new(),
    };
    writeln!(
        w,
        "    the same secret at {} more place{}{repositories}:",
        others.len(),
        if others.len() == 1 { "" } else { "s" }
    )?;
    let shown = if verbose {
        others.len()
    } else {
        OTHER_PLACES_SHOWN
    };
    for f in others.iter().take(shown) {
        let commit = f
            .provenance
            .as_ref()
            .map(|c| format!(" {}", p.wrap(MEDIUM, &c.commit[..c.commit.len().min(10)])))
            .unwrap_or_default();
        writeln!(
            w,
            "      {}{}:{}:{}{commit}",
            repository_prefix(f, several),
            p.wrap(PATH, &sanitize(&f.path)),
            f.line,
            f.column
        )?;
    }
    if others.len() > shown {
        writeln!(
            w,
            "      … and {} more (--verbose lists them; --format json has each)",
            others.len() - shown
        )?;
    }
    Ok(())
}
