//! Turns a `RuleSpec` into a `Rule` the matcher can run: regexes compiled with size limits,
//! byte classes expanded into tables, cross-rule references resolved.

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};

use super::spec::{
    CompanionSpec, ContextSpec, Decode, ExampleSpec, FilterSpec, NegativeSpec, RuleSpec, Verifier,
};
use crate::credential::{Companions, Kind};
use crate::error::{Error, Result};
use crate::finding::{Confidence, RuleInfo};
use crate::regex_budget::{Budget, BuildError, Limits};

/// Bounds the memory a user-supplied regex may take; the `regex` crate is linear-time, so
/// size is the only thing a hostile or careless pattern can blow up.
const REGEX_SIZE_LIMIT: usize = 8 << 20;
/// Every regex of the rule files of one run together (README "Trust model": a config in
/// the scanned tree may name rule directories). The built-in rules, measured the same way,
/// take 11 MiB, almost all of it caches charged up front. A lazy DFA cache of 128 KiB holds
/// the few hundred states a secret's regex needs; a pattern that needs more falls back to
/// the regex crate's slower linear-time engines rather than take more memory.
pub const RULE_FILE_LIMITS: Limits = Limits {
    program: REGEX_SIZE_LIMIT,
    cache: 128 << 10,
    total: 32 << 20,
    set: "the regexes of rule files",
};
/// How far `before`/`after` contexts look along the line, in bytes.
pub const LINE_WINDOW: usize = 512;

pub struct Rule {
    /// What reports say about the rule (id, texts, severity, whether it is trusted).
    pub info: RuleInfo,
    /// What the secret is; `None` for a rule whose secrets are not checked with anyone.
    pub credential: Option<Kind>,
    pub companions: Vec<Companion>,
    pub keywords: Vec<String>,
    pub anchors: Vec<String>,
    pub variant_anchors: Vec<String>,
    pub gate: Option<super::gate::Gate>,
    /// `regex` first, then `regex_variants`.
    pub patterns: Vec<Pattern>,
    pub not_adjacent: Option<ByteSet>,
    pub decode: Decode,
    pub supersedes: Vec<String>,
    pub scan_binary: bool,
    pub filters: Filters,
    pub confidence: Confidence,
    pub contexts: Vec<Context>,
    pub examples: Vec<ExampleSpec>,
    pub negative_examples: Vec<NegativeSpec>,
    /// Where the rule came from (`rules/okta-api-token.toml` or a user's path).
    pub origin: String,
    /// The roots of the run whose configs loaded this rule (it applies to those only): one,
    /// or several whose rule files define it with the same text. `None` for built-in rules
    /// and rules the user named.
    pub roots: Option<Vec<usize>>,
    /// The rule file's text, for the digest of what a saved history state was scanned with
    /// (hashed only when asked: hashing every rule cost the pre-commit hook a fifth of its
    /// start-up).
    pub text: std::borrow::Cow<'static, str>,
}

/// One of a rule's regexes. Built-in rules build theirs on first use (`Build::Lazy`): a rule
/// gated by anchors that a repository never contains costs nothing, which keeps the
/// pre-commit hook's start-up flat as rules are added. Rule files are built and checked
/// when loaded.
pub struct Pattern {
    source: String,
    built: OnceLock<Option<Built>>,
}

pub struct Built {
    pub regex: Regex,
    pub secret_group: usize,
    pub name_group: Option<usize>,
}

impl Rule {
    /// Whether its findings are reported in root `root` (`None`: a scan without roots).
    pub fn applies_to(&self, root: Option<usize>) -> bool {
        match &self.roots {
            None => true,
            Some(own) => root.is_some_and(|r| own.contains(&r)),
        }
    }

    /// Whether it applies wherever `other` does.
    pub fn covers(&self, other: &Rule) -> bool {
        match (&self.roots, &other.roots) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(mine), Some(theirs)) => theirs.iter().all(|r| mine.contains(r)),
        }
    }
}

impl Pattern {
    /// Whether the regex was built already (by an earlier blob, or at load).
    pub fn is_built(&self) -> bool {
        self.built.get().is_some()
    }

    /// The built regex and its groups (`None` if it does not build: eager builds and the
    /// test suite have checked every rule's).
    pub fn get(&self) -> Option<&Built> {
        self.built
            .get_or_init(|| {
                let regex = build_regex(&self.source, "").ok()?;
                Some(Built {
                    secret_group: group_index(&regex, "secret")?,
                    name_group: group_index(&regex, "name"),
                    regex,
                })
            })
            .as_ref()
    }
}

