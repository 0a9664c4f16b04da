//! `tokenwarden github-action` on real repositories with emulated GitHub Actions
//! environments, and the action's YAML files.

use crate::common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{Gha, Repo, header, okta_token};
use serde_json::{Value, json};

fn pr(base: &str, head: &str) -> Value {
    json!({"pull_request": {"number": 7, "base": {"sha": base}, "head": {"sha": head}}})
}

#[test]
fn pull_request_annotations_summary_outputs_and_sarif() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    let base = repo.commit_all("base");
    let token = okta_token(7000);
    repo.write("scripts/call.sh", &format!("#!/bin/sh\n{}", header(&token)));
    let head = repo.commit_all("add a script");
    let gha = Gha::new();
    let r = gha.run(&repo.path, "pull_request", &pr(&base, &head), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);

    let annotation = r
        .stdout
        .lines()
        .find(|l| l.starts_with("::error "))
        .expect(&r.stdout);
    assert!(
        annotation.starts_with("::error file=scripts/call.sh,line=2,col="),
        "{annotation}"
    );
    assert!(
        annotation.contains("title=tokenwarden%3A Okta API token (SSWS)::"),
        "{annotation}"
    );
    assert!(
        annotation.contains(&format!("{}…", &token[..4])),
        "{annotation}"
    );
    assert!(
        annotation.contains(&head[..10]),
        "names the commit: {annotation}"
    );

    assert!(
        r.summary.contains("## tokenwarden: 1 finding"),
        "{}",
        r.summary
    );
    assert!(
        r.summary.contains("`scripts/call.sh:2`") && r.summary.contains(&head[..10]),
        "{}",
        r.summary
    );
    assert!(r.summary.contains("Revoke it now"), "{}", r.summary);

    let sarif_path = gha.path("tokenwarden.sarif");
    assert!(r.outputs.contains("findings=1\n"), "{}", r.outputs);
    assert!(
        r.outputs
            .contains(&format!("sarif-file={}\n", sarif_path.display())),
        "{}",
        r.outputs
    );
    let sarif = r.sarif.unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "tokenwarden/");
    assert_eq!(run["results"].as_array().unwrap().len(), 1);
    assert_eq!(run["results"][0]["properties"]["commit"], head.as_str());
    for text in [&r.stdout, &r.stderr, &r.summary, &sarif.to_string()] {
        assert!(!text.contains(&token), "raw token leaked");
    }
}

#[test]
fn clean_pull_request_and_suppressed_findings_pass() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    let base = repo.commit_all("base");
    repo.write(
        "fixture.sh",
        &format!(
            "{}  # tokenwarden:allow\n",
            header(&okta_token(7100)).trim_end()
        ),
    );
    let head = repo.commit_all("suppressed fixture");
    let gha = Gha::new();
    let r = gha.run(&repo.path, "pull_request", &pr(&base, &head), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.outputs.contains("findings=0"));
    assert!(!r.stdout.contains("::error"));
    assert!(r.summary.contains("1 suppressed"), "{}", r.summary);
    let sarif = r.sarif.unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["suppressions"][0]["kind"],
        "inSource"
    );
}

/// A push of an annotated tag names the tag object as `after` (GitHub sends the tag's id,
/// not the commit's): its history and its message are scanned. The whole-history mode
/// scans every tag.
#[test]
fn push_of_an_annotated_tag_scans_its_message() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    let token = okta_token(7700);
    repo.git(&[
        "tag",
        "-a",
        "v2",
        "-m",
        &format!("v2\n\nsmoke-tested with {}", header(&token)),
    ]);
    let tag = repo.git(&["rev-parse", "v2"]);
    let gha = Gha::new();
    let pushed = json!({"ref": "refs/tags/v2", "before": "0".repeat(40), "after": tag});
    for (event, payload) in [("push", pushed), ("schedule", json!({}))] {
        let r = gha.run(&repo.path, event, &payload, &[]);
        assert_eq!(r.code, 1, "{event}: {}", r.stderr);
        let sarif = r.sarif.unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 1, "{event}: {results:#?}");
        assert_eq!(results[0]["properties"]["commit"], tag.as_str());
        assert_eq!(results[0]["properties"]["summary"], "tag v2: v2");
        for text in [&r.stdout, &r.stderr, &r.summary, &sarif.to_string()] {
            assert!(!text.contains(&token), "{event}: raw token leaked");
        }
    }
}

