//! ripgrep-like text: `path:line:col: rule [confidence] secret`, the snippet under it.

use std::io::{self, Write};

use anstyle::{AnsiColor, Color, Style};

use super::summary::{command_name, summary};
use super::vocabulary;
use crate::escape::sanitize;
use crate::finding::Confidence;
use crate::finding::Status;
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

pub fn write(w: &mut dyn Write, out: &Outcome, cx: &ReportContext) -> io::Result<()> {
    let p = Paint { on: cx.color };
    for f in out.reported() {
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
            "{}:{}:{}: {} [{conf}] {}{verified}",
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
                "suppressed {}:{}: {} {} ({why})",
                sanitize(&f.path),
                f.line,
                f.rule_id,
                f.secret
            )?;
        }
        for s in &out.stats.skipped {
            writeln!(w, "skipped {}: {}", sanitize(&s.path), s.reason)?;
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