pub struct Filters {
    pub min_length: usize,
    pub min_entropy: f64,
    /// Lowercased.
    pub placeholders: Vec<String>,
    pub reject: Vec<AuxRegex>,
    pub require: Option<AuxRegex>,
    pub reject_before: Option<AuxRegex>,
    pub reject_after: Option<AuxRegex>,
    pub max_repeat: Option<usize>,
    pub max_sequence: Option<usize>,
    /// Normalized with `normalize_name`.
    pub names: Vec<String>,
    pub base64_guard: bool,
    pub jwt_payload: Option<AuxRegex>,
}

pub struct Context {
    pub confidence: Confidence,
    pub before: Option<AuxRegex>,
    pub after: Option<AuxRegex>,
    pub path: Option<AuxRegex>,
    pub file: Option<AuxRegex>,
    pub block: Option<AuxRegex>,
    pub above: Option<AuxRegex>,
    pub description: Option<String>,
}

/// A rule's secondary regex (filters, contexts). It is only needed once a candidate
/// matches, so built-in rules build it on first use: compiling every context regex up
/// front was a quarter of a pre-commit run. Rules loaded from files are built eagerly, so
/// their errors surface at load; the built-in ones are all built by the test suite.
pub struct AuxRegex {
    pattern: String,
    built: OnceLock<Option<Regex>>,
}

impl AuxRegex {
    fn new(pattern: String, at: &str, build: &mut Build) -> Result<AuxRegex> {
        let built = OnceLock::new();
        if let Build::Now(_) = build {
            let _ = built.set(Some(build.regex(&pattern, at)?));
        }
        Ok(AuxRegex { pattern, built })
    }

    /// The regex, built now if it was not (`None` if it does not build: eager builds and
    /// the test suite have checked every rule's).
    pub fn get(&self) -> Option<&Regex> {
        self.built
            .get_or_init(|| build_regex(&self.pattern, "").ok())
            .as_ref()
    }

    pub fn is_match(&self, haystack: &[u8]) -> bool {
        self.built
            .get_or_init(|| build_regex(&self.pattern, "").ok())
            .as_ref()
            .is_some_and(|r| r.is_match(haystack))
    }
}

/// When a rule's regexes are built.
pub enum Build<'a> {
    /// Built-in rules: secondary regexes on first use, as `build_regex` builds them.
    Lazy,
    /// Rule files and `rules check`: every regex now, so errors surface at load, charged
    /// to the budget of the rules loaded together.
    Now(&'a mut Budget),
}

impl Build<'_> {
    /// A regex every mode needs at once (a rule's patterns).
    fn regex(&mut self, re: &str, at: &str) -> Result<Regex> {
        match self {
            Build::Lazy => build_regex(re, at),
            Build::Now(budget) => budget.build(re).map_err(|e| match e {
                BuildError::Invalid(e) => regex_error(e, at),
                BuildError::Refused(why) => Error::settings(format!("{at}: {why}")),
            }),
        }
    }
}

/// A value a rule captures next to its match (`[[companions]]`).
pub struct Companion {
    pub name: String,
    /// Built on first use, like contexts: only `--verify` needs it.
    regex: AuxRegex,
    within_lines: Option<usize>,
}

const COMPANION_NAMES: &[&str] = &["org", "client_id", "key_id"];

fn compile_companion(spec: &CompanionSpec, at: &str, build: &mut Build) -> Result<Companion> {
    if !COMPANION_NAMES.contains(&spec.name.as_str()) {
        return Err(Error::settings(format!(
            "{at}: name `{}` is not one of {}",
            spec.name,
            COMPANION_NAMES.join(", ")
        )));
    }
    if !spec.regex.contains("(?P<value>") {
        return Err(Error::settings(format!(
            "{at}: needs a named group `value`, as in (?P<value>...)"
        )));
    }
    Ok(Companion {
        name: spec.name.clone(),
        regex: AuxRegex::new(spec.regex.clone(), at, build)?,
        within_lines: spec.within_lines,
    })
}

