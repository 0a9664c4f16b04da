//! Runs every rule's `examples` and `negative_examples` through the real matcher, so rule
//! authors (us and users) get the same answer the scanner would give.

use crate::matcher::Matcher;

const DEFAULT_EXAMPLE_PATH: &str = "example.txt";

pub struct CheckFailure {
    pub rule_id: String,
    pub origin: String,
    pub message: String,
}

pub struct CheckReport {
    pub examples: usize,
    pub failures: Vec<CheckFailure>,
}

/// Checks the rules at `indices` (all rules when `None`). Example secrets are quoted
/// redacted in failure messages unless `redact` is off: rule files in a scanned tree may
/// hold real secrets.
pub fn check_examples(matcher: &Matcher, indices: Option<&[usize]>, redact: bool) -> CheckReport {
    let show = |s: &[u8]| {
        let s = String::from_utf8_lossy(s);
        if redact {
            crate::finding::redact(&s)
        } else {
            s.into_owned()
        }
    };
    let all: Vec<usize> = (0..matcher.rules().len()).collect();
    let indices = indices.unwrap_or(&all);
    let mut report = CheckReport {
        examples: 0,
        failures: Vec::new(),
    };
    for &i in indices {
        let rule = &matcher.rules()[i];
        let mut fail = |message: String| {
            report.failures.push(CheckFailure {
                rule_id: rule.info.id.clone(),
                origin: rule.origin.clone(),
                message,
            })
        };
        if rule.examples.is_empty() {
            fail("has no examples: every rule needs at least one".into());
        }
        for (n, ex) in rule.examples.iter().enumerate() {
            report.examples += 1;
            let path = ex.path.as_deref().unwrap_or(DEFAULT_EXAMPLE_PATH);
            let found = matcher.find(ex.text.as_bytes(), path);
            let hit = found.iter().find(|m| {
                m.rule == i
                    && (m.secret == ex.secret.as_bytes()
                        || ex.text.as_bytes()[m.start..m.end] == *ex.secret.as_bytes())
            });
            match hit {
                None => {
                    let mut why = Vec::new();
                    let mut sink = Vec::new();
                    matcher.find_rule(i, ex.text.as_bytes(), path, &mut sink, &mut |s, r| {
                        why.push(format!("`{}` rejected: {r}", show(s)))
                    });
                    let others: Vec<_> = found
                        .iter()
                        .filter(|m| m.rule != i)
                        .map(|m| {
                            format!("reported as `{}` instead", matcher.rules()[m.rule].info.id)
                        })
                        .collect();
                    why.extend(others);
                    if why.is_empty() {
                        why.push(match &rule.gate {
                            Some(g) if !g.admits(ex.text.as_bytes()) => {
                                format!("the example does not pass gate `{}`", g.name())
                            }
                            _ => "the regex did not match".into(),
                        });
                    }
                    fail(format!(
                        "example {}: expected secret `{}` not found ({})",
                        n + 1,
                        show(ex.secret.as_bytes()),
                        why.join("; ")
                    ));
                }
                Some(m) => {
                    // A gate must hold wherever the main regex matches: a `contains` gate
                    // is passed over once its regex is built, so a finding alone does not
                    // prove it.
                    if let Some(g) = &rule.gate
                        && !g.admits(ex.text.as_bytes())
                        && rule
                            .patterns
                            .first()
                            .and_then(|p| p.get())
                            .is_some_and(|p| p.regex.is_match(ex.text.as_bytes()))
                    {
                        fail(format!(
                            "example {}: the main regex matches where gate `{}` does not admit the example (a gate must be a necessary condition of the regex)",
                            n + 1,
                            g.name()
                        ));
                    }
                    if let Some(want) = ex.confidence
                        && m.confidence != want
                    {
                        fail(format!(
                            "example {}: confidence is {}, expected {want}",
                            n + 1,
                            m.confidence
                        ));
                    }
                }
            }
        }
        for (n, ex) in rule.negative_examples.iter().enumerate() {
            report.examples += 1;
            let path = ex.path.as_deref().unwrap_or(DEFAULT_EXAMPLE_PATH);
            for m in matcher
                .find(ex.text.as_bytes(), path)
                .iter()
                .filter(|m| m.rule == i)
            {
                fail(format!(
                    "negative example {}: unexpectedly matched `{}` ({} confidence)",
                    n + 1,
                    show(&ex.text.as_bytes()[m.start..m.end]),
                    m.confidence
                ));
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    /// The rules shipped in rules/ must find every example and no negative example.
    #[test]
    fn builtin_rule_examples_pass() {
        let matcher = Matcher::new(RuleSet::load_eager(&[] as &[&std::path::Path]).unwrap());
        let report = check_examples(&matcher, None, true);
        let failures: Vec<String> = report
            .failures
            .iter()
            .map(|f| format!("{}: {}", f.rule_id, f.message))
            .collect();
        assert!(failures.is_empty(), "{failures:#?}");
        assert!(report.examples > 40);
    }
}
