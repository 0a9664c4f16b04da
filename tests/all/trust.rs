//! The scanned tree is untrusted input (README "Trust model"): what a pull request can put
//! in files, names, commit messages and git metadata must never get a raw secret printed,
//! crash the scanner, forge report lines or make it lose a report. Verification
//! destinations are covered in tests/verify_okta.rs.

use crate::common;

use std::fs;
use std::process::{Command, Output};

use common::{Gha, Repo, header, okta_token, tokenwarden};
use proptest::prelude::*;
use serde_json::{Value, json};

fn code(out: &Output) -> i32 {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out.status.code().unwrap()
}

fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

// ---------------------------------------------------------------------------------------
// 2. No raw secret in any output

/// Every place a report can go, for one repository holding `token` in a file's contents,
/// in a file's name and in a commit message. Returns each output by name.
fn every_output(token: &str) -> Vec<(String, String)> {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    let base = repo.commit_all("base");
    repo.write("deploy/call.sh", &header(token));
    repo.write(&format!("fixtures/{token}.txt"), "named after it\n");
    repo.write(
        &format!("fixtures/SSWS {token}.sh"),
        &format!("# {token}\ncurl -H \"Authorization: SSWS $OKTA_API_TOKEN\" https://acme.okta.com/api/v1/users?t={token}\n"),
    );
    let head = repo.commit_all(&format!(
        "add deploy script\n\nused Authorization: SSWS {token} while testing"
    ));
    let mut outputs = Vec::new();
    let mut record = |name: String, out: Output| {
        let c = code(&out);
        assert!(c < 2, "{name} exited {c}: {}", all_output(&out));
        outputs.push((name, all_output(&out)));
    };
    let range = format!("{base}..{head}");
    for format in ["text", "json", "sarif"] {
        for verbose in [false, true] {
            let mut args = vec!["--format", format];
            if verbose {
                args.push("--verbose");
            }
            for (what, cmd) in [
                ("scan", vec!["scan", "--min-confidence", "low"]),
                ("history", vec!["history", "--min-confidence", "low"]),
                (
                    "range",
                    vec!["history", "--min-confidence", "low", "--range", &range],
                ),
            ] {
                let mut all = cmd.clone();
                all.extend(&args);
                all.push(".");
                record(format!("{what} {format} v={verbose}"), repo.tw(&all));
            }
        }
    }
    // Staged: a new file named after the token, holding it, about to be committed.
    repo.write(&format!("staged/{token}.sh"), &header(token));
    repo.git(&["add", "-A"]);
    for format in ["text", "json", "sarif"] {
        record(
            format!("staged {format}"),
            repo.tw(&["staged", "--verbose", "--format", format]),
        );
    }
    for format in ["text", "json", "markdown", "sarif"] {
        record(
            format!("audit {format}"),
            repo.tw(&["audit", "--format", format, "."]),
        );
    }
    // A baseline file.
    let baseline = repo.path.join("bl.json");
    record(
        "baseline create".into(),
        repo.tw(&["baseline", "create", "-o", baseline.to_str().unwrap(), "."]),
    );
    outputs.push((
        "baseline file".into(),
        fs::read_to_string(&baseline).unwrap(),
    ));
    // The Action: annotations (stdout), job summary, GITHUB_OUTPUT, SARIF file.
    let gha = Gha::new();
    for (event, payload) in [
        (
            "pull_request",
            json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}}),
        ),
        ("schedule", Value::Null),
    ] {
        let run = gha.run(&repo.path, event, &payload, &["--verbose"]);
        assert!(run.code < 2, "{event}: {}", run.stderr);
        outputs.push((format!("{event} annotations"), run.stdout + &run.stderr));
        outputs.push((format!("{event} summary"), run.summary));
        outputs.push((format!("{event} GITHUB_OUTPUT"), run.outputs));
        outputs.push((
            format!("{event} sarif"),
            run.sarif.map(|s| s.to_string()).unwrap_or_default(),
        ));
    }
    outputs
}

