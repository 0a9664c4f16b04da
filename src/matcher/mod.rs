//! The detection engine: keyword prefilter (aho-corasick) → rule regex → filters →
//! context-based confidence. Works on bytes with no knowledge of files or git.

pub mod context;
pub mod filters;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::finding::Confidence;
use crate::rules::{Decode, Rule, RuleSet, normalize_name};

/// A secret found in a blob, before it is located in lines and redacted.
#[derive(Debug, Clone)]
pub struct Match {
    pub rule: usize,
    /// Byte span of the secret as it appears in the blob.
    pub start: usize,
    pub end: usize,
    /// The secret after the rule's decoding (what fingerprints are computed from).
    pub secret: Vec<u8>,
    pub confidence: Confidence,
    /// Not a finding: more of a finding's secret elsewhere in the blob (a JWK's other
    /// private members), redacted wherever the blob is shown.
    pub redact_only: bool,
}

pub struct Matcher {
    rules: RuleSet,
    /// Rules without keywords: run on every blob.
    always: Vec<usize>,
    keywords: Option<AhoCorasick>,
    /// Keyword pattern id → rule index.
    keyword_rule: Vec<usize>,
    /// Case-sensitive anchors of the rules that have them, found in one shared pass.
    anchors: Option<AhoCorasick>,
    /// Anchor pattern id → (rule index, whether it gates the rule's variants only).
    anchor_rule: Vec<Vec<(usize, bool)>>,
    /// Distinct (rule, gate) pairs among `anchor_rule`, counted once here rather than per
    /// blob.
    anchor_gates: usize,
    /// Rule index → indices of the rules it supersedes.
    supersedes: Vec<Vec<usize>>,
}

/// Why a rule dropped a candidate.
pub type Rejection = &'static str;

/// Which rules a search runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Text: every rule.
    Text,
    /// A blob that looks binary: only the rules with `scan_binary`.
    Binary,
}

impl Pass {
    fn runs(self, rule: &Rule) -> bool {
        self == Pass::Text || rule.scan_binary
    }
}

