//! `history --state`: an incremental run reports what a full run reports, on a real
//! repository with branches, merges, a deleted branch, a rewound branch and a cherry-pick,
//! and refuses a state that does not fit.

use crate::common;

use std::fs;
use std::path::Path;

use common::{Repo, okta_token, tokenwarden};
use serde_json::Value;

fn history(dir: &Path, extra: &[&str]) -> (Value, String) {
    let mut args = vec!["history", "--format", "json"];
    args.extend(extra);
    args.push(".");
    let out = tokenwarden(dir, &args);
    assert!(
        out.status.code().unwrap() < 2,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What a finding is, as both runs must agree on it.
fn keys(report: &Value) -> Vec<String> {
    let mut k: Vec<String> = common::findings(report)
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {} {}",
                f["path"],
                f["line"],
                f["fingerprint"],
                f["commit"],
                f["at_head"],
                f["reintroduced_in"]
            )
        })
        .collect();
    k.sort();
    k
}

fn new_paths(report: &Value) -> Vec<String> {
    let mut p: Vec<String> = common::findings(report)
        .iter()
        .filter(|f| f["new"] == true)
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    p.sort();
    p
}

#[test]
fn incremental_runs_report_what_full_runs_report() {
    let repo = Repo::new();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("history.state");
    let state = state.to_str().unwrap();
    let line = |i: u64| format!("OKTA_API_TOKEN={}\n", okta_token(8000 + i));
    let check = |step: &str| -> Value {
        let (full, _) = history(&repo.path, &[]);
        let (inc, notes) = history(&repo.path, &["--state", state]);
        assert_eq!(keys(&inc), keys(&full), "{step}: {notes}");
        inc
    };

    repo.write("a.env", &line(1));
    repo.commit_all("one");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("b.env", &line(2));
    repo.commit_all("feature");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("c.txt", "docs\n");
    repo.commit_all("docs");
    repo.git(&["merge", "-q", "--no-edit", "feature"]);
    let first = check("first run");
    assert_eq!(
        new_paths(&first),
        ["a.env", "b.env"],
        "everything is new at first"
    );

    // One more commit: only its finding is new; the rest come from the state.
    repo.write("d.env", &line(3));
    repo.commit_all("three");
    let inc = check("a new commit");
    assert_eq!(new_paths(&inc), ["d.env"]);
    let (only, _) = history(&repo.path, &["--state", state, "--new-only"]);
    assert!(
        common::findings(&only).is_empty(),
        "nothing new since the last run"
    );

    // A branch with a secret, scanned, then deleted: gone, as in a full scan.
    repo.git(&["checkout", "-q", "-b", "wip"]);
    repo.write("w.env", &line(4));
    repo.commit_all("wip");
    repo.git(&["checkout", "-q", "main"]);
    check("a new branch");
    repo.git(&["branch", "-q", "-D", "wip"]);
    let (_, notes) = history(&repo.path, &["--state", state]);
    let inc = check("a deleted branch");
    assert!(!keys(&inc).iter().any(|k| k.contains("w.env")));
    assert!(
        notes.contains("no longer reachable") || keys(&inc).len() == 3,
        "{notes}"
    );

    // A known secret committed again on a new branch (a cherry-pick of d.env's content at
    // another path and at the same path after a delete), and main rewound past it.
    repo.git(&["checkout", "-q", "-b", "again", "HEAD~1"]);
    repo.write("moved/d.env", &line(3));
    repo.commit_all("again");
    repo.git(&["checkout", "-q", "main"]);
    check("a known blob in a new commit");
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    check("main rewound");

    // A damaged state, or other rules, means a full scan with a notice.
    fs::write(state, b"TWSTATE\0garbage").unwrap();
    let (_, notes) = history(&repo.path, &["--state", state]);
    assert!(
        notes.contains("is not used, so the whole history is scanned"),
        "{notes}"
    );
    history(&repo.path, &["--state", state]);
    let rules = dir.path().join("rules");
    fs::create_dir(&rules).unwrap();
    fs::write(
        rules.join("extra.toml"),
        "id = \"extra\"\nname = \"Extra\"\ndescription = \"d\"\nseverity = \"note\"\n\
         security_severity = 1.0\nremediation = \"r\"\nregex = '(?P<secret>zz[0-9]{12})'\n\
         [[examples]]\ntext = \"zz123456789012\"\nsecret = \"zz123456789012\"\n",
    )
    .unwrap();
    let (_, notes) = history(
        &repo.path,
        &["--state", state, "--rules", rules.to_str().unwrap()],
    );
    assert!(notes.contains("scanned with other rules"), "{notes}");
}

/// The Action's scheduled runs keep a state: the second run reads it and reports the same.
#[test]
fn the_action_scans_scheduled_runs_incrementally() {
    let repo = Repo::new();
    repo.write("a.env", &format!("OKTA_API_TOKEN={}\n", okta_token(8100)));
    repo.commit_all("one");
    let gha = common::Gha::new();
    let state = gha.path("history.state");
    let args = ["--state", state.to_str().unwrap()];
    let first = gha.run(&repo.path, "schedule", &serde_json::json!({}), &args);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert!(state.exists());
    let saved = fs::metadata(&state).unwrap().modified().unwrap();
    repo.write("b.txt", "docs\n");
    repo.commit_all("two");
    let second = gha.run(&repo.path, "schedule", &serde_json::json!({}), &args);
    assert_eq!(second.code, 1, "{}", second.stderr);
    assert!(!second.stderr.contains("is not used"), "{}", second.stderr);
    assert_eq!(
        first.sarif.unwrap()["runs"][0]["results"]
            .as_array()
            .unwrap()
            .len(),
        second.sarif.unwrap()["runs"][0]["results"]
            .as_array()
            .unwrap()
            .len()
    );
    assert!(fs::metadata(&state).unwrap().modified().unwrap() >= saved);
}

/// A finding the state already knew is still verified: its blob is read again, so the raw
/// secret is there for `--verify` although the state holds none.
#[test]
fn old_findings_are_verified_on_incremental_runs() {
    use common::okta::{Behavior, FakeOkta};
    let token = okta_token(8200);
    let okta = FakeOkta::builder().token(&token, Behavior::Live).start();
    let repo = Repo::new();
    repo.write("a.env", &format!("OKTA_API_TOKEN={token}\n"));
    repo.commit_all("one");
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s");
    let state = state.to_str().unwrap();
    history(&repo.path, &["--state", state]);
    assert!(
        !fs::read(state)
            .unwrap()
            .windows(10)
            .any(|w| w == &token.as_bytes()[..10])
    );
    repo.write("b.txt", "docs\n");
    repo.commit_all("two");
    let (report, notes) = history(
        &repo.path,
        &["--state", state, "--verify", "--okta-org", &okta.url],
    );
    let f = common::findings(&report);
    assert_eq!(f.len(), 1, "{notes}");
    assert_eq!(f[0]["verification"]["status"], "live", "{report:#}");
    assert!(f[0].get("new").is_none(), "an old finding is not new");
}