proptest! {
    // Each case builds a repository and runs the binary ~30 times.
    #![proptest_config(ProptestConfig::with_cases(3))]

    #[test]
    fn no_output_format_ever_prints_a_raw_token(seed in 0u64..1_000_000) {
        let token = okta_token(seed);
        let outputs = every_output(&token);
        prop_assert!(outputs.len() > 30);
        for (name, text) in &outputs {
            prop_assert!(!text.contains(&token), "{} printed the raw token:\n{}", name, text);
        }
        // The commit message leak is itself a finding, with the commit as provenance.
        let history = &outputs.iter().find(|(n, _)| n == "history json v=false").unwrap().1;
        prop_assert!(history.contains("<commit message>"), "{}", history);
    }
}

#[test]
fn a_token_in_a_commit_message_is_a_finding_with_its_commit() {
    let repo = Repo::new();
    let token = okta_token(8100);
    repo.write("a.txt", "a\n");
    let base = repo.commit_all("base");
    repo.write("b.txt", "b\n");
    let head = repo.commit_all(&format!("debug\n\ncurl -H 'Authorization: SSWS {token}'"));
    for args in [
        vec!["history", "."],
        vec!["history", "--range", &format!("{base}..{head}"), "."],
    ] {
        let (c, json) = repo.tw_json(&args);
        assert_eq!(c, 1, "{args:?}");
        let f = &json["findings"][0];
        assert_eq!(f["path"], "<commit message>", "{json:#}");
        assert_eq!(f["line"], 3);
        assert_eq!(f["commit"], head.as_str());
        assert!(!json.to_string().contains(&token));
    }
    // A bare token in a message, with no SSWS or name next to it, is still a leak (medium).
    let bare = okta_token(8101);
    repo.write("c.txt", "c\n");
    let third = repo.commit_all(&format!("rotate\n\nold one was {bare}"));
    let (c, json) = repo.tw_json(&["history", "--range", &format!("{head}..{third}"), "."]);
    assert_eq!(c, 1);
    assert_eq!(json["findings"][0]["path"], "<commit message>");
    assert_eq!(json["findings"][0]["confidence"], "medium");
}

#[test]
fn a_secret_found_anywhere_is_redacted_in_commit_summaries_whatever_its_shape() {
    let repo = Repo::new();
    // A URL password has no shape of its own once it stands alone in a sentence.
    let password = common::url_secret(8150);
    repo.write(
        "db.env",
        &format!("DATABASE_URL=postgres://app:{password}@db.internal:5432/app\n"),
    );
    repo.commit_all(&format!("db: password is {password} for now"));
    for format in ["text", "json", "sarif"] {
        let out = repo.tw(&["history", "--format", format, "."]);
        assert_eq!(code(&out), 1);
        let text = all_output(&out);
        assert!(!text.contains(&password), "{format}: {text}");
        assert!(text.contains("db: password is "), "{format}: {text}");
    }
}