impl Matcher {
    pub fn new(rules: RuleSet) -> Matcher {
        let mut always = Vec::new();
        let mut patterns = Vec::new();
        let mut keyword_rule = Vec::new();
        let mut anchor_patterns: Vec<Vec<u8>> = Vec::new();
        let mut anchor_rule: Vec<Vec<(usize, bool)>> = Vec::new();
        // One automaton pattern per distinct anchor, opening every gate that names it: a
        // leftmost-first search reports one pattern per occurrence, so a twin (a rule's
        // anchor that is also its variants' anchor) would never open its gate.
        let mut add_anchor = |a: &str, gate: (usize, bool)| match anchor_patterns
            .iter()
            .position(|p| p == a.as_bytes())
        {
            Some(i) => anchor_rule[i].push(gate),
            None => {
                anchor_patterns.push(a.as_bytes().to_vec());
                anchor_rule.push(vec![gate]);
            }
        };
        for (i, r) in rules.rules.iter().enumerate() {
            if r.keywords.is_empty() && r.anchors.is_empty() {
                always.push(i);
            }
            for k in &r.keywords {
                patterns.push(k.as_bytes().to_vec());
                keyword_rule.push(i);
            }
            if r.keywords.is_empty() {
                for a in &r.anchors {
                    add_anchor(a, (i, false));
                }
            }
            for a in &r.variant_anchors {
                add_anchor(a, (i, true));
            }
        }
        // Leftmost, not overlapping: the search keeps its prefilter, and any occurrence of
        // a rule's anchor is enough. A contiguous NFA, not a DFA: the packed prefilter finds
        // the candidates either way (same instructions per scanned byte), and building the
        // DFA was 4% of the pre-commit hook's start-up.
        let anchors = (!anchor_patterns.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
                    .build(&anchor_patterns)
                    .ok()
            })
            .flatten();
        if anchors.is_none() {
            // Over the automaton's limits: anchored rules and variants run everywhere.
            always.extend(anchor_rule.drain(..).flatten().map(|(r, _)| r));
            always.sort_unstable();
            always.dedup();
        }
        let built = (!patterns.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
            })
            .transpose();
        // An automaton over user keywords that exceeds aho-corasick's limits only loses
        // the prefilter: every rule then runs on every blob, slower but complete.
        let keywords = built.unwrap_or_else(|_| {
            always = (0..rules.rules.len()).collect();
            keyword_rule.clear();
            None
        });
        let supersedes = rules
            .rules
            .iter()
            .map(|r| {
                // RuleSet::load_layered refuses a tree's rule replacing a trusted one
                // already (it would hide a real finding); kept here too. Between tree rules,
                // only where the replacing rule applies wherever the replaced one does:
                // matches are resolved before each root keeps its own rules' findings.
                r.supersedes
                    .iter()
                    .filter_map(|id| rules.index_of(id))
                    .filter(|&i| {
                        r.info.trusted
                            || (!rules.rules[i].info.trusted && r.covers(&rules.rules[i]))
                    })
                    .collect()
            })
            .collect();
        let mut gates: Vec<(usize, bool)> = anchor_rule.iter().flatten().copied().collect();
        gates.sort_unstable();
        gates.dedup();
        Matcher {
            rules,
            always,
            keywords,
            keyword_rule,
            anchors,
            anchor_rule,
            anchor_gates: gates.len(),
            supersedes,
        }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules.rules
    }

    pub fn rule_set(&self) -> &RuleSet {
        &self.rules
    }

    /// Every secret in `blob`, sorted by position, at every confidence.
    pub fn find(&self, blob: &[u8], path: &str) -> Vec<Match> {
        self.find_in(blob, path, Pass::Text)
    }

    /// `find`, with the rules of `pass` only.
    pub fn find_in(&self, blob: &[u8], path: &str, pass: Pass) -> Vec<Match> {
        let mut out = Vec::new();
        // The per-rule flags live on the stack for any usual rule count: this runs for
        // every blob, and three allocations each showed in profiles.
        let n = self.rules.rules.len();
        let (mut active_small, mut variants_small) = ([false; 64], [false; 64]);
        let (mut active_big, mut variants_big);
        let (active, variants): (&mut [bool], &mut [bool]) = if n <= 64 {
            (&mut active_small[..n], &mut variants_small[..n])
        } else {
            active_big = vec![false; n];
            variants_big = vec![false; n];
            (&mut active_big[..], &mut variants_big[..])
        };
        self.active_rules(blob, pass, active, variants);
        for rule in (0..n).filter(|&i| active[i]) {
            self.find_patterns(rule, blob, path, variants[rule], &mut out, &mut |_, _| {});
        }
        self.resolve_supersedes(&mut out);
        self.add_key_members(blob, &mut out);
        out.sort_by_key(|m| (m.start, m.rule));
        out
    }

    /// A JWK is found by its private exponent `d`, but its other private members (`p`,
    /// `q`, `dp`, …) each give the key away too: they are added as redact-only matches, so
    /// that no snippet, redacted line or scrubbed text shows them.
    fn add_key_members(&self, blob: &[u8], out: &mut Vec<Match>) {
        let mut extra = Vec::new();
        for m in out.iter().filter(|m| {
            self.rules.rules[m.rule].credential == Some(crate::credential::Kind::OktaPrivateKey)
        }) {
            let Some(object) = crate::keys::jwk_of_match(blob, m.start) else {
                continue;
            };
            for span in crate::keys::jwk_private_spans(blob, object) {
                if span.start != m.start {
                    extra.push(Match {
                        rule: m.rule,
                        secret: blob[span.clone()].to_vec(),
                        start: span.start,
                        end: span.end,
                        confidence: m.confidence,
                        redact_only: true,
                    });
                }
            }
        }
        out.extend(extra);
    }

    /// Sets `active[i]` for the rules of `pass` whose keywords or anchors occur in `blob`
    /// (plus the ungated ones), and `variants[i]` where rule i's `regex_variants` are to run.
    fn active_rules(&self, blob: &[u8], pass: Pass, active: &mut [bool], variants: &mut [bool]) {
        let runs = |i: usize| pass.runs(&self.rules.rules[i]);
        for &i in &self.always {
            active[i] = true;
        }
        for (v, r) in variants.iter_mut().zip(&self.rules.rules) {
            *v = r.variant_anchors.is_empty();
        }
        // A pass whose rules no keyword or anchor gates skips that automaton's walk over
        // the blob: binary blobs are often large.
        if let Some(ac) = &self.keywords
            && self.keyword_rule.iter().any(|&r| runs(r))
        {
            let mut remaining = (0..active.len())
                .filter(|&i| !active[i] && self.keyword_rule.contains(&i))
                .count();
            for m in ac.find_overlapping_iter(blob) {
                let r = self.keyword_rule[m.pattern().as_usize()];
                if !active[r] {
                    active[r] = true;
                    remaining -= 1;
                    if remaining == 0 {
                        break;
                    }
                }
            }
        }
        if let Some(ac) = &self.anchors
            && self.anchor_rule.iter().flatten().any(|&(r, _)| runs(r))
        {
            // Every gate starts closed; stop once all are open.
            let mut remaining = self.anchor_gates;
            'search: for m in ac.find_iter(blob) {
                for &(r, gates_variants) in &self.anchor_rule[m.pattern().as_usize()] {
                    let gate = if gates_variants {
                        &mut variants[r]
                    } else {
                        &mut active[r]
                    };
                    if !*gate {
                        *gate = true;
                        remaining -= 1;
                        if remaining == 0 {
                            break 'search;
                        }
                    }
                }
            }
        }
        for (i, a) in active.iter_mut().enumerate() {
            *a &= runs(i);
        }
    }

    /// Runs one rule (every pattern) over `blob`, pushing accepted matches and reporting
    /// each rejected candidate to `rejected` (used by `rules check` to explain a failing
    /// example).
    pub fn find_rule(
        &self,
        rule_index: usize,
        blob: &[u8],
        path: &str,
        out: &mut Vec<Match>,
        rejected: &mut dyn FnMut(&[u8], Rejection),
    ) {
        self.find_patterns(rule_index, blob, path, true, out, rejected);
    }

    /// `find_rule`, with the rule's `regex_variants` only when `variants` is set, and its
    /// main regex only where its gate admits the blob.
    fn find_patterns(
        &self,
        rule_index: usize,
        blob: &[u8],
        path: &str,
        variants: bool,
        out: &mut Vec<Match>,
        rejected: &mut dyn FnMut(&[u8], Rejection),
    ) {
        let rule = &self.rules.rules[rule_index];
        let main = rule.gate.as_ref().is_none_or(|g| {
            (g.only_until_built() && rule.patterns.first().is_some_and(|p| p.is_built()))
                || g.admits(blob)
        });
        // Sized on the first candidate: most rules find none in most blobs.
        let mut file_ctx: Vec<Option<bool>> = Vec::new();
        let first = out.len();
        let patterns = rule
            .patterns
            .iter()
            .enumerate()
            .filter(|&(i, _)| if i == 0 { main } else { variants });
        for pattern in patterns.filter_map(|(_, p)| p.get()) {
            // Most blobs hold no match: the capture slots are allocated (and captures
            // resolved) only from the first match on, found by a plain search.
            let Some(first) = pattern.regex.find(blob) else {
                continue;
            };
            let mut locs = pattern.regex.capture_locations();
            let mut pos = first.start();
            while pos <= blob.len() {
                let Some(m) = pattern.regex.captures_read_at(&mut locs, blob, pos) else {
                    break;
                };
                let Some((start, end)) = locs.get(pattern.secret_group) else {
                    pos = m.end().max(m.start() + 1);
                    continue;
                };
                if let Some(set) = &rule.not_adjacent {
                    let left = start > 0
                        && set.contains(blob[start - 1])
                        && !filters::delimited_left(blob, start);
                    let right = end < blob.len() && set.contains(blob[end]);
                    if left && filters::inside_escape(blob, start) {
                        // The match began on an escape's last digit: retry just after it.
                        pos = start + 1;
                        continue;
                    }
                    if left || right {
                        rejected(&blob[start..end], "adjacent to more token characters");
                        // No token can start inside this run of token characters.
                        let mut p = start + 1;
                        while p < blob.len() && set.contains(blob[p]) {
                            p += 1;
                        }
                        pos = p;
                        continue;
                    }
                }
                pos = end.max(m.start() + 1);
                let name = pattern
                    .name_group
                    .and_then(|g| locs.get(g))
                    .map(|(a, b)| &blob[a..b]);
                file_ctx.resize(rule.contexts.len(), None);
                match candidate(rule, blob, path, start, end, name, &mut file_ctx) {
                    Ok((secret, confidence)) => out.push(Match {
                        rule: rule_index,
                        start,
                        end,
                        secret,
                        confidence,
                        redact_only: false,
                    }),
                    Err(why) => rejected(&blob[start..end], why),
                }
            }
        }
        if rule.patterns.len() > 1 {
            // Variants may overlap (a user's rule): one match per secret span.
            let mut seen = std::collections::HashSet::new();
            let kept: Vec<Match> = out
                .drain(first..)
                .filter(|m| seen.insert((m.start, m.end)))
                .collect();
            out.extend(kept);
        }
    }

    /// When a rule that supersedes another finds an overlapping secret, keep one finding:
    /// the superseding rule's, with the stronger confidence of the two.
    fn resolve_supersedes(&self, out: &mut Vec<Match>) {
        if self.supersedes.iter().all(Vec::is_empty) || out.len() < 2 {
            return;
        }
        let mut drop = vec![false; out.len()];
        for i in 0..out.len() {
            for j in 0..out.len() {
                let (a, b) = (&out[i], &out[j]);
                if i != j
                    && !drop[j]
                    && self.supersedes[a.rule].contains(&b.rule)
                    && a.start < b.end
                    && b.start < a.end
                {
                    let c = a.confidence.max(b.confidence);
                    out[i].confidence = c;
                    drop[j] = true;
                }
            }
        }
        let mut dropped = drop.into_iter();
        out.retain(|_| !dropped.next().unwrap_or(false));
    }
}

