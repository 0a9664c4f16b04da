//! Redaction of free text: anything tokenwarden prints that it did not produce itself
//! (paths, commit messages and authors, ref names, error messages quoting user input) may
//! carry a secret. Every such string goes through `Scrubber::scrub` before it is written.
//!
//! Scrubbing is deliberately broader than detection: every rule's matches count, at any
//! confidence, plus anything shaped like an Okta token whatever the filters say, because a
//! false redaction costs a few characters and a missed one leaks a credential.

use std::borrow::Cow;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::Regex;

use crate::finding::redact;
use crate::matcher::Matcher;
use crate::outcome::{Outcome, SkipReason};
use crate::rules::RuleSet;

/// Bare Okta token shape, without the rule's placeholder and entropy filters.
const TOKEN_SHAPE: &str = r"00[A-Za-z0-9_-]{40}";

/// Known secrets shorter than this are not searched for in free text: they would redact
/// ordinary words.
const MIN_KNOWN_LEN: usize = 6;

pub struct Scrubber<'m> {
    matcher: &'m Matcher,
    /// The raw secrets this run reported, wherever they appear.
    known: Option<AhoCorasick>,
}

impl<'m> Scrubber<'m> {
    pub fn new(matcher: &'m Matcher) -> Self {
        Scrubber {
            matcher,
            known: None,
        }
    }

    /// Also redacts every occurrence of these exact secrets.
    pub fn with_known(mut self, secrets: Vec<Vec<u8>>) -> Self {
        let secrets: Vec<Vec<u8>> = secrets
            .into_iter()
            .filter(|s| s.len() >= MIN_KNOWN_LEN)
            .collect();
        if !secrets.is_empty() {
            // Too many patterns for the automaton only loses this extra pass, never the
            // shape-based one.
            self.known = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&secrets)
                .ok();
        }
        self
    }

    /// `text` with every secret-looking span, and every known secret, replaced by its
    /// redacted form.
    pub fn scrub<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let Some(known) = &self.known else {
            return scrub_with(self.matcher, text);
        };
        let spans: Vec<(usize, usize)> = known
            .find_iter(text.as_bytes())
            .map(|m| (m.start(), m.end()))
            .collect();
        if spans.is_empty() {
            return scrub_with(self.matcher, text);
        }
        // Known secrets first, on the original text, then shapes on what is left.
        let replaced = replace_spans(text, spans);
        Cow::Owned(scrub_with(self.matcher, &replaced).into_owned())
    }

    pub fn scrub_in_place(&self, text: &mut String) {
        if let Cow::Owned(s) = self.scrub(text) {
            *text = s;
        }
    }
}

impl Scrubber<'_> {
    /// Every free-text field of a finished run: what the scanned tree or its history wrote
    /// (paths, commit summaries and authors, ref names in skip reasons), and what quotes
    /// user settings (suppression justifications quoting `[allow]` regexes).
    pub fn scrub_outcome(&self, out: &mut Outcome) {
        for f in out.findings.iter_mut().chain(&mut out.hidden) {
            self.scrub_in_place(&mut f.path);
            self.scrub_in_place(&mut f.snippet);
            if let Some(p) = &mut f.provenance {
                self.scrub_in_place(&mut p.author);
                self.scrub_in_place(&mut p.summary);
            }
            if let Some(s) = &mut f.suppression {
                self.scrub_in_place(&mut s.justification);
            }
            if let Some(r) = f.verification.as_mut().and_then(|v| v.reason.as_mut()) {
                self.scrub_in_place(r);
            }
        }
        for s in &mut out.stats.skipped {
            self.scrub_in_place(&mut s.path);
            match &mut s.reason {
                SkipReason::Unreadable(why)
                | SkipReason::MissingObject(why)
                | SkipReason::Unsupported(why) => self.scrub_in_place(why),
                _ => {}
            }
        }
        for w in &mut out.stats.warnings {
            self.scrub_in_place(w);
        }
    }
}

/// Scrubs with the built-in rules: for messages printed before (or without) an engine,
/// such as errors.
pub fn scrub_builtin(text: &str) -> Cow<'_, str> {
    static BUILTIN: OnceLock<Option<Matcher>> = OnceLock::new();
    let matcher = BUILTIN.get_or_init(|| {
        RuleSet::load(&[] as &[&std::path::Path])
            .ok()
            .map(Matcher::new)
    });
    match matcher {
        Some(m) => scrub_with(m, text),
        // The built-in rules always load; without them the shape alone still applies.
        None => Cow::Owned(replace_spans(text, shape_spans(text.as_bytes()))),
    }
}

fn scrub_with<'t>(matcher: &Matcher, text: &'t str) -> Cow<'t, str> {
    let bytes = text.as_bytes();
    let mut spans: Vec<(usize, usize)> = matcher
        .find(bytes, "")
        .into_iter()
        .map(|m| (m.start, m.end))
        .collect();
    spans.extend(shape_spans(bytes));
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(replace_spans(text, spans))
}

fn shape_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    static SHAPE: OnceLock<Regex> = OnceLock::new();
    let re = SHAPE.get_or_init(|| Regex::new(TOKEN_SHAPE).expect("static regex"));
    if memchr::memmem::find(bytes, b"00").is_none() {
        return Vec::new();
    }
    re.find_iter(bytes).map(|m| (m.start(), m.end())).collect()
}

/// Replaces each span (merged where they overlap) with its redacted form. Spans that do
/// not fall on character boundaries are widened to the enclosing characters.
fn replace_spans(text: &str, mut spans: Vec<(usize, usize)>) -> String {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (mut s, mut e) in spans {
        while s > 0 && !text.is_char_boundary(s) {
            s -= 1;
        }
        while e < text.len() && !text.is_char_boundary(e) {
            e += 1;
        }
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in merged {
        out.push_str(&text[at..s]);
        out.push_str(&redact(&text[s..e]));
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> String {
        // Built at run time so that the repository itself stays clean.
        format!("00{}", "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8bC0eF2hJ4kL6n")
    }

    #[test]
    fn scrubs_tokens_anywhere_in_text() {
        let t = token();
        let text = format!("fix: remove {t} (was in a.env)");
        let s = scrub_builtin(&text);
        assert!(!s.contains(&t), "{s}");
        assert!(s.contains("00aB…"), "{s}");
        assert!(s.starts_with("fix: remove ") && s.ends_with(" (was in a.env)"));
    }

    #[test]
    fn scrubs_url_passwords() {
        // Assembled at run time so that the repository itself stays clean.
        let text = format!(
            "--okta-org: `https://admin:{}@acme.okta.com` is bad",
            "Sup3rS3cretPassw0rd99"
        );
        let s = scrub_builtin(&text);
        assert!(!s.contains("Sup3rS3cretPassw0rd99"), "{s}");
    }

    #[test]
    fn leaves_clean_text_alone() {
        assert!(matches!(
            scrub_builtin("src/main.rs: nothing here"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn known_secrets_are_scrubbed_whatever_their_shape() {
        let m = Matcher::new(RuleSet::load(&[] as &[&std::path::Path]).unwrap());
        let s = Scrubber::new(&m).with_known(vec![b"correct-horse".to_vec(), b"abc".to_vec()]);
        let t = token();
        let text = format!("rotated correct-horse and {t}, abc stays");
        assert_eq!(s.scrub(&text), "rotated cor… and 00aB…, abc stays");
    }

    #[test]
    fn overlapping_and_multibyte_spans() {
        let t = token();
        let text = format!("é{t}{t}é");
        let out = replace_spans(&text, vec![(2, 44), (30, 86)]);
        assert_eq!(out, "é00aB…é");
    }
}
