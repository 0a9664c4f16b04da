//! Blob-level checks a rule names (`gate = "query-parameter"`) when none of its literals
//! is rare enough to be an anchor. A gate is a necessary condition of the rule's main regex:
//! a blob that fails it cannot match, so the regex is not run there. `rules check` runs the
//! examples through the gate, so a gate that rejects a real match fails the rule's own tests.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Gate {
    /// A check written in code: `gate = "query-parameter"`.
    Named(Named),
    /// `gate = { contains = "://" }`: the blob holds this literal. For a rule whose regex
    /// needs it and that no anchor gates: the check costs what the regex's own prefilter
    /// would, and a process whose blobs never hold it never builds the regex (the
    /// pre-commit hook's start-up). Once the regex is built the gate is passed over
    /// (`only_until_built`): the regex's prefilter searches for the same literal, and
    /// searching twice was a tenth of a directory scan.
    Contains {
        contains: String,
        /// Built on first use: a searcher per blob cost more than the search.
        #[serde(skip)]
        finder: Box<std::sync::OnceLock<memchr::memmem::Finder<'static>>>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Named {
    /// Somewhere in the blob, a `=` with a value byte after it and 1–64 parameter-name bytes
    /// (`[A-Za-z0-9_.-]`) before it, led by `?`, `&`, `;` or a JSON-escaped `\u0026`: what
    /// `[?&;]name=value` needs. Code is full of `=`, but rarely in that shape, and the
    /// regex engine's own prefilter (every `=`, then a reverse search) cost a quarter of a
    /// directory scan.
    QueryParameter,
}

impl Gate {
    pub fn name(&self) -> String {
        match self {
            Gate::Named(Named::QueryParameter) => "query-parameter".into(),
            Gate::Contains { contains, .. } => format!("contains {contains:?}"),
        }
    }

    /// Whether the gate only saves building the regex: `Contains`, whose literal the
    /// regex's own prefilter looks for anyway.
    pub fn only_until_built(&self) -> bool {
        matches!(self, Gate::Contains { .. })
    }

    /// Whether `blob` may hold a match.
    pub fn admits(&self, blob: &[u8]) -> bool {
        match self {
            Gate::Named(Named::QueryParameter) => has_query_parameter(blob),
            Gate::Contains { contains, finder } => finder
                .get_or_init(|| memchr::memmem::Finder::new(contains.as_bytes()).into_owned())
                .find(blob)
                .is_some(),
        }
    }
}

const MAX_NAME: usize = 64;

fn has_query_parameter(blob: &[u8]) -> bool {
    memchr::memchr_iter(b'=', blob).any(|eq| {
        // Most `=` in code have a space or an operator before them: one lookup each.
        if eq == 0 || !NAME[blob[eq - 1] as usize] {
            return false;
        }
        if !blob.get(eq + 1).is_some_and(|&b| VALUE[b as usize]) {
            return false;
        }
        // Every start of the name run may be the one a lead precedes: `\u0026` ends in a
        // name byte, so the longest run is not always the match.
        let mut start = eq;
        while start > 0 && eq - start < MAX_NAME && NAME[blob[start - 1] as usize] {
            start -= 1;
            if led(blob, start) {
                return true;
            }
        }
        false
    })
}

fn led(blob: &[u8], start: usize) -> bool {
    match start.checked_sub(1).map(|i| blob[i]) {
        Some(b'?' | b'&' | b';') => true,
        Some(b'6') => blob[..start].ends_with(b"\\u0026"),
        _ => false,
    }
}

const fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// The first byte of a value: not a delimiter of URLs, quoting, escapes or templates.
const fn value_byte(b: u8) -> bool {
    !b.is_ascii_whitespace()
        && !matches!(
            b,
            b'&' | b'#'
                | b';'
                | b'"'
                | b'\''
                | b'`'
                | b'<'
                | b'>'
                | b'\\'
                | b'('
                | b')'
                | b'{'
                | b'}'
                | b'['
                | b']'
                | b'|'
                | b','
                | 0x0b
        )
}

/// Byte class → lookup table, built at compile time.
macro_rules! table {
    ($f:ident) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = $f(i as u8);
            i += 1;
        }
        t
    }};
}

static NAME: [bool; 256] = table!(name_byte);
static VALUE: [bool; 256] = table!(value_byte);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameter_shapes() {
        let admits = |s: &str| Gate::Named(Named::QueryParameter).admits(s.as_bytes());
        assert!(admits("GET /a?token=abc"));
        assert!(admits("x&api_key=abc"));
        assert!(admits("x&amp;sig=abc"));
        assert!(admits(r#"{"url":"/a?x=1\u0026token=abc"}"#));
        assert!(admits(r"\u0026token=abc"));
        assert!(!admits("int i = 0; x == y; a != b"));
        assert!(!admits("for (i=0; i<n; i++)"));
        assert!(!admits("?token= abc"));
        assert!(!admits("?token=\"abc\""));
        assert!(!admits("?=abc"));
        assert!(!admits(&format!("?{}=abc", "n".repeat(65))));
        assert!(admits(&format!("?{}=abc", "n".repeat(64))));
        assert!(!admits("token=abc"));
    }
}
