//! Scans one blob end to end: match, locate, filter by confidence, apply line-level
//! suppressions, keep tokens for `--verify`. Every source (files, stdin, git) goes
//! through here.

use crate::credential::{Companions, Found};
use crate::finding::{Confidence, Finding};
use crate::locate::locate;
use crate::matcher::{Match, Matcher, Pass, context};
use crate::suppress::LineAllow;
use crate::vault::Vault;

/// Built once per run: the compiled rules and the vault every root's findings share.
pub struct Engine {
    matcher: Matcher,
    redact: bool,
    /// Keep each credential a rule declares (in memory only) for `--verify`.
    verify: bool,
    /// Raw secrets, beside the (redacted) findings: tokens for `--verify`, and every
    /// reported secret while redacting, so that free text printed later (a commit summary
    /// quoting a password, say) can be scrubbed of it whatever its shape.
    vault: Vault,
}

/// What one scanned root decides about its findings: its confidence floor and its allow
/// rules come from its own config, and the rules its config loaded apply to it alone.
#[derive(Default, Clone)]
pub struct ScanPolicy {
    pub min_confidence: Confidence,
    /// Inline markers and config allow rules, checked on the raw line and secret.
    pub allow: LineAllow,
    /// Which root this is, for rules scoped to some (`Rule::roots`).
    pub root: Option<usize>,
}

/// A NUL byte in the first 8 KiB marks a binary file, as git and ripgrep decide.
pub fn looks_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(8192)]).is_some()
}

/// In a blob that looks binary, token-shaped bytes turn up by chance (compiled code,
/// compressed data), so only findings whose context says "token" as plainly as it can are
/// kept there. One NUL byte must not hide a real leak, and an image must stay quiet.
pub const BINARY_CONFIDENCE: Confidence = Confidence::High;

/// Where a piece of a larger file sits, for files scanned in windows: only matches
/// starting in `report` are findings (the rest belong to a neighbouring window), and line
/// and column numbers are shifted to the file's.
pub struct Window {
    pub report: std::ops::Range<usize>,
    /// Lines before the window's first byte.
    pub line_base: usize,
    /// Characters between the start of the line and the window's first byte.
    pub column_base: usize,
}

impl Window {
    /// All of `data`, as the whole of its blob.
    pub fn whole(data: &[u8]) -> Window {
        Window {
            report: 0..data.len(),
            line_base: 0,
            column_base: 0,
        }
    }
}

impl Engine {
    /// `redact`: findings show secrets redacted (and the vault remembers them for
    /// scrubbing); `verify`: credentials are kept for `--verify`.
    pub fn new(matcher: Matcher, redact: bool, verify: bool) -> Engine {
        Engine {
            matcher,
            redact,
            verify,
            vault: Vault::default(),
        }
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    pub fn redacts(&self) -> bool {
        self.redact
    }

    /// A blob of text, whole.
    pub fn scan_blob(&self, policy: &ScanPolicy, path: &str, data: &[u8]) -> Vec<Finding> {
        self.scan_window(policy, path, data, &Window::whole(data), Pass::Text)
    }

    /// `pass` is `Binary` for a blob that looks binary: only the rules that scan binaries
    /// run, and only findings of `BINARY_CONFIDENCE` count.
    pub fn scan_window(
        &self,
        policy: &ScanPolicy,
        path: &str,
        data: &[u8],
        window: &Window,
        pass: Pass,
    ) -> Vec<Finding> {
        let matches = self.matcher.find_in(data, path, pass);
        let floor = match pass {
            Pass::Text => policy.min_confidence,
            Pass::Binary => policy.min_confidence.max(BINARY_CONFIDENCE),
        };
        let rules = self.matcher.rules();
        let report = |m: &Match| {
            !m.redact_only
                && m.confidence >= floor
                && window.report.contains(&m.start)
                && rules[m.rule].applies_to(policy.root)
        };
        if !matches.iter().any(report) {
            return Vec::new();
        }
        let mut found = locate(
            data,
            path,
            &matches,
            &report,
            self.matcher.rules(),
            self.redact,
        );
        if self.redact {
            let shown =
                |m: &&Match| report(m) || (m.redact_only && window.report.contains(&m.start));
            for m in matches.iter().filter(shown) {
                self.vault.remember(&data[m.start..m.end]);
                self.vault.remember(&m.secret);
            }
        }
        // Whole-blob companions (an org URL anywhere in the file), once per rule and blob.
        let mut file_companions: Vec<(usize, Companions)> = Vec::new();
        for (f, m) in found.iter_mut().zip(matches.iter().filter(|m| report(m))) {
            if f.line == 1 {
                f.column += window.column_base;
                f.end_column += window.column_base;
            }
            f.line += window.line_base;
            f.suppression = policy
                .allow
                .check(context::line(data, m.start, m.end), &m.secret);
            let rule = &self.matcher.rules()[m.rule];
            if let Some(kind) = rule
                .credential
                .filter(|_| self.verify && f.suppression.is_none())
            {
                let at = match file_companions.iter().position(|(r, _)| *r == m.rule) {
                    Some(at) => at,
                    None => {
                        file_companions.push((m.rule, rule.file_companions(data)));
                        file_companions.len() - 1
                    }
                };
                let companions = rule.companions_of(data, m.start, m.end, &file_companions[at].1);
                // A key is checked whole: the PEM block, or the JWK around its `d`.
                let secret = match kind {
                    crate::credential::Kind::OktaPrivateKey => {
                        crate::locate::key_text(data, m).into_bytes()
                    }
                    _ => m.secret.clone(),
                };
                f.secret_id = Some(self.vault.keep_for_verify(Found::new(
                    kind,
                    &secret,
                    &companions,
                )));
            }
        }
        found
    }
    /// The built-in rules, redacting, not verifying: for unit tests.
    #[cfg(test)]
    pub fn builtin() -> Engine {
        Engine::new(
            Matcher::new(crate::rules::RuleSet::load(&[] as &[&std::path::Path]).unwrap()),
            true,
            false,
        )
    }
}