impl Companion {
    /// Pushes every value captured in `blob[range]` that `out` does not hold yet.
    fn capture(&self, blob: &[u8], range: std::ops::Range<usize>, out: &mut Vec<(String, String)>) {
        let Some(regex) = self.regex.get() else {
            return;
        };
        let Some(value_group) = group_index(regex, "value") else {
            return;
        };
        let hay = &blob[..range.end];
        let mut locs = regex.capture_locations();
        let mut pos = range.start;
        while pos < range.end {
            let Some(m) = regex.captures_read_at(&mut locs, hay, pos) else {
                break;
            };
            if let Some((a, b)) = locs.get(value_group) {
                let value = String::from_utf8_lossy(&blob[a..b]).into_owned();
                if !out.iter().any(|(n, v)| *n == self.name && *v == value) {
                    out.push((self.name.clone(), value));
                }
            }
            pos = m.end().max(m.start() + 1);
        }
    }
}

impl Rule {
    /// What the companions that look at the whole blob capture: the same for every match
    /// in it, so callers compute it once per blob.
    pub fn file_companions(&self, blob: &[u8]) -> Companions {
        let mut out = Vec::new();
        for c in self.companions.iter().filter(|c| c.within_lines.is_none()) {
            c.capture(blob, 0..blob.len(), &mut out);
        }
        Companions(out)
    }

    /// `file` (from `file_companions`) and what the companions that look near the match at
    /// `start..end` capture there.
    pub fn companions_of(
        &self,
        blob: &[u8],
        start: usize,
        end: usize,
        file: &Companions,
    ) -> Companions {
        let mut out = file.0.clone();
        for c in &self.companions {
            if let Some(n) = c.within_lines {
                let range = lines_around(blob, start, end, n);
                c.capture(blob, range, &mut out);
            }
        }
        Companions(out)
    }
}

/// The byte range of the `n` lines above and below the lines holding `start..end`.
pub fn lines_around(blob: &[u8], start: usize, end: usize, n: usize) -> std::ops::Range<usize> {
    let mut from = memchr::memrchr(b'\n', &blob[..start]).map_or(0, |i| i + 1);
    for _ in 0..n {
        if from == 0 {
            break;
        }
        from = memchr::memrchr(b'\n', &blob[..from - 1]).map_or(0, |i| i + 1);
    }
    let mut to = end;
    for _ in 0..=n {
        match memchr::memchr(b'\n', &blob[to..]) {
            Some(i) => to += i + 1,
            None => {
                to = blob.len();
                break;
            }
        }
    }
    from..to
}

/// A set of bytes, for O(1) adjacency checks in the hot loop.
#[derive(Clone)]
pub struct ByteSet([bool; 256]);

impl ByteSet {
    pub fn contains(&self, b: u8) -> bool {
        self.0[b as usize]
    }
}

/// Lowercase and drop `_`/`-`, so `Access-Token`, `access_token` and `accesstoken` agree.
pub fn normalize_name(name: &[u8]) -> String {
    name.iter()
        .filter(|&&b| b != b'_' && b != b'-')
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

/// `build` says when the rule's regexes are built.
pub fn compile(spec: RuleSpec, origin: &str, build: &mut Build) -> Result<Rule> {
    let at = |field: &str| format!("{origin}: rule `{}`: {field}", spec.id);
    if spec.id.is_empty()
        || !spec
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Error::settings(format!(
            "{origin}: rule id `{}` must be non-empty lowercase letters, digits and `-`",
            spec.id
        )));
    }
    // Names are printed in reports and Markdown summaries: a newline or a bidi override
    // in one could forge lines there.
    if spec.name.chars().any(crate::escape::needs_escape) {
        return Err(Error::settings(format!(
            "{}: must not contain control or bidi characters",
            at("name")
        )));
    }
    if !(0.0..=10.0).contains(&spec.security_severity) {
        return Err(Error::settings(format!(
            "{}: must be between 0.0 and 10.0, got {}",
            at("security_severity"),
            spec.security_severity
        )));
    }
    if spec.keywords.iter().any(|k| k.is_empty()) {
        return Err(Error::settings(format!(
            "{}: empty keyword",
            at("keywords")
        )));
    }

    let patterns = std::iter::once((&spec.regex, at("regex")))
        .chain(
            spec.regex_variants
                .iter()
                .enumerate()
                .map(|(i, re)| (re, at(&format!("regex_variants[{i}]")))),
        )
        .map(|(re, at)| compile_pattern(re, &at, !spec.filters.names.is_empty(), build))
        .collect::<Result<Vec<_>>>()?;
    let not_adjacent = spec
        .not_adjacent
        .as_deref()
        .map(|class| byte_set(class, &at("not_adjacent")))
        .transpose()?;
    let companions = spec
        .companions
        .iter()
        .enumerate()
        .map(|(i, c)| compile_companion(c, &at(&format!("companions[{i}]")), build))
        .collect::<Result<Vec<_>>>()?;
    let filters = compile_filters(&spec.filters, &at, build)?;
    let contexts = spec
        .context
        .iter()
        .enumerate()
        .map(|(i, c)| compile_context(c, &at(&format!("context[{i}]")), build))
        .collect::<Result<Vec<_>>>()?;

    Ok(Rule {
        // Built in, or named by the user (`--rules`, a `--config` file) until the loader
        // says the rule came from the scanned tree.
        info: RuleInfo {
            id: spec.id,
            name: spec.name,
            description: spec.description,
            severity: spec.severity,
            security_severity: spec.security_severity,
            tags: spec.tags,
            help_uri: spec.help_uri,
            remediation: spec.remediation,
            live_action: spec.live_action,
            trusted: true,
        },
        credential: spec
            .credential
            .or(spec.verify.map(|Verifier::Okta| Kind::OktaApiToken)),
        companions,
        keywords: spec.keywords,
        anchors: spec.anchors,
        variant_anchors: spec.variant_anchors,
        gate: spec.gate,
        patterns,
        not_adjacent,
        decode: spec.decode,
        supersedes: spec.supersedes,
        scan_binary: spec.scan_binary,
        filters,
        confidence: spec.confidence,
        contexts,
        examples: spec.examples,
        negative_examples: spec.negative_examples,
        origin: origin.to_string(),
        roots: None,
        text: Default::default(),
    })
}

