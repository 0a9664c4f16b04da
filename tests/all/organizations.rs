//! Many repositories in one run, shards of a list, mirrors of clone URLs and `merge`: all on
//! real repositories in temporary directories, clone URLs as `file://` (no network).

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::{Repo, header, okta_token, tokenwarden};
use serde_json::Value;

/// alpha: token 1 in two files and token 2; beta: token 1 again; gamma: clean.
fn org(dir: &Path) -> [Repo; 3] {
    let alpha = Repo::at(&dir.join("alpha"));
    alpha.write("deploy/call.sh", &header(&okta_token(8101)));
    alpha.write("tests/cassette.yaml", &header(&okta_token(8101)));
    alpha.write("ops/rotate.sh", &header(&okta_token(8102)));
    alpha.commit_all("alpha");
    let beta = Repo::at(&dir.join("beta"));
    beta.write("scripts/users.sh", &header(&okta_token(8101)));
    beta.commit_all("beta");
    let gamma = Repo::at(&dir.join("gamma"));
    gamma.write("README.md", "nothing here\n");
    gamma.commit_all("gamma");
    [alpha, beta, gamma]
}

fn run_json(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = tokenwarden(dir, &all);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {stderr}"));
    (out.status.code().unwrap(), json, stderr)
}

fn repositories_of(report: &Value) -> BTreeSet<String> {
    report["repositories"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["repository"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn each_finding_names_its_repository_and_one_secret_is_one_incident() {
    let dir = tempfile::tempdir().unwrap();
    let [alpha, beta, _] = org(dir.path());
    let (code, json, stderr) = run_json(dir.path(), &["history", "alpha", "beta", "gamma"]);
    assert_eq!(code, 1, "{stderr}");
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 4);
    let shared: Vec<&Value> = findings
        .iter()
        .filter(|f| f["path"] != "ops/rotate.sh")
        .collect();
    assert_eq!(shared.len(), 3);
    assert!(
        shared
            .iter()
            .all(|f| f["incident"] == shared[0]["fingerprint"])
    );
    let repos: BTreeSet<&str> = shared
        .iter()
        .map(|f| f["repository"].as_str().unwrap())
        .collect();
    assert_eq!(repos, ["alpha", "beta"].into());
    let listed = json["repositories"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0]["repository"], "alpha");
    assert_eq!(listed[0]["head"], alpha.git(&["rev-parse", "HEAD"]));
    assert_eq!(listed[1]["head"], beta.git(&["rev-parse", "HEAD"]));
    assert_eq!(listed[1]["findings"], 1);
    assert_eq!(listed[2]["findings"], 0);
    assert!(listed.iter().all(|r| r["scanned"] == true));
    assert!(stderr.contains("[3/3]"), "a line per repository: {stderr}");

    let out = tokenwarden(
        dir.path(),
        &["history", "--no-color", "alpha", "beta", "gamma"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[alpha] deploy/call.sh:1:"), "{text}");
    assert!(
        text.contains("the same secret at 2 more places in 2 repositories:")
            && text.contains("[alpha] tests/cassette.yaml:1:")
            && text.contains("[beta] scripts/users.sh:1:"),
        "{text}"
    );
    assert!(text.contains("4 findings (4 high) of 2 secrets"), "{text}");
    assert!(text.contains("of 3 repositories"), "{text}");
}

#[test]
fn sarif_has_one_run_per_repository_with_its_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let [alpha, beta, gamma] = org(dir.path());
    let out = tokenwarden(
        dir.path(),
        &["history", "--format", "sarif", "alpha", "beta", "gamma"],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(common::sarif_schema_errors(&doc).is_empty());
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    let ids: BTreeSet<&str> = runs
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "tokenwarden/alpha/",
            "tokenwarden/beta/",
            "tokenwarden/gamma/"
        ]
        .into(),
        "a category per repository: code scanning refuses two runs of one"
    );
    for (run, repo) in runs.iter().zip([&alpha, &beta, &gamma]) {
        let vcp = &run["versionControlProvenance"][0];
        assert_eq!(vcp["revisionId"], repo.git(&["rev-parse", "HEAD"]));
        assert_eq!(vcp["branch"], "main");
        let uri = vcp["repositoryUri"].as_str().unwrap();
        assert!(uri.starts_with("file:///"), "{uri}");
    }
    assert_eq!(runs[0]["results"].as_array().unwrap().len(), 3);
    assert_eq!(runs[1]["results"].as_array().unwrap().len(), 1);
    assert!(runs[2]["results"].as_array().unwrap().is_empty());
    let incident = &runs[1]["results"][0]["properties"]["incident"];
    assert!(
        runs[0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| &r["properties"]["incident"] == incident)
    );
}

#[test]
fn a_repository_that_cannot_be_read_is_reported_and_the_others_are_scanned() {
    let dir = tempfile::tempdir().unwrap();
    org(dir.path());
    fs::create_dir(dir.path().join("plain")).unwrap();
    let (code, json, stderr) = run_json(dir.path(), &["history", "alpha", "plain", "missing"]);
    assert_eq!(code, 1, "{stderr}");
    let listed = json["repositories"].as_array().unwrap();
    let failed: Vec<&str> = listed
        .iter()
        .filter(|r| r["scanned"] == false)
        .map(|r| r["repository"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["plain", "missing"]);
    assert!(
        listed[1]["error"]
            .as_str()
            .unwrap()
            .contains("not in a git repository")
    );
    assert!(stderr.contains("plain: not scanned"), "{stderr}");
    let sarif = tokenwarden(
        dir.path(),
        &["history", "--format", "sarif", "alpha", "plain"],
    );
    let doc: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(
        doc["runs"][1]["invocations"][0]["executionSuccessful"],
        false
    );

    // None readable: an error, naming each.
    let out = tokenwarden(dir.path(), &["history", "plain", "missing"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no repository could be scanned")
            && stderr.contains("plain:")
            && stderr.contains("missing:")
            && !stderr.contains("\\u{a}"),
        "{stderr}"
    );
}

/// `file://` URL of a bare repository: the mirror path without a network.
#[cfg(unix)]
fn url_of(path: &Path) -> String {
    let abs = fs::canonicalize(path).unwrap();
    format!("file://{}", abs.display().to_string().replace('\\', "/"))
}

#[test]
#[cfg(unix)]
fn clone_urls_are_mirrored_then_refreshed() {
    let dir = tempfile::tempdir().unwrap();
    let work = Repo::at(&dir.path().join("work"));
    work.write("a.sh", &header(&okta_token(8201)));
    work.commit_all("one");
    work.git(&["clone", "-q", "--bare", ".", "../origin.git"]);
    let url = url_of(&dir.path().join("origin.git"));
    let mirrors = dir.path().join("mirrors");
    let mirrors_arg = mirrors.display().to_string();
    let args = ["history", "--mirror-dir", &mirrors_arg, &url];
    let (code, json, stderr) = run_json(dir.path(), &args);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(json["findings"][0]["repository"], url.as_str());
    assert_eq!(json["repositories"][0]["uri"], url.as_str());
    let kept: Vec<_> = fs::read_dir(&mirrors).unwrap().collect();
    assert_eq!(kept.len(), 1, "one mirror, no partial clone left behind");

    // A commit pushed later is fetched into the same mirror.
    work.write("b.sh", &header(&okta_token(8202)));
    work.commit_all("two");
    work.git(&["push", "-q", "../origin.git", "main"]);
    let (code, json, stderr) = run_json(dir.path(), &args);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(json["findings"].as_array().unwrap().len(), 2, "{json:#}");
    assert_eq!(fs::read_dir(&mirrors).unwrap().count(), 1);

    // A mirror has no work tree: its ignore file is read from HEAD.
    let fp = json["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    work.write(".tokenwardenignore", &format!("{fp} # a test fixture\n"));
    work.commit_all("ignore");
    work.git(&["push", "-q", "../origin.git", "main"]);
    let (_, json, stderr) = run_json(dir.path(), &args);
    assert_eq!(json["findings"].as_array().unwrap().len(), 1, "{stderr}");
    let why = json["suppressed"][0]["suppression"]["justification"]
        .as_str()
        .unwrap();
    assert!(
        why.contains(".tokenwardenignore at HEAD of file://"),
        "{why}"
    );

    // One that cannot be cloned is reported with git's reason.
    let gone = url_of(dir.path()) + "/nothing-here.git";
    let (code, json, _) = run_json(
        dir.path(),
        &["history", "--mirror-dir", &mirrors_arg, &url, &gone],
    );
    assert_eq!(code, 1);
    let error = json["repositories"][1]["error"].as_str().unwrap();
    assert!(error.starts_with("cannot clone: "), "{error}");

    // A clone an interrupted run left half-done is removed when the repository is cloned
    // again (Linux: its process is known to be gone).
    #[cfg(target_os = "linux")]
    {
        let mirror = fs::read_dir(&mirrors).unwrap().next().unwrap().unwrap();
        let name = mirror.file_name().into_string().unwrap();
        let stem = name.strip_suffix(".git").unwrap();
        fs::remove_dir_all(mirror.path()).unwrap();
        let host: String = fs::read_to_string("/proc/sys/kernel/hostname")
            .unwrap()
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
            .collect();
        let abandoned = mirrors.join(format!(".{stem}.partial-{host}-4000000000"));
        // Another machine sharing the volume: its process ids mean nothing here.
        let elsewhere = mirrors.join(format!(".{stem}.partial-{host}x-4000000000"));
        for d in [&abandoned, &elsewhere] {
            fs::create_dir_all(d.join("objects")).unwrap();
        }
        let (code, _, stderr) = run_json(dir.path(), &args);
        assert_eq!(code, 1, "{stderr}");
        assert!(
            !abandoned.exists(),
            "the abandoned partial clone is removed"
        );
        assert!(elsewhere.exists(), "another machine's is left alone");
        assert_eq!(fs::read_dir(&mirrors).unwrap().count(), 2);
    }
}

/// A repository named by URL is its own settings' author as much as its clone is: its
/// `.tokenwarden.toml` and `.tokenwardenignore` (read from HEAD) apply as they would to
/// the work tree, so a scan by URL and a scan of a clone say the same. Its rule
/// directories cannot be read without a work tree: left out, with a warning.
#[test]
#[cfg(unix)]
fn a_mirror_applies_its_own_settings_from_head_as_its_clone_would() {
    let dir = tempfile::tempdir().unwrap();
    let work = Repo::at(&dir.path().join("work"));
    let quiet = okta_token(8301);
    work.write("app/config.sh", &header(&okta_token(8302)));
    work.write("fixtures/tape.yaml", &header(&okta_token(8303)));
    work.write("tests/fake.sh", &header(&quiet));
    work.write(
        "ok.sh",
        &format!(
            "{} # rotated, see ticket\n",
            header(&okta_token(8304)).trim_end()
        ),
    );
    // The settings file is a link into a directory of the repository, followed as a
    // checkout follows it.
    work.write(
        "ci/tokenwarden.toml",
        &format!(
            "rules = [\"tw-rules\"]\n[allow]\npaths = [\"fixtures/\"]\nsecrets = ['^{}']\n\
             lines = ['rotated, see ticket']\n",
            &quiet[..12]
        ),
    );
    std::os::unix::fs::symlink("ci/tokenwarden.toml", work.path.join(".tokenwarden.toml")).unwrap();
    work.write("tw-rules/none.toml", "not even toml");
    work.commit_all("settings");
    work.git(&["clone", "-q", "--bare", ".", "../origin.git"]);
    let url = url_of(&dir.path().join("origin.git"));
    let summary = |json: &Value| -> Vec<(String, bool)> {
        let mut v: Vec<(String, bool)> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .chain(json["suppressed"].as_array().unwrap())
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["suppression"].is_null(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (code, by_url, stderr) = run_json(dir.path(), &["history", "--mirror-dir", "m", &url]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        summary(&by_url),
        [
            ("app/config.sh".to_string(), true),
            ("ok.sh".to_string(), false),
            ("tests/fake.sh".to_string(), false)
        ],
        "{by_url:#}"
    );
    let warnings = by_url["repositories"][0]["warnings"].to_string();
    assert!(
        warnings.contains("the rule directories named in .tokenwarden.toml at HEAD of file://")
            && warnings.contains("are not loaded"),
        "{warnings}"
    );
    // The clone, minus the rule directory that cannot be read from a mirror.
    let settings = fs::read_to_string(work.path.join(".tokenwarden.toml")).unwrap();
    work.write(
        ".tokenwarden.toml",
        &settings.replace("rules = [\"tw-rules\"]\n", ""),
    );
    let (_, by_path, stderr) = run_json(dir.path(), &["history", "work"]);
    assert_eq!(summary(&by_path), summary(&by_url), "{stderr}");

    // With --config, the repository's .tokenwarden.toml is not read (as for a work tree).
    fs::write(dir.path().join("mine.toml"), "").unwrap();
    let (_, json, stderr) = run_json(
        dir.path(),
        &[
            "history",
            "--config",
            "mine.toml",
            "--mirror-dir",
            "m",
            &url,
        ],
    );
    assert_eq!(json["findings"].as_array().unwrap().len(), 4, "{stderr}");
    assert!(!stderr.contains("rule directories"), "{stderr}");

    // Settings that do not parse: among several repositories, none of them apply and the
    // warning says why; named alone, the run fails closed (as for a work tree).
    work.write(".tokenwarden.toml", "[allow\n");
    work.commit_all("broken settings");
    work.git(&["push", "-q", "../origin.git", "main"]);
    let out = tokenwarden(dir.path(), &["history", "--mirror-dir", "m", &url]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(".tokenwarden.toml at HEAD of file://")
            && stderr.contains("unclosed table"),
        "{stderr}"
    );
    let (code, json, _) = run_json(dir.path(), &["history", "--mirror-dir", "m", &url, "work"]);
    assert_eq!(code, 1);
    let of_url = |f: &&Value| f["repository"] == url.as_str();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.iter().filter(of_url).count(), 4, "{json:#}");
    let warnings = json["repositories"][0]["warnings"].to_string();
    assert!(
        warnings.contains("its own settings are not applied")
            && warnings.contains(".tokenwarden.toml at HEAD of file://"),
        "{warnings}"
    );
}

#[test]
fn urls_that_carry_passwords_or_run_programs_are_refused_before_any_clone() {
    let dir = tempfile::tempdir().unwrap();
    let password = "pw-8z1Qk2Lm9Xv";
    let url = format!("https://bot:{password}@example.invalid/acme/api.git");
    for (arg, says) in [
        (url.as_str(), "credential helper"),
        ("ext::sh -c touch% pwned", "refused"),
    ] {
        let out = tokenwarden(dir.path(), &["history", arg]);
        assert_eq!(out.status.code(), Some(2), "{arg}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{stderr}");
        assert!(!stderr.contains(password), "the password is not repeated");
    }
    fs::write(dir.path().join("repos.txt"), format!("# org\n\n{url}\n")).unwrap();
    let out = tokenwarden(dir.path(), &["history", "--repos", "repos.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("repos.txt:3:"), "{stderr}");
    assert!(!dir.path().join("pwned").exists());
}

#[test]
fn shards_split_a_list_and_their_merge_is_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    org(dir.path());
    for i in 0..5 {
        let r = Repo::at(&dir.path().join(format!("r{i}")));
        r.write(
            "env",
            &format!("OKTA_API_TOKEN={}\n", okta_token(8300 + i % 2)),
        );
        r.commit_all("x");
    }
    fs::write(
        dir.path().join("repos.txt"),
        "# the org\nalpha\nbeta\ngamma\n\nr0\nr1\nr2\nr3\nr4\nbeta/\n",
    )
    .unwrap();
    let (_, whole, stderr) = run_json(dir.path(), &["history", "--repos", "repos.txt"]);
    assert!(stderr.contains("listed more than once"), "{stderr}");
    assert_eq!(repositories_of(&whole).len(), 8);
    let mut covered = BTreeSet::new();
    let mut reports = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let out = dir.path().join(format!("report-{k}.json"));
        let out_arg = out.display().to_string();
        let run = tokenwarden(
            dir.path(),
            &[
                "history",
                "--repos",
                "repos.txt",
                "--shard",
                &shard,
                "--format",
                "json",
                "-o",
                &out_arg,
            ],
        );
        assert!(run.status.code().unwrap() < 2);
        let report: Value = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
        let mine = repositories_of(&report);
        assert!(covered.is_disjoint(&mine), "{shard} overlaps");
        covered.extend(mine);
        reports.push(out_arg);
    }
    assert_eq!(covered, repositories_of(&whole));

    let whole_path = dir.path().join("whole.json");
    fs::write(&whole_path, whole.to_string()).unwrap();
    let merge = |inputs: &[&str]| {
        let mut args = vec!["merge", "--format", "json"];
        args.extend(inputs);
        let out = tokenwarden(dir.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["stats"]["reports"] = Value::Null;
        v
    };
    let sharded = merge(&reports.iter().map(String::as_str).collect::<Vec<_>>());
    let single = merge(&[whole_path.to_str().unwrap()]);
    assert_eq!(sharded["incidents"], single["incidents"]);
    assert_eq!(sharded["stats"], single["stats"]);
    assert_eq!(sharded["stats"]["incidents"], 4);
    let shared = &sharded["incidents"][0];
    assert_eq!(
        shared["locations"].as_array().unwrap().len(),
        3,
        "{shared:#}"
    );

    // A merged report merges again to the same incidents.
    let merged_path = dir.path().join("merged.json");
    fs::write(&merged_path, sharded.to_string()).unwrap();
    let again = merge(&[merged_path.to_str().unwrap(), &reports[0]]);
    assert_eq!(again["incidents"], sharded["incidents"]);
}

#[test]
fn a_state_directory_keeps_one_state_per_repository() {
    let dir = tempfile::tempdir().unwrap();
    let [alpha, ..] = org(dir.path());
    let args = ["history", "--state", "states", "alpha", "beta"];
    let (code, _, stderr) = run_json(dir.path(), &args);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(fs::read_dir(dir.path().join("states")).unwrap().count(), 2);
    alpha.write("late.sh", &header(&okta_token(8401)));
    alpha.commit_all("late");
    let (_, json, stderr) = run_json(dir.path(), &args);
    assert!(!stderr.contains("whole history is scanned"), "{stderr}");
    let new: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["new"] == true)
        .map(|f| {
            (
                f["repository"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(new, [("alpha", "late.sh")]);
    assert_eq!(json["findings"].as_array().unwrap().len(), 5);
    // A state file where a directory is needed: said before anything is scanned.
    fs::write(dir.path().join("one.state"), "").unwrap();
    let out = tokenwarden(
        dir.path(),
        &["history", "--state", "one.state", "alpha", "beta"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--state names a directory"), "{stderr}");
}

#[test]
fn a_range_belongs_to_one_repository_and_bad_shards_say_why() {
    let dir = tempfile::tempdir().unwrap();
    org(dir.path());
    let out = tokenwarden(
        dir.path(),
        &["history", "--range", "HEAD~1..HEAD", "alpha", "beta"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("one repository"));
    let out = tokenwarden(dir.path(), &["history", "--shard", "5/4", "alpha"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("K/N"));
}

#[test]
fn merge_says_what_is_not_a_report_and_exits_clean_without_incidents() {
    let dir = tempfile::tempdir().unwrap();
    org(dir.path());
    fs::write(dir.path().join("notes.json"), "{\"hello\": 1}").unwrap();
    fs::write(dir.path().join("broken.json"), "{").unwrap();
    for bad in ["notes.json", "broken.json", "absent.json"] {
        let out = tokenwarden(dir.path(), &["merge", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(bad), "{stderr}");
    }
    let run = tokenwarden(
        dir.path(),
        &["history", "gamma", "--format", "json", "-o", "clean.json"],
    );
    assert_eq!(run.status.code(), Some(0));
    let out = tokenwarden(dir.path(), &["merge", "clean.json", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 incidents"));
}

#[test]
fn an_empty_shard_lists_no_repository_and_exits_clean() {
    let dir = tempfile::tempdir().unwrap();
    org(dir.path());
    fs::write(dir.path().join("one.txt"), "alpha\n").unwrap();
    let mut empty = 0;
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let (code, json, stderr) = run_json(
            dir.path(),
            &["history", "--repos", "one.txt", "--shard", &shard],
        );
        let listed = json["repositories"].as_array().unwrap().len();
        if listed == 0 {
            empty += 1;
            assert_eq!(code, 0, "{stderr}");
            assert!(stderr.contains("0 of 1 repositories"), "{stderr}");
        }
    }
    assert_eq!(empty, 2);
}

#[test]
#[cfg(unix)]
fn a_clone_that_hangs_is_given_up_after_the_timeout() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    org(dir.path());
    // What a stalled server looks like to git: a transport that never answers. The
    // environment is the user's (trusted); no host is contacted.
    let hang = dir.path().join("hang.sh");
    let pid_file = dir.path().join("hang.pid");
    fs::write(
        &hang,
        format!(
            "#!/bin/sh\necho $$ > '{}'\nexec sleep 60\n",
            pid_file.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&hang, fs::Permissions::from_mode(0o755)).unwrap();
    let started = std::time::Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tokenwarden"))
        .args([
            "history",
            "--clone-timeout",
            "1",
            "--mirror-dir",
            "mirrors",
            "--format",
            "json",
            "alpha",
            "ssh://git@example.invalid/acme/api.git",
        ])
        .current_dir(dir.path())
        .env("GIT_SSH_COMMAND", &hang)
        .output()
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let error = json["repositories"][1]["error"].as_str().unwrap();
    assert!(error.contains("no answer within 1 s"), "{error}");
    let left: Vec<_> = fs::read_dir(dir.path().join("mirrors")).unwrap().collect();
    assert!(left.is_empty(), "no partial clone left behind: {left:?}");
    // The transport git started is ended with it (where /proc lists it), not left running.
    #[cfg(target_os = "linux")]
    {
        let pid = fs::read_to_string(&pid_file).unwrap();
        let stat = fs::read_to_string(format!("/proc/{}/stat", pid.trim()));
        let running = stat.is_ok_and(|s| {
            // A killed process nobody has reaped yet is a zombie: ended.
            s.rsplit_once(')')
                .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
        });
        assert!(
            !running,
            "the hanging transport (pid {}) still runs",
            pid.trim()
        );
    }
}

/// A repository's own settings are its author's: a rule that would replace the built-in
/// Okta finding, or an ignore file that cannot be read, is not applied. The repository is
/// scanned without its settings: it can neither hide its own findings nor stop the others.
#[test]
fn a_repository_whose_own_settings_are_refused_is_scanned_without_them() {
    let dir = tempfile::tempdir().unwrap();
    let [alpha, beta, _] = org(dir.path());
    alpha.write(".tokenwarden.toml", "rules = [\"tw-rules\"]\n");
    alpha.write(
        "tw-rules/quiet.toml",
        "id = \"tree-token\"\nname = \"x\"\ndescription = \"x\"\nseverity = \"note\"\n\
         security_severity = 1.0\nkeywords = [\"SSWS\"]\n\
         regex = '''SSWS (?P<secret>00[A-Za-z0-9_-]{40})'''\nconfidence = \"high\"\n\
         supersedes = [\"okta-api-token\"]\nremediation = \"x\"\n",
    );
    alpha.commit_all("quiet the scanner");
    beta.write(".tokenwardenignore", "not-a-fingerprint\n");
    beta.commit_all("a broken ignore file");
    let (code, json, stderr) = run_json(dir.path(), &["history", "alpha", "beta", "gamma"]);
    assert_eq!(code, 1, "{stderr}");
    let listed = json["repositories"].as_array().unwrap();
    assert!(listed.iter().all(|r| r["scanned"] == true), "{json:#}");
    let alpha_warnings = listed[0]["warnings"].to_string();
    assert!(
        alpha_warnings.contains("not applied")
            && alpha_warnings.contains("supersedes `okta-api-token`"),
        "{alpha_warnings}"
    );
    assert!(
        listed[1]["warnings"]
            .to_string()
            .contains("not a finding fingerprint")
    );
    let rules: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["repository"].as_str().unwrap(),
                f["rule_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("alpha", "okta-api-token"),
            ("alpha", "okta-api-token"),
            ("alpha", "okta-api-token"),
            ("beta", "okta-api-token")
        ],
        "the built-in rule still reports the tree's tokens"
    );
    // Alone, the refusal is the run's error, as for any scan of that tree.
    let out = tokenwarden(dir.path(), &["history", "alpha"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("supersedes `okta-api-token`"));
    let out = tokenwarden(dir.path(), &["scan", "alpha"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a directory scan still fails closed"
    );
}

/// A tree rule belongs to its repository: another repository's state stays valid when it
/// changes, the same rule file in a second repository is shared with it, and a second
/// repository defining the same rule id differently loses that rule alone.
#[test]
fn tree_rules_belong_to_their_repository() {
    let dir = tempfile::tempdir().unwrap();
    let [alpha, beta, _] = org(dir.path());
    let args = ["history", "--state", "states", "alpha", "beta"];
    let (code, _, stderr) = run_json(dir.path(), &args);
    assert_eq!(code, 1, "{stderr}");
    let rule = "id = \"acme-key\"\nname = \"x\"\ndescription = \"x\"\nseverity = \"note\"\n\
                security_severity = 1.0\nkeywords = [\"ACME_KEY\"]\n\
                regex = '''ACME_KEY=(?P<secret>[A-Za-z0-9]{32})'''\nconfidence = \"high\"\n\
                remediation = \"x\"\n";
    alpha.write(".tokenwarden.toml", "rules = [\"tw-rules\"]\n");
    alpha.write("tw-rules/acme.toml", rule);
    alpha.write("acme.env", "ACME_KEY=Qm7xT2vLp9sWd4Rk8Nc3Hj6Fg1Zb5Ya0\n");
    alpha.commit_all("a rule of our own");
    let (_, _, stderr) = run_json(dir.path(), &args);
    assert!(stderr.contains("alpha: the state"), "{stderr}");
    assert!(!stderr.contains("beta: the state"), "{stderr}");

    // The same file (a template copied into every repository): shared, no warning.
    beta.write(".tokenwarden.toml", "rules = [\"tw-rules\"]\n");
    beta.write("tw-rules/acme.toml", rule);
    beta.write("acme.env", "ACME_KEY=Wc5nR8kT1pZ4vB7xM2qL9sD3fG6hJ0aY\n");
    beta.commit_all("the same rule");
    let (code, json, stderr) = run_json(dir.path(), &args);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("alpha: the state"), "{stderr}");
    assert!(stderr.contains("beta: the state"), "{stderr}");
    let warnings = json["repositories"][1]["warnings"].to_string();
    assert!(!warnings.contains("acme"), "{warnings}");
    let acme = |json: &serde_json::Value| -> Vec<String> {
        let mut found: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == "acme-key")
            .map(|f| f["repository"].as_str().unwrap().to_string())
            .collect();
        found.sort();
        found
    };
    assert_eq!(acme(&json), ["alpha", "beta"]);
    // Which repository comes first is not part of a state: neither is rescanned.
    let (_, _, stderr) = run_json(
        dir.path(),
        &["history", "--state", "states", "beta", "alpha"],
    );
    assert!(!stderr.contains(": the state"), "{stderr}");

    // The same id with other text (an older copy of the template): that rule is left out
    // of beta, with a warning; the rest of beta's settings still apply.
    beta.write("tw-rules/acme.toml", &rule.replace("\"note\"", "\"error\""));
    beta.write(
        ".tokenwarden.toml",
        "rules = [\"tw-rules\"]\n[allow]\nlines = ['beta-fixture']\n",
    );
    beta.write(
        "fixture.sh",
        &format!("{} # beta-fixture\n", header(&okta_token(8401)).trim_end()),
    );
    beta.commit_all("the rule, edited; a fixture");
    let (code, json, stderr) = run_json(dir.path(), &["history", "alpha", "beta"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(json["repositories"][1]["scanned"], true);
    let warnings = json["repositories"][1]["warnings"].to_string();
    assert!(
        warnings.contains("rule `acme-key` is left out: ")
            && warnings.contains("defines it differently")
            && !warnings.contains("its own settings are not applied"),
        "{warnings}"
    );
    assert_eq!(acme(&json), ["alpha"]);
    let fixture = json["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "fixture.sh")
        .expect("beta's [allow] lines still apply");
    assert_eq!(fixture["repository"], "beta");
}