#[test]
fn error_messages_never_echo_a_secret() {
    let token = okta_token(8200);
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = tokenwarden(dir.path(), args);
        assert_eq!(code(&out), 2, "{args:?}: {}", all_output(&out));
        let text = all_output(&out);
        assert!(!text.contains(&token), "{args:?} echoed the token: {text}");
        assert!(text.contains("00"), "quoted redacted: {text}");
        text
    };
    // A token pasted into .tokenwardenignore instead of its fingerprint.
    fs::write(dir.path().join(".tokenwardenignore"), format!("{token}\n")).unwrap();
    run(&["scan", "."]);
    fs::remove_file(dir.path().join(".tokenwardenignore")).unwrap();
    // An invalid [allow] secrets regex built around the token.
    fs::write(
        dir.path().join(".tokenwarden.toml"),
        format!("[allow]\nsecrets = ['({token}']\n"),
    )
    .unwrap();
    let text = run(&["scan", "."]);
    assert!(text.contains("unclosed group"), "the reason stays: {text}");
    fs::remove_file(dir.path().join(".tokenwarden.toml")).unwrap();
    // Nonsense values for flags.
    run(&["scan", "--max-file-size", &token, "."]);
    run(&["scan", "--min-confidence", &token, "."]);
    run(&["scan", "--threads", &token, "."]);
    run(&["history", "--shard", &token, "."]);
    // A value too short to be a credential is quoted as given, and the rest of the message
    // is left whole (the value `x` used to be redacted inside "expected").
    let out = tokenwarden(dir.path(), &["history", "--shard", "x", "."]);
    let text = all_output(&out);
    assert_eq!(code(&out), 2);
    assert!(
        text.contains("invalid value 'x'") && text.contains("expected K/N"),
        "{text}"
    );
    // A password in an org URL (flag and environment) is covered in verify_okta.rs.
}

#[test]
fn rules_check_quotes_example_secrets_redacted() {
    let token = okta_token(8300);
    let dir = tempfile::tempdir().unwrap();
    let rule = format!(
        "id = \"mine\"\nname = \"Mine\"\ndescription = \"d\"\nseverity = \"note\"\n\
         security_severity = 1.0\nremediation = \"r\"\nregex = '(?P<secret>tok_[a-z]{{8}})'\n\
         [[examples]]\ntext = \"x = {token}\"\nsecret = \"{token}\"\n"
    );
    fs::write(dir.path().join("mine.toml"), rule).unwrap();
    let out = tokenwarden(dir.path(), &["rules", "check", "."]);
    assert_eq!(code(&out), 1, "{}", all_output(&out));
    let text = all_output(&out);
    assert!(text.contains("FAIL mine"), "{text}");
    assert!(!text.contains(&token), "{text}");
    let out = tokenwarden(dir.path(), &["rules", "check", "--no-redact", "."]);
    assert!(all_output(&out).contains(&token), "--no-redact shows it");
}

// ---------------------------------------------------------------------------------------
// 4. Git repositories that exist in the wild

