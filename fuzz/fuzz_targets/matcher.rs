//! The whole engine on arbitrary bytes: matcher, filters, contexts, locate, redaction.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tokenwarden::engine::{Engine, ScanPolicy};
use tokenwarden::finding::Confidence;
use tokenwarden::matcher::Matcher;
use tokenwarden::rules::RuleSet;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::new(
            Matcher::new(RuleSet::load_eager(&[] as &[&std::path::Path]).unwrap()),
            true,
            true,
        )
    })
}

fn every_confidence() -> &'static ScanPolicy {
    static POLICY: OnceLock<ScanPolicy> = OnceLock::new();
    POLICY.get_or_init(|| ScanPolicy {
        min_confidence: Confidence::Low,
        ..ScanPolicy::default()
    })
}

fuzz_target!(|data: &[u8]| {
    for f in engine().scan_blob(every_confidence(), "fuzz/okta.yaml", data) {
        assert!(f.line >= 1 && f.column >= 1 && f.end_column > f.column);
        assert!(f.secret.ends_with('…'));
    }
});