#[test]
fn push_scans_before_to_after_and_a_new_branch_its_whole_history() {
    let repo = Repo::new();
    repo.write("old.sh", &header(&okta_token(7200)));
    let first = repo.commit_all("old token");
    repo.write("a.txt", "a\n");
    let before = repo.commit_all("clean");
    repo.write("new.sh", &header(&okta_token(7201)));
    let after = repo.commit_all("new token");
    let gha = Gha::new();

    let r = gha.run(
        &repo.path,
        "push",
        &json!({"before": before, "after": after}),
        &[],
    );
    assert_eq!(r.code, 1);
    let sarif = r.sarif.unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "only the pushed commits");
    assert_eq!(results[0]["properties"]["commit"], after.as_str());

    let zero = "0".repeat(40);
    let r = gha.run(
        &repo.path,
        "push",
        &json!({"before": zero, "after": after}),
        &[],
    );
    assert_eq!(r.code, 1);
    let commits: Vec<String> = r.sarif.unwrap()["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["properties"]["commit"].as_str().unwrap().to_string())
        .collect();
    assert!(
        commits.contains(&first) && commits.contains(&after),
        "{commits:?}"
    );

    // A force-push: `before` is gone from the repository and from origin (there is none
    // here), so the whole pushed branch is scanned, with a warning.
    let gone = "e".repeat(40);
    let r = gha.run(
        &repo.path,
        "push",
        &json!({"before": gone, "after": after}),
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("force-push"), "{}", r.stderr);
    assert_eq!(
        r.sarif.unwrap()["runs"][0]["results"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "both tokens of the branch"
    );
    assert!(r.summary.contains("whole history"), "{}", r.summary);

    let r = gha.run(&repo.path, "schedule", &json!({}), &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.summary.contains("every blob reachable from any ref"),
        "{}",
        r.summary
    );
}

#[test]
fn shallow_checkout_is_deepened_from_origin_or_fails_clearly() {
    let upstream = Repo::new();
    upstream.write("a.txt", "a\n");
    let base = upstream.commit_all("base");
    upstream.write("leak.sh", &header(&okta_token(7300)));
    upstream.commit_all("leak");
    upstream.write("b.txt", "b\n");
    let head = upstream.commit_all("more");

    let gha = Gha::new();
    let clone = gha.path("checkout");
    let url = format!("file://{}", upstream.path.display());
    let st = Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(st.success());
    let r = gha.run(&clone, "pull_request", &pr(&base, &head), &[]);
    assert_eq!(
        r.code, 1,
        "deepened from origin and found the leak: {}",
        r.stderr
    );

    // Without a usable origin, the message says what to change in the workflow.
    let clone2 = gha.path("checkout2");
    let st = Command::new("git")
        .args([
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            clone2.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(st.success());
    let st = Command::new("git")
        .args(["remote", "remove", "origin"])
        .current_dir(&clone2)
        .status()
        .unwrap();
    assert!(st.success());
    let r = gha.run(&clone2, "pull_request", &pr(&base, &head), &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("fetch-depth: 0"), "{}", r.stderr);
}

#[test]
fn outside_github_actions_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tokenwarden"))
        .arg("github-action")
        .current_dir(dir.path())
        .env_remove("GITHUB_EVENT_NAME")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GITHUB_EVENT_NAME"));
}

fn yaml(rel: &str) -> serde_yaml_ng::Value {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap();
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not YAML: {e}"))
}

#[test]
fn action_yml_is_valid_and_names_existing_files() {
    let action = yaml("action.yml");
    let inputs = action["inputs"].as_mapping().unwrap();
    for input in [
        "upload-sarif",
        "fail",
        "verify",
        "okta-org",
        "min-confidence",
        "config",
        "extra-args",
    ] {
        assert!(inputs.contains_key(input), "input {input}");
    }
    for output in ["findings", "sarif-file"] {
        assert!(
            action["outputs"][output]["value"]
                .as_str()
                .unwrap()
                .contains("steps.scan.outputs")
        );
    }
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    assert_eq!(upload["with"]["category"], "tokenwarden");
    assert!(steps.iter().any(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/cache@"))
    }));
    // Every file the action refers to through $GITHUB_ACTION_PATH exists in this repository.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = fs::read_to_string(root.join("action.yml")).unwrap();
    let mut named = 0;
    for piece in text.split("$GITHUB_ACTION_PATH/").skip(1) {
        let rel: String = piece
            .chars()
            .take_while(|c| !matches!(c, '"' | ' ' | '\n' | '\''))
            .collect();
        if rel.starts_with("target/") {
            continue; // built by the action
        }
        assert!(
            root.join(&rel).exists(),
            "action.yml names {rel}, which does not exist"
        );
        named += 1;
    }
    assert!(named >= 2, "Cargo.toml and the scan script");
}

#[test]
fn example_workflow_is_ready_to_copy() {
    let wf = yaml("examples/github-workflow.yml");
    let on = &wf["on"];
    for trigger in ["pull_request", "push", "schedule"] {
        assert!(
            !on[trigger].is_null() || on.as_mapping().unwrap().contains_key(trigger),
            "{trigger}"
        );
    }
    assert_eq!(wf["permissions"]["security-events"], "write");
    assert_eq!(wf["permissions"]["contents"], "read");
    let steps = wf["jobs"]["secrets"]["steps"].as_sequence().unwrap();
    let checkout = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout@"))
        })
        .unwrap();
    assert_eq!(checkout["with"]["fetch-depth"], 0);
}