#[test]
fn replace_refs_and_grafts_are_scanned_as_stored_never_a_panic() {
    let repo = Repo::new();
    let original = okta_token(8400);
    let replacement = okta_token(8401);
    repo.write("a.sh", &header(&original));
    let first = repo.commit_all("a");
    repo.write("b.txt", "x\n");
    let second = repo.commit_all("b");
    // A blob replaced by another holding a second token, and a graft of the second commit.
    let blob = repo.git(&["rev-parse", "HEAD:a.sh"]);
    fs::write(repo.path.join("r.sh"), header(&replacement)).unwrap();
    let new_blob = repo.git(&["hash-object", "-w", "r.sh"]);
    fs::remove_file(repo.path.join("r.sh")).unwrap();
    repo.git(&["replace", &blob, &new_blob]);
    repo.git(&["replace", "--graft", &second]);
    repo.write("c.sh", "y\n");
    repo.git(&["add", "c.sh"]);
    for format in ["text", "json", "sarif"] {
        for args in [
            vec!["history", "--format", format, "."],
            vec![
                "history",
                "--format",
                format,
                "--range",
                &format!("{first}~0..HEAD"),
                ".",
            ],
            vec!["staged", "--format", format],
        ] {
            let out = repo.tw(&args);
            let c = code(&out);
            assert!(c < 2, "{args:?}: {}", all_output(&out));
        }
    }
    // Both the stored blob and the replacement object are scanned.
    let (c, json) = repo.tw_json(&["history", "."]);
    assert_eq!(c, 1);
    let secrets: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["secret"].as_str().unwrap())
        .collect();
    for t in [&original, &replacement] {
        let shown = format!("{}…", &t[..4]);
        assert!(secrets.contains(&shown.as_str()), "{t}: {json:#}");
    }
    // The Action on the same repository.
    let gha = Gha::new();
    let run = gha.run(&repo.path, "schedule", &Value::Null, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn sha256_repositories_get_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let init = Command::new("git")
        .args(["init", "-q", "--object-format=sha256", "r"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    if !init.status.success() {
        eprintln!("git cannot make SHA-256 repositories here; skipped");
        return;
    }
    let r = dir.path().join("r");
    for args in [
        vec!["history", "."],
        vec!["history", "--range", "HEAD~1..HEAD", "."],
        vec!["staged"],
        vec!["install-hook"],
    ] {
        let out = tokenwarden(&r, &args);
        assert_eq!(code(&out), 2, "{args:?}");
        let text = all_output(&out);
        assert!(
            text.contains("SHA-256 repositories are not supported yet"),
            "{args:?}: {text}"
        );
    }
}

#[test]
fn staged_on_a_bare_repository_says_there_is_no_work_tree() {
    let repo = Repo::new();
    repo.write("a", "a\n");
    repo.commit_all("a");
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("b.git");
    repo.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
    let out = tokenwarden(dir.path(), &["staged", "--repo", bare.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(
        all_output(&out).contains("no work tree"),
        "{}",
        all_output(&out)
    );
}

#[test]
fn a_push_that_deletes_a_branch_scans_nothing() {
    let repo = Repo::new();
    repo.write("a", "a\n");
    let head = repo.commit_all("a");
    let gha = Gha::new();
    let event = json!({"before": head, "after": "0".repeat(40), "deleted": true});
    let run = gha.run(&repo.path, "push", &event, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("::notice"), "{}", run.stdout);
    assert!(run.stdout.contains("deletes a branch"), "{}", run.stdout);
    assert!(run.outputs.contains("findings=0"), "{}", run.outputs);
}

/// Ownership needs two users: the test runs as root (as CI does) and hands the repository
/// to `nobody`. Elsewhere it says so and passes.
#[test]
fn repositories_owned_by_someone_else_are_refused_like_git_does() {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !is_root {
        eprintln!("not root: cannot hand a repository to another user; skipped");
        return;
    }
    let repo = Repo::new();
    repo.write("a.sh", &header(&okta_token(8500)));
    let head = repo.commit_all("a");
    let chown = Command::new("chown")
        .args(["-R", "nobody", repo.path.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(chown.success());
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| -> Output {
        Command::new(env!("CARGO_BIN_EXE_tokenwarden"))
            .args(args)
            .current_dir(&repo.path)
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path())
            .env_remove("GIT_CONFIG_GLOBAL")
            .output()
            .unwrap()
    };
    let range = format!("{head}~0..{head}");
    let commands: [&[&str]; 4] = [
        &["staged"],
        &["history", "."],
        &["history", "--range", &range, "."],
        &["install-hook"],
    ];
    let canonical = fs::canonicalize(&repo.path).unwrap();
    for args in commands {
        let out = run(args);
        let text = all_output(&out);
        assert_eq!(code(&out), 2, "{args:?}: {text}");
        assert!(text.contains("dubious ownership"), "{args:?}: {text}");
        assert!(
            text.contains(&format!(
                "git config --global --add safe.directory {}",
                canonical.display()
            )),
            "{args:?}: {text}"
        );
    }
    // With git's own exception in place, every command works.
    fs::write(
        home.path().join(".gitconfig"),
        format!("[safe]\n\tdirectory = {}\n", canonical.display()),
    )
    .unwrap();
    for args in commands {
        let out = run(args);
        assert!(code(&out) < 2, "{args:?}: {}", all_output(&out));
    }
}

// ---------------------------------------------------------------------------------------
// 5. Nothing lost

#[test]
fn concurrent_reports_to_one_file_are_never_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..200 {
        fs::write(
            dir.path().join(format!("f{i}.sh")),
            header(&okta_token(8600 + i)),
        )
        .unwrap();
    }
    let report = dir.path().join("out.json");
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_tokenwarden"))
            .args(["scan", "--format", "json", "-o"])
            .arg(&report)
            .arg(".")
            .current_dir(dir.path())
            .spawn()
            .unwrap()
    };
    let mut children: Vec<_> = (0..4).map(|_| spawn()).collect();
    for c in &mut children {
        assert_eq!(c.wait().unwrap().code(), Some(1));
    }
    let json: Value = serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 200);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn baseline_create_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.sh"), header(&okta_token(8700))).unwrap();
    let baseline = dir.path().join(".tokenwarden-baseline.json");
    fs::write(&baseline, "{\"findings\": []}\n").unwrap();
    let out = tokenwarden(dir.path(), &["baseline", "create", "."]);
    assert_eq!(code(&out), 2);
    assert!(all_output(&out).contains("--force"), "{}", all_output(&out));
    assert_eq!(
        fs::read_to_string(&baseline).unwrap(),
        "{\"findings\": []}\n"
    );
    let out = tokenwarden(dir.path(), &["baseline", "create", "--force", "."]);
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    let json: Value = serde_json::from_str(&fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);
}

#[cfg(unix)]
#[test]
fn install_hook_force_replaces_a_symlink_not_its_target() {
    let repo = Repo::new();
    let shared = tempfile::tempdir().unwrap();
    let target = shared.path().join("shared-pre-commit");
    fs::write(&target, "#!/bin/sh\necho shared hook\n").unwrap();
    let hook = repo.path.join(".git/hooks/pre-commit");
    fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&target, &hook).unwrap();
    let out = repo.tw(&["install-hook"]);
    assert_eq!(code(&out), 2, "a foreign hook is kept without --force");
    let out = repo.tw(&["install-hook", "--force"]);
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    assert_eq!(
        fs::read_to_string(&target).unwrap(),
        "#!/bin/sh\necho shared hook\n"
    );
    let meta = fs::symlink_metadata(&hook).unwrap();
    assert!(!meta.file_type().is_symlink());
    assert!(
        fs::read_to_string(&hook)
            .unwrap()
            .contains("tokenwarden pre-commit hook")
    );
}

#[test]
fn oversized_configs_are_refused_before_they_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".tokenwarden.toml");
    let mut big = String::from("[allow]\nstopwords = [\n");
    while big.len() <= 1 << 20 {
        big.push_str("  \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\n");
    }
    big.push_str("]\n");
    fs::write(&config, &big).unwrap();
    let out = tokenwarden(dir.path(), &["scan", "."]);
    assert_eq!(code(&out), 2);
    assert!(
        all_output(&out).contains("larger than 1"),
        "{}",
        all_output(&out)
    );

    let many: Vec<String> = (0..10_001).map(|i| format!("\"w{i}\"")).collect();
    fs::write(
        &config,
        format!("[allow]\nstopwords = [{}]\n", many.join(",")),
    )
    .unwrap();
    let out = tokenwarden(dir.path(), &["scan", "."]);
    assert_eq!(code(&out), 2);
    assert!(
        all_output(&out).contains("10000 allowed") || all_output(&out).contains("10,000"),
        "{}",
        all_output(&out)
    );
}