fn compile_filters(
    spec: &FilterSpec,
    at: &dyn Fn(&str) -> String,
    build: &mut Build,
) -> Result<Filters> {
    let reject = spec
        .reject
        .iter()
        .map(|r| AuxRegex::new(r.clone(), &at("filters.reject"), build))
        .collect::<Result<Vec<_>>>()?;
    let require = spec
        .require
        .as_ref()
        .map(|r| AuxRegex::new(format!("\\A(?:{r})\\z"), &at("filters.require"), build))
        .transpose()?;
    let mut edge = |re: &Option<String>, field: &str, start: bool| {
        re.as_deref()
            .map(|r| AuxRegex::new(anchored(r, start), &at(field), build))
            .transpose()
    };
    Ok(Filters {
        min_length: spec.min_length.unwrap_or(0),
        min_entropy: spec.min_entropy.unwrap_or(0.0),
        placeholders: spec.placeholders.iter().map(|p| p.to_lowercase()).collect(),
        reject,
        require,
        reject_before: edge(&spec.reject_before, "filters.reject_before", false)?,
        reject_after: edge(&spec.reject_after, "filters.reject_after", true)?,
        max_repeat: spec.max_repeat,
        max_sequence: spec.max_sequence,
        names: spec
            .names
            .iter()
            .map(|n| normalize_name(n.as_bytes()))
            .collect(),
        base64_guard: spec.base64_guard,
        jwt_payload: spec
            .jwt_payload
            .as_ref()
            .map(|r| AuxRegex::new(r.clone(), &at("filters.jwt_payload"), build))
            .transpose()?,
    })
}

fn compile_context(spec: &ContextSpec, at: &str, build: &mut Build) -> Result<Context> {
    let mut aux = |re: &Option<String>, field: &str, anchor: Option<bool>| {
        re.as_deref()
            .map(|r| {
                let pattern = match anchor {
                    Some(start) => anchored(r, start),
                    None => r.to_string(),
                };
                AuxRegex::new(pattern, &format!("{at}.{field}"), build)
            })
            .transpose()
    };
    Ok(Context {
        confidence: spec.confidence,
        before: aux(&spec.before, "before", Some(false))?,
        after: aux(&spec.after, "after", Some(true))?,
        path: aux(&spec.path, "path", None)?,
        file: aux(&spec.file, "file", None)?,
        block: aux(&spec.block, "block", None)?,
        above: aux(&spec.above, "above", None)?,
        description: spec.description.clone(),
    })
}

