//! Property tests on the library: a token inserted anywhere in random text is found
//! exactly once, at the right line and column, and no report format ever contains it.

use crate::common;

use proptest::prelude::*;
use tokenwarden::engine::{Engine, ScanPolicy};
use tokenwarden::finding::Confidence;
use tokenwarden::matcher::Matcher;
use tokenwarden::outcome::Outcome;
use tokenwarden::report::{self, Format, ReportContext};
use tokenwarden::rules::RuleSet;

fn engine() -> Engine {
    Engine::new(
        Matcher::new(RuleSet::load(&[] as &[&std::path::Path]).unwrap()),
        true,
        false,
    )
}

/// Every confidence, no allow rules.
fn all() -> ScanPolicy {
    ScanPolicy {
        min_confidence: Confidence::Low,
        ..ScanPolicy::default()
    }
}

/// Text that cannot form a token by itself: no `0`, so no `00…` run.
fn noise() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z1-9 _=:;,.\"'{}()\\[\\]/\\n\\r\\té€-]{0,400}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn inserted_token_is_found_once_and_never_printed(
        before in noise(),
        after in noise(),
        seed in 0u64..1_000_000,
        sep in prop::sample::select(vec![" ", "\n", "=", "\"", "'", ": ", "\t", "SSWS "]),
    ) {
        let token = common::okta_token(seed);
        let text = format!("{before}{sep}{token} {after}");
        let engine = engine();
        let found = engine.scan_blob(&all(), "random.txt", text.as_bytes());
        let ours: Vec<_> = found.iter().filter(|f| f.rule_id == "okta-api-token").collect();
        prop_assert_eq!(ours.len(), 1, "text: {:?}", text);
        let f = ours[0];
        let at = before.len() + sep.len();
        let prefix = &text[..at];
        let line = 1 + prefix.matches("\r\n").count()
            + prefix.matches('\n').count() - prefix.matches("\r\n").count()
            + prefix.matches('\r').count() - prefix.matches("\r\n").count();
        prop_assert_eq!(f.line, line);
        let line_start = prefix.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        prop_assert_eq!(f.column, prefix[line_start..].chars().count() + 1);

        let rules = engine.matcher().rules().iter().map(|r| r.info.clone()).collect();
        let out = Outcome { findings: found, rules, ..Default::default() };
        for format in [Format::Text, Format::Json, Format::Sarif] {
            let mut buf = Vec::new();
            let cx = ReportContext { color: false, verbose: true };
            report::write(format, &mut buf, &out, &cx).unwrap();
            let printed = String::from_utf8(buf).unwrap();
            prop_assert!(!printed.contains(&token), "{:?} leaked the token", format);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let engine = engine();
        let _ = engine.scan_blob(&all(), "bytes.bin", &data);
    }
}