/// Issue #21: 200 entries of `\w{200}0` (3 KB) took 2.3 GB and 25 s to compile. Each regex
/// and the set as a whole have a compiled-size budget; the error names the entry.
#[test]
fn allow_regexes_that_would_exhaust_memory_are_refused_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".tokenwarden.toml");
    let write = |entry: &dyn Fn(usize) -> String| {
        let entries: Vec<String> = (0..200).map(|i| format!("  '{}',\n", entry(i))).collect();
        fs::write(
            &config,
            format!("[allow]\nlines = [\n{}]\n", entries.concat()),
        )
        .unwrap();
    };
    let refused = |expect: &str| {
        let out = tokenwarden(dir.path(), &["scan", "."]);
        let text = all_output(&out);
        assert_eq!(code(&out), 2, "{text}");
        assert!(text.contains(expect), "{text}");
        assert_eq!(text.trim_end().lines().count(), 1, "one line: {text}");
        text
    };

    // One regex over its own limit: the first entry, line 3 column 3.
    write(&|i| format!("\\w{{200}}{}", i % 10));
    let text = refused(".tokenwarden.toml:3:3: allow.lines: `\\w…` is too large once compiled");
    assert!(text.contains("(?-u)"), "says why \\w is large: {text}");

    // Each within its limit, too many together: the first entry that does not fit.
    write(&|i| format!("\\w{{15}}x{i}"));
    let text = refused("does not fit: the regexes of [allow] may take 16.0 MiB");
    let line: usize = text
        .split(".tokenwarden.toml:")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no line number: {text}"));
    assert!((10..200).contains(&line), "{text}");
}

