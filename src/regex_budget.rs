//! Memory limits for regexes read from files: `[allow]` in a `.tokenwarden.toml` and rule
//! files, both of which may belong to whoever wrote the scanned tree (README "Trust
//! model"). The `regex` crate is linear-time, so memory is what a hostile pattern can blow
//! up: 200 entries of `\w{200}0` in a 3 KB config took 2.3 GB. A limit per regex alone
//! does not help against many regexes, so a set of them shares one budget.

use regex::bytes::{Regex, RegexBuilder};
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;

use crate::size::human_bytes;

/// What the regexes of one set may cost, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// One compiled program, as the regex crate's `size_limit` counts it: the forward NFA.
    /// With the reverse one and its other engines, a regex holds two to four times that.
    pub program: usize,
    /// The lazy DFA cache of one regex (`dfa_size_limit`). It grows while matching, up to
    /// this, in every thread that uses the regex, so it is charged to the budget up front
    /// even though it starts empty.
    pub cache: usize,
    /// Programs and caches of the whole set.
    pub total: usize,
    /// The set, for messages: "the regexes of [allow]".
    pub set: &'static str,
}

/// Regexes built against one set's `Limits`.
#[derive(Debug, Clone)]
pub struct Budget {
    limits: Limits,
    used: usize,
    built: usize,
}

#[derive(Debug)]
pub enum BuildError {
    /// Not a regex: the regex crate's error, for the caller to quote as it quotes others.
    Invalid(regex::Error),
    /// Too large, alone or with the rest of the set: a message that quotes the pattern
    /// redacted (it may hold the very secret being allowed).
    Refused(String),
}

impl Budget {
    pub fn new(limits: Limits) -> Budget {
        Budget {
            limits,
            used: 0,
            built: 0,
        }
    }

    /// Builds `pattern` as `regex::bytes` and charges its program and cache.
    pub fn build(&mut self, pattern: &str) -> Result<Regex, BuildError> {
        let Limits {
            program,
            cache,
            total,
            set,
        } = self.limits;
        let left = total.saturating_sub(self.used + cache);
        // The program is measured with the compiler the regex crate uses, held to what is
        // left, so an oversized pattern stops compiling as soon as it overflows instead of
        // being built whole first.
        let measured = thompson::Compiler::new()
            .syntax(syntax::Config::new().utf8(false))
            .configure(
                thompson::Config::new()
                    .utf8(false)
                    .nfa_size_limit(Some(program.min(left))),
            )
            .build(pattern);
        let shown = crate::finding::redact(pattern);
        let too_large = || {
            BuildError::Refused(format!(
                "`{shown}` is too large once compiled (over the {} allowed for one \
                 regex); bound its repetitions, and note that `\\w`, `\\d` and `.` match \
                 all of Unicode unless the pattern starts with `(?-u)`",
                human_bytes(program as u64)
            ))
        };
        let charge = match measured {
            Ok(nfa) => nfa.memory_usage() + cache,
            Err(e) if e.size_limit().is_some() && left < program => {
                return Err(BuildError::Refused(format!(
                    "`{shown}` does not fit: {set} may take {} once compiled, and the {} \
                     before it take {}; use fewer or simpler regexes",
                    human_bytes(total as u64),
                    self.built,
                    human_bytes(self.used as u64)
                )));
            }
            Err(e) if e.size_limit().is_some() => return Err(too_large()),
            // Not a regex, as the regex crate says below in its own words; should it build
            // after all, it is charged all a regex may take.
            Err(_) => program + cache,
        };
        let regex = RegexBuilder::new(pattern)
            .size_limit(program)
            .dfa_size_limit(cache)
            .build()
            .map_err(|e| match e {
                // The reverse program can be larger than the forward one measured above.
                regex::Error::CompiledTooBig(_) => too_large(),
                other => BuildError::Invalid(other),
            })?;
        self.used += charge;
        self.built += 1;
        Ok(regex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limits = Limits {
        program: 1 << 20,
        cache: 32 << 10,
        total: 4 << 20,
        set: "the regexes of the test",
    };

    fn refusal(r: Result<Regex, BuildError>) -> String {
        match r {
            Err(BuildError::Refused(why)) => why,
            Err(BuildError::Invalid(e)) => panic!("invalid: {e}"),
            Ok(_) => panic!("built"),
        }
    }

    #[test]
    fn ordinary_regexes_are_charged_their_program_and_cache() {
        let mut budget = Budget::new(SMALL);
        for i in 0..40 {
            let re = budget
                .build(&format!(r"(?i)fixture-{i}|\w+@example\.com"))
                .unwrap();
            assert!(re.is_match(b"mail jo@example.com"));
        }
        let each = budget.used / 40;
        assert!(
            (SMALL.cache..SMALL.cache + (40 << 10)).contains(&each),
            "{each}"
        );
    }

    #[test]
    fn one_oversized_regex_is_refused_before_it_is_built() {
        let why = refusal(Budget::new(SMALL).build(r"\w{200}0"));
        assert!(
            why.starts_with("`\\w…` is too large once compiled"),
            "{why}"
        );
        // ASCII classes are small: the same shape fits once Unicode is off.
        assert!(Budget::new(SMALL).build(r"(?-u)\w{200}0").is_ok());
    }

    #[test]
    fn the_set_shares_one_total() {
        let mut budget = Budget::new(SMALL);
        let mut built = 0;
        let why = loop {
            match budget.build(r"\w{15}") {
                Ok(_) => built += 1,
                Err(e) => break refusal(Err(e)),
            }
        };
        assert!((2..20).contains(&built), "{built}");
        assert!(
            why.contains("does not fit: the regexes of the test may take 4.0 MiB")
                && why.contains(&format!("the {built} before it")),
            "{why}"
        );
    }

    #[test]
    fn invalid_patterns_keep_the_regex_crate_error() {
        assert!(matches!(
            Budget::new(SMALL).build("(unclosed"),
            Err(BuildError::Invalid(regex::Error::Syntax(_)))
        ));
    }
}
