//! ripgrep-like text: `path:line:col: rule [confidence] secret`, the snippet under it.

use std::io::{self, Write};

use super::{ReportContext, summary};
use crate::escape::sanitize;
use crate::finding::Confidence;
use crate::finding::Status;
use crate::outcome::Outcome;

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

pub fn write(w: &mut dyn Write, out: &Outcome, cx: &ReportContext) -> io::Result<()> {
    let p = Paint { on: cx.color };
    for f in out.reported() {
        let conf = match f.confidence {
            Confidence::High => p.wrap("1;31", "high"),
            Confidence::Medium => p.wrap("33", "medium"),
            Confidence::Low => p.wrap("36", "low"),
        };
        let verified = match &f.verification {
            None => String::new(),
            Some(v) => {
                let org = v
                    .org
                    .as_deref()
                    .map(|o| format!(" at {o}"))
                    .unwrap_or_default();
                let why = v
                    .reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default();
                match v.status {
                    Status::Live => {
                        format!(" {}", p.wrap("1;41", &format!("LIVE{org} — revoke it now")))
                    }
                    Status::Invalid => format!(" {}", p.wrap("32", &format!("invalid{org}{why}"))),
                    Status::Unknown => format!(" {}", p.wrap("33", &format!("unverified{why}"))),
                }
            }
        };
        writeln!(
            w,
            "{}:{}:{}: {} [{conf}] {}{verified}",
            p.wrap("35", &sanitize(&f.path)),
            p.wrap("32", &f.line.to_string()),
            f.column,
            p.wrap("1", &f.rule_id),
            p.wrap("1", &f.secret),
        )?;
        if let Some(prov) = &f.provenance {
            let short = &prov.commit[..prov.commit.len().min(10)];
            let head = if prov.at_head {
                "still at HEAD"
            } else {
                "not at HEAD"
            };
            writeln!(
                w,
                "    {} {} {} — {} ({head})",
                p.wrap("33", short),
                prov.date.get(..10).unwrap_or(&prov.date),
                sanitize(&prov.author),
                sanitize(&prov.summary)
            )?;
        }
        writeln!(w, "    {}", f.snippet)?;
        writeln!(
            w,
            "    {}",
            p.wrap("2", &format!("fingerprint {}", f.fingerprint))
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
        writeln!(w, "How to fix: tokenwarden rules list --verbose {hint}")?;
    }
    Ok(())
}