#[cfg(unix)]
#[test]
fn control_and_bidi_characters_in_names_cannot_forge_output() {
    let repo = Repo::new();
    repo.write("README.md", "x\n");
    let base = repo.commit_all("base");
    let name = "evil\u{202e}hs.txt\n## Injected heading\r\nfake\x1b[2J.sh";
    repo.write(name, &header(&okta_token(8800)));
    // The author's name reaches annotations ("Added in commit … by …").
    repo.git(&["add", "-A"]);
    repo.git(&[
        "-c",
        "user.name=Mallory\u{1b}]8;;https://evil.example\u{7}\u{202e}",
        "commit",
        "-q",
        "-m",
        "add",
    ]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let out = repo.tw(&["scan", "--verbose", "."]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\u{202e}') && !text.contains('\r'), "{text}");
    assert!(
        text.contains("evil\\u{202e}hs.txt\\u{a}## Injected"),
        "{text}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("## Injected")),
        "a file name started a line: {text}"
    );
    // The audit's text and Markdown name such files as usage sites.
    repo.write(
        "use\u{202e}rs\n## Injected heading\r\nci.sh",
        "export OKTA_API_TOKEN=\"$TOKEN\"\n",
    );
    for format in ["text", "markdown"] {
        let out = repo.tw(&["audit", "--format", format, "."]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Injected heading"), "{format}: {text}");
        assert!(
            !text.contains('\u{202e}') && !text.contains('\r'),
            "{format}: {text}"
        );
        assert!(
            !text.lines().any(|l| l.starts_with("## Injected")),
            "{format}: a file name started a line: {text}"
        );
    }
    let gha = Gha::new();
    let event = json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}});
    let run = gha.run(&repo.path, "pull_request", &event, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.summary.contains('\u{202e}'), "{}", run.summary);
    assert!(
        !run.summary.lines().any(|l| l.starts_with("## Injected")),
        "{}",
        run.summary
    );
    let annotations: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert!(!annotations.is_empty(), "{}", run.stdout);
    for line in annotations {
        assert!(
            !line.contains(['\r', '\u{1b}', '\u{7}', '\u{202e}']),
            "raw control or bidi character in an annotation: {line:?}"
        );
    }
    assert!(
        run.stdout.contains("file=evil\\u{202e}hs.txt"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("by Mallory\\u{1b}]8"), "{}", run.stdout);
}

#[test]
fn rule_names_with_control_characters_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("r");
    fs::create_dir(&rules).unwrap();
    fs::write(
        rules.join("x.toml"),
        "id = \"x\"\nname = \"Bad\\nname\"\ndescription = \"d\"\nseverity = \"note\"\n\
         security_severity = 1.0\nremediation = \"r\"\nregex = '(?P<secret>tok_[a-z]{8})'\n\
         [[examples]]\ntext = \"tok_abcdefgh\"\nsecret = \"tok_abcdefgh\"\n",
    )
    .unwrap();
    let out = tokenwarden(dir.path(), &["scan", "--rules", "r", "."]);
    assert_eq!(code(&out), 2);
    assert!(
        all_output(&out).contains("control or bidi"),
        "{}",
        all_output(&out)
    );
}