/// Filters one regex candidate and computes its confidence.
fn candidate(
    rule: &Rule,
    blob: &[u8],
    path: &str,
    start: usize,
    end: usize,
    name: Option<&[u8]>,
    file_ctx: &mut [Option<bool>],
) -> Result<(Vec<u8>, Confidence), Rejection> {
    let f = &rule.filters;
    if !f.names.is_empty() {
        let n = normalize_name(name.unwrap_or_default());
        if !f.names.contains(&n) {
            return Err("parameter name not in filters.names");
        }
    }
    let raw = &blob[start..end];
    let secret = match rule.decode {
        Decode::None => raw.to_vec(),
        Decode::Percent => filters::percent_decode(raw),
        Decode::Base64 => filters::base64_decode(raw).ok_or("not valid base64")?,
        Decode::Concat => raw
            .iter()
            .copied()
            .filter(|b| {
                !matches!(
                    b,
                    b'"' | b'\'' | b'+' | b' ' | b'\t' | b'\\' | b'\r' | b'\n'
                )
            })
            .collect(),
    };
    filters::check_secret(f, &secret)?;
    if f.base64_guard && filters::inside_base64(blob, start, end) {
        return Err("inside a longer base64 string");
    }
    if let Some(re) = &f.reject_before
        && re.is_match(context::before(blob, start))
    {
        return Err("rejected by filters.reject_before");
    }
    if let Some(re) = &f.reject_after
        && re.is_match(context::after(blob, end))
    {
        return Err("rejected by filters.reject_after");
    }
    let confidence = confidence(rule, blob, path, start, end, file_ctx);
    Ok((secret, confidence))
}

fn confidence(
    rule: &Rule,
    blob: &[u8],
    path: &str,
    start: usize,
    end: usize,
    file_ctx: &mut [Option<bool>],
) -> Confidence {
    for (i, c) in rule.contexts.iter().enumerate() {
        let holds = c
            .before
            .as_ref()
            .is_none_or(|re| re.is_match(context::before(blob, start)))
            && c.after
                .as_ref()
                .is_none_or(|re| re.is_match(context::after(blob, end)))
            && c.path
                .as_ref()
                .is_none_or(|re| re.is_match(path.as_bytes()))
            && c.block
                .as_ref()
                .is_none_or(|re| re.is_match(context::block(blob, start)))
            && c.above
                .as_ref()
                .is_none_or(|re| re.is_match(context::above(blob, start)))
            && c.file
                .as_ref()
                .is_none_or(|re| *file_ctx[i].get_or_insert_with(|| re.is_match(blob)));
        if holds {
            return c.confidence;
        }
    }
    rule.confidence
}