fn compile_pattern(re: &str, at: &str, needs_name: bool, build: &mut Build) -> Result<Pattern> {
    let pattern = Pattern {
        source: re.to_string(),
        built: OnceLock::new(),
    };
    if let Build::Lazy = build {
        return Ok(pattern);
    }
    let regex = build.regex(re, at)?;
    let secret_group = group_index(&regex, "secret").ok_or_else(|| {
        Error::settings(format!(
            "{at}: needs a named group `secret`, as in (?P<secret>...)"
        ))
    })?;
    let name_group = group_index(&regex, "name");
    if needs_name && name_group.is_none() {
        return Err(Error::settings(format!(
            "{at}: `filters.names` needs a named group `name` in the regex"
        )));
    }
    let _ = pattern.built.set(Some(Built {
        regex,
        secret_group,
        name_group,
    }));
    Ok(pattern)
}

/// `before` regexes must end at the secret and `after` regexes start at it.
fn anchored(re: &str, at_start: bool) -> String {
    if at_start {
        format!(r"\A(?:{re})")
    } else {
        format!(r"(?:{re})\z")
    }
}

pub fn build_regex(re: &str, at: &str) -> Result<Regex> {
    RegexBuilder::new(re)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| regex_error(e, at))
}

fn regex_error(e: regex::Error, at: &str) -> Error {
    let detail = match e {
        regex::Error::CompiledTooBig(limit) => format!(
            "pattern is too large once compiled (limit {limit} bytes); simplify it or bound its repetitions"
        ),
        other => other
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    };
    Error::settings(format!("{at}: invalid regex: {detail}"))
}

fn group_index(re: &Regex, name: &str) -> Option<usize> {
    re.capture_names().position(|n| n == Some(name))
}

/// The bytes `class` (a one-byte pattern, usually `[...]`) matches. A class or a single
/// byte is read off its syntax tree; anything else is asked of a compiled regex byte by
/// byte (which also words its errors): that cost the pre-commit hook a tenth of its
/// start-up for the four classes of the built-in rules.
fn byte_set(class: &str, at: &str) -> Result<ByteSet> {
    use regex_syntax::hir::{Class, HirKind};
    let mut set = [false; 256];
    let config = regex_automata::util::syntax::Config::new()
        .unicode(false)
        .utf8(false)
        .dot_matches_new_line(true);
    if let Ok(hir) = regex_automata::util::syntax::parse_with(class, &config) {
        match hir.kind() {
            HirKind::Class(Class::Bytes(bytes)) => {
                for r in bytes.ranges() {
                    set[r.start() as usize..=r.end() as usize].fill(true);
                }
                return Ok(ByteSet(set));
            }
            HirKind::Literal(lit) if lit.0.len() == 1 => {
                set[lit.0[0] as usize] = true;
                return Ok(ByteSet(set));
            }
            _ => {}
        }
    }
    byte_set_by_regex(class, at)
}

fn byte_set_by_regex(class: &str, at: &str) -> Result<ByteSet> {
    let mut set = [false; 256];
    let re = build_regex(&format!(r"(?s-u)\A(?:{class})\z"), at)?;
    for (b, slot) in set.iter_mut().enumerate() {
        *slot = re.is_match(&[b as u8]);
    }
    Ok(ByteSet(set))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_set_read_off_the_syntax_is_what_the_regex_matches() {
        for class in [
            r"[A-Za-z0-9_\-]",
            r"[A-Za-z0-9+/]",
            r"[A-Za-z0-9_\-.]",
            r"[A-Za-z0-9_\-~.]",
            r"[^a-z\s]",
            r"\w",
            r"[[:alpha:]]",
            r".",
            "x",
            r"\x00",
            "a|b",
            "(?i)k",
        ] {
            let syntax = byte_set(class, "t").unwrap();
            let regex = byte_set_by_regex(class, "t").unwrap();
            assert_eq!(syntax.0, regex.0, "{class}");
        }
        assert!(byte_set("[a-", "t").is_err());
    }

    #[test]
    fn lines_around_a_match() {
        let blob = b"a\nb\r\nc TOKEN c\nd\ne\n";
        let at = 7..12;
        assert_eq!(
            &blob[lines_around(blob, at.start, at.end, 0)],
            b"c TOKEN c\n"
        );
        assert_eq!(
            &blob[lines_around(blob, at.start, at.end, 1)],
            b"b\r\nc TOKEN c\nd\n"
        );
        assert_eq!(&blob[lines_around(blob, at.start, at.end, 9)], &blob[..]);
    }
}