// ---------------------------------------------------------------------------------------
// 6. The tree's own rules and settings may not take over

/// A rule file a pull request can add, matching the SSWS shape, at `note` level, with
/// remediation and a link of its choosing.
fn shadow_rule(supersedes: &str) -> String {
    format!(
        "id = \"shadow\"\nname = \"Harmless test value\"\ndescription = \"d\"\n\
         severity = \"note\"\nsecurity_severity = 0.0\n{supersedes}\n\
         help_uri = \"https://evil.example/help\"\n\
         remediation = '''Nothing to do. [Read more](https://evil.example/phish) <img src=x onerror=alert(1)>\n```\n# Closed the fence'''\n\
         regex = '(?P<secret>00[A-Za-z0-9_-]{{40}})'\n"
    )
}

#[test]
fn rules_from_the_tree_cannot_take_over_built_in_findings() {
    let repo = Repo::new();
    repo.write(".tokenwarden.toml", "rules = [\".tw-rules\"]\n");
    repo.write(
        ".tw-rules/shadow.toml",
        &shadow_rule(
            "supersedes = [\"okta-api-token\", \"okta-api-token-split\", \"okta-api-token-base64\"]",
        ),
    );
    repo.write("deploy.sh", &header(&okta_token(8900)));
    let out = repo.tw(&["scan", "."]);
    assert_eq!(code(&out), 2, "{}", all_output(&out));
    let err = all_output(&out);
    assert!(
        err.contains("shadow.toml") && err.contains("supersedes `okta-api-token`"),
        "{err}"
    );
    // Every command that loads the tree's config refuses it the same way.
    repo.commit_all("shadow");
    for args in [
        &["history", "."][..],
        &["history", "--state", "tw.state", "."],
        &["audit", "."],
        &["revoke", "--fingerprint", "abcd", "--dry-run", "."],
    ] {
        let out = repo.tw(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", all_output(&out));
        assert!(
            all_output(&out).contains("supersedes `okta-api-token`"),
            "{args:?}"
        );
    }
    // The pre-commit hook's command, with the token staged.
    repo.write("staged.sh", &header(&okta_token(8901)));
    repo.git(&["add", "staged.sh"]);
    let out = repo.tw(&["staged"]);
    assert_eq!(code(&out), 2, "{}", all_output(&out));
    assert!(all_output(&out).contains("supersedes `okta-api-token`"));
    repo.git(&["rm", "-q", "--cached", "staged.sh"]);
    fs::remove_file(repo.path.join("staged.sh")).unwrap();
    // Among several repositories (an organization scan), and named by URL (its settings
    // read from HEAD, its rule directories never loaded): the built-in rule reports.
    let bare = tempfile::tempdir().unwrap();
    repo.git(&["clone", "-q", "--bare", ".", bare.path().to_str().unwrap()]);
    let url = format!(
        "file://{}",
        fs::canonicalize(bare.path()).unwrap().display()
    );
    let other = Repo::new();
    other.write("a.txt", "nothing\n");
    other.commit_all("other");
    let other_path = other.path.to_str().unwrap().to_string();
    let mirror_dir = tempfile::tempdir().unwrap();
    let mirrors = mirror_dir.path().to_str().unwrap().to_string();
    for args in [
        vec!["history", ".", &other_path],
        vec!["history", "--mirror-dir", &mirrors, &url],
    ] {
        let mut all = args.clone();
        all.extend(["--format", "json"]);
        let out = repo.tw(&all);
        assert_eq!(code(&out), 1, "{args:?}: {}", all_output(&out));
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let rules: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule_id"].as_str().unwrap())
            .collect();
        assert!(
            rules.contains(&"okta-api-token") && !rules.contains(&"shadow"),
            "{args:?}: {rules:?}"
        );
    }

    // Without `supersedes`, the tree's rule reports beside the built-in one, never in its
    // place, and its text reaches Markdown only as a literal block.
    repo.write(".tw-rules/shadow.toml", &shadow_rule(""));
    let base = repo.commit_all("base");
    let (c, report) = repo.tw_json(&["scan", "."]);
    assert_eq!(c, 1);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "deploy.sh")
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"okta-api-token"), "{rules:?}");

    let out = repo.tw(&["scan", "--format", "sarif", "."]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let driver = &sarif["runs"][0]["tool"]["driver"];
    let shadow = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "shadow")
        .expect("the tree's rule is described");
    let md = shadow["help"]["markdown"].as_str().unwrap();
    assert!(
        md.starts_with("This rule comes from the scanned repository"),
        "{md}"
    );
    let fenced = md.split_once("````text\n").expect("a literal block").1;
    assert!(fenced.trim_end().ends_with("````"), "{md}");
    assert!(
        fenced.contains("[Read more](https://evil.example/phish)"),
        "{md}"
    );
    assert!(shadow.get("helpUri").is_none(), "{shadow}");
    let builtin = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "okta-api-token")
        .unwrap();
    assert!(builtin["helpUri"].is_string());

    repo.write("deploy2.sh", &header(&okta_token(8901)));
    let head = repo.commit_all("add");
    let gha = Gha::new();
    let event = json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}});
    let run = gha.run(&repo.path, "pull_request", &event, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("::error file=deploy2.sh"),
        "{}",
        run.stdout
    );
    assert!(
        run.summary.contains("````text\nNothing to do. [Read more]"),
        "{}",
        run.summary
    );
}