/// A static file server on 127.0.0.1 for the release-download script: GET /PATH serves
/// DIR/PATH, 404 otherwise. Runs until the test process exits.
fn serve_dir(dir: std::path::PathBuf) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            let path = line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/');
            let mut stream = stream;
            match fs::read(dir.join(path)) {
                Ok(body) => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(&body);
                }
                Err(_) => {
                    let _ = stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
            }
        }
    });
    url
}

fn run_install(env: &[(&str, &str)], output: &Path) -> (i32, String, String) {
    let _ = fs::remove_file(output);
    let mut cmd = Command::new("bash");
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action-install.sh"))
        .env("GITHUB_OUTPUT", output)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        fs::read_to_string(output).unwrap_or_default(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The Action's download: a release binary checked against SHA256SUMS, failing closed on a
/// tampered archive or a missing entry; other refs build from source with a cache key of
/// the action's sources.
#[test]
fn action_downloads_verifies_and_fails_closed() {
    let work = tempfile::tempdir().unwrap();
    let releases = work.path().join("releases/v9.9.9");
    fs::create_dir_all(&releases).unwrap();
    let stage = work
        .path()
        .join("stage/tokenwarden-v9.9.9-x86_64-unknown-linux-musl");
    fs::create_dir_all(&stage).unwrap();
    fs::copy(env!("CARGO_BIN_EXE_tokenwarden"), stage.join("tokenwarden")).unwrap();
    let archive = "tokenwarden-v9.9.9-x86_64-unknown-linux-musl.tar.gz";
    let tar = Command::new("tar")
        .args(["-czf"])
        .arg(releases.join(archive))
        .arg("-C")
        .arg(work.path().join("stage"))
        .arg("tokenwarden-v9.9.9-x86_64-unknown-linux-musl")
        .status()
        .unwrap();
    assert!(tar.success());
    let sums = Command::new("sha256sum")
        .arg(archive)
        .current_dir(&releases)
        .output()
        .unwrap();
    fs::write(releases.join("SHA256SUMS"), &sums.stdout).unwrap();
    let base = format!("{}/releases", serve_dir(work.path().to_path_buf()));
    let output = work.path().join("output.txt");
    let temp = work.path().join("runner-temp");
    fs::create_dir_all(&temp).unwrap();
    let temp_s = temp.to_str().unwrap();

    // A good release: the binary is unpacked and runs.
    let env = [
        ("TW_ACTION_REF", "v9.9.9"),
        ("TW_RELEASE_BASE", base.as_str()),
        ("RUNNER_TEMP", temp_s),
    ];
    let (code, outputs, log) = run_install(&env, &output);
    assert_eq!(code, 0, "{log}");
    let bin = outputs
        .trim()
        .strip_prefix("bin=")
        .expect(&outputs)
        .to_string();
    let version = Command::new(&bin).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("tokenwarden "));

    // A tampered archive: refused, nothing left to run.
    fs::remove_dir_all(&temp).unwrap();
    fs::create_dir_all(&temp).unwrap();
    let mut bytes = fs::read(releases.join(archive)).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    fs::write(releases.join(archive), bytes).unwrap();
    let (code, outputs, log) = run_install(&env, &output);
    assert_eq!(code, 2, "{log}");
    assert!(log.contains("does not match SHA256SUMS"), "{log}");
    assert!(!outputs.contains("bin="), "{outputs}");

    // No entry for the archive: refused too.
    fs::write(releases.join("SHA256SUMS"), "").unwrap();
    let (code, _, log) = run_install(&env, &output);
    assert_eq!(code, 2, "{log}");
    assert!(log.contains("no entry"), "{log}");

    // A branch: build from source, with a key of the action's sources.
    let (code, outputs, log) = run_install(&[("TW_ACTION_REF", "main")], &output);
    assert_eq!(code, 0, "{log}");
    assert!(outputs.contains("build=true"), "{outputs}");
    let key = outputs
        .lines()
        .find_map(|l| l.strip_prefix("cache-key="))
        .unwrap()
        .to_string();
    assert!(
        key.starts_with("tokenwarden-Linux-X64-") && key.len() > 25,
        "{key}"
    );
    // The key follows the sources: a copy with one rule changed gets another key.
    let copy = work.path().join("action");
    for part in ["Cargo.toml", "Cargo.lock", "build.rs"] {
        fs::create_dir_all(&copy).unwrap();
        fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(part),
            copy.join(part),
        )
        .unwrap();
    }
    fs::create_dir_all(copy.join("rules")).unwrap();
    fs::write(copy.join("rules/a.toml"), "one").unwrap();
    let copy_s = copy.to_str().unwrap();
    let key_of = |env: &[(&str, &str)]| {
        let (_, outputs, _) = run_install(env, &output);
        outputs
            .lines()
            .find_map(|l| l.strip_prefix("cache-key="))
            .unwrap()
            .to_string()
    };
    let first = key_of(&[("TW_ACTION_REF", "main"), ("GITHUB_ACTION_PATH", copy_s)]);
    fs::write(copy.join("rules/a.toml"), "two").unwrap();
    let second = key_of(&[("TW_ACTION_REF", "main"), ("GITHUB_ACTION_PATH", copy_s)]);
    assert_ne!(first, second);
}

/// Inputs are split on white space without glob expansion: `*` reaches tokenwarden as `*`.
#[test]
fn action_arguments_are_never_glob_expanded() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("file-a"), "").unwrap();
    let fake = dir.path().join("fake-tokenwarden");
    fs::write(
        &fake,
        "#!/bin/sh\nfor a in \"$@\"; do echo \"arg:$a\"; done\n",
    )
    .unwrap();
    Command::new("chmod").arg("+x").arg(&fake).status().unwrap();
    let out = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action-scan.sh"))
        .current_dir(dir.path())
        .env("TW_BIN", &fake)
        .env("TW_EXTRA_ARGS", "--baseline *  --verbose")
        .env("TW_OKTA_ORG", "https://a.okta.com   https://b.okta.com")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("arg:*\n"), "{text}");
    assert!(!text.contains("file-a"), "{text}");
    assert!(text.contains("arg:https://b.okta.com"), "{text}");
}