/// The Action's `config` input names a file in the checkout. Outside a pull request or a
/// push range (a new branch pushed, a dispatched run, a merge queue) the whole branch is
/// what is scanned, so that file is the branch's own too: what it trusts comes from the
/// default branch, and a rule it adds may not replace a built-in finding. The default
/// branch's own rules keep applying, as on a scheduled run.
#[test]
fn a_named_config_on_a_branch_trusts_only_what_the_default_branch_trusts() {
    let repo = Repo::new();
    repo.write("README", "hello\n");
    repo.commit_all("base");
    let default = repo.git(&["symbolic-ref", "--short", "HEAD"]);
    let default = default.trim();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(".tokenwarden.toml", "rules = [\".tw-rules\"]\n");
    repo.write(
        ".tw-rules/shadow.toml",
        &shadow_rule("supersedes = [\"okta-api-token\"]"),
    );
    repo.write("deploy.sh", &header(&okta_token(8950)));
    let head = repo.commit_all("shadow");
    let gha = Gha::new();
    let args = ["--config", ".tokenwarden.toml"];
    let zero = "0".repeat(40);
    for event_name in ["push", "workflow_dispatch", "merge_group"] {
        let event =
            json!({"repository": {"default_branch": default}, "before": zero, "after": head});
        let run = gha.run(&repo.path, event_name, &event, &args);
        assert_eq!(run.code, 2, "{event_name}: {}", run.stdout);
        assert!(
            run.stderr.contains("shadow.toml")
                && run.stderr.contains("supersedes `okta-api-token`"),
            "{event_name}: {}",
            run.stderr
        );
    }
    // Once the default branch has the rule, its maintainers chose it: it applies.
    repo.git(&["checkout", "-q", default]);
    repo.git(&["merge", "-q", "--ff-only", "feature"]);
    let run = gha.run(&repo.path, "schedule", &json!({}), &args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("title=tokenwarden%3A Harmless test value"),
        "{}",
        run.stdout
    );
}
