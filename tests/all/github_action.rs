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
            .is_some_and(|u| u.starts_with("actions/cache/restore@"))
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
    let job = &wf["jobs"]["secrets"];
    assert_eq!(job["permissions"]["security-events"], "write");
    assert_eq!(job["permissions"]["contents"], "read");
    let steps = job["steps"].as_sequence().unwrap();
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
#[cfg(unix)]
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

#[cfg(unix)]
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
// Unix only: runs the Action's bash scripts with stand-in tools made executable with chmod.
#[cfg(unix)]
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
    // SHA256SUMS as `sha256sum` writes it (macOS runners may lack the tool).
    let digest = {
        use sha2::Digest;
        sha2::Sha256::digest(fs::read(releases.join(archive)).unwrap())
    };
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let sums = format!("{hex}  {archive}\n");
    fs::write(releases.join("SHA256SUMS"), &sums).unwrap();
    let base = format!("{}/releases", serve_dir(work.path().to_path_buf()));
    let output = work.path().join("output.txt");
    let temp = work.path().join("runner-temp");
    fs::create_dir_all(&temp).unwrap();
    let temp_s = temp.to_str().unwrap();

    // GitHub's attestation service is out of reach here: a stand-in `gh` records how it is
    // asked and answers as the real one does (exit 0 verified, 1 not).
    let gh = work.path().join("gh");
    let gh_log = work.path().join("gh.log");
    let verdict = work.path().join("gh-verdict");
    fs::write(
        &gh,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexit $(cat '{}')\n",
            gh_log.display(),
            verdict.display()
        ),
    )
    .unwrap();
    Command::new("chmod").arg("+x").arg(&gh).status().unwrap();
    fs::write(&verdict, "0").unwrap();
    let gh_s = gh.to_str().unwrap();

    // A good release: the binary is unpacked and runs.
    let env = [
        ("TW_ACTION_REF", "v9.9.9"),
        ("TW_RELEASE_BASE", base.as_str()),
        ("RUNNER_TEMP", temp_s),
        ("TW_GH", gh_s),
    ];
    let (code, outputs, log) = run_install(&env, &output);
    assert_eq!(code, 0, "{log}");
    let asked = fs::read_to_string(&gh_log).unwrap();
    assert!(
        asked.starts_with("attestation verify ")
            && asked.contains(&format!("/{archive} --repo tokenwarden/tokenwarden"))
            && asked.contains(
                "--signer-workflow tokenwarden/tokenwarden/.github/workflows/release.yml"
            )
            && asked.contains("--source-ref refs/tags/v9.9.9"),
        "{asked}"
    );
    let bin = outputs
        .trim()
        .strip_prefix("bin=")
        .expect(&outputs)
        .to_string();
    let version = Command::new(&bin).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("tokenwarden "));

    // An archive whose SHA256SUMS entry matches but whose attestation does not (an asset
    // and SHA256SUMS both replaced): refused, nothing left to run.
    fs::write(&verdict, "1").unwrap();
    let (code, outputs, log) = run_install(&env, &output);
    assert_eq!(code, 2, "{log}");
    assert!(
        log.contains("no valid build provenance attestation"),
        "{log}"
    );
    assert!(!outputs.contains("bin="), "{outputs}");
    fs::write(&verdict, "0").unwrap();
    // No gh on the runner: refused, with what to do.
    let missing = [env[0], env[1], env[2], ("TW_GH", "/nonexistent/gh")];
    let (code, outputs, log) = run_install(&missing, &output);
    assert_eq!(code, 2, "{log}");
    assert!(log.contains("GitHub CLI (gh) is needed"), "{log}");
    assert!(!outputs.contains("bin="), "{outputs}");

    // A tampered archive: refused, nothing left to run.
    fs::remove_dir_all(&temp).unwrap();
    fs::create_dir_all(&temp).unwrap();
    let good = fs::read(releases.join(archive)).unwrap();
    let mut bytes = good.clone();
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

    // A moving tag (`@v9`) downloads the release its action's Cargo.toml names; a commit
    // pin downloads it only if the attestation ties it to exactly that commit, and builds
    // that commit otherwise.
    fs::write(releases.join(archive), &good).unwrap();
    fs::write(releases.join("SHA256SUMS"), &sums).unwrap();
    let moving = work.path().join("moving");
    fs::create_dir_all(&moving).unwrap();
    fs::write(
        moving.join("Cargo.toml"),
        "[package]\nname = \"tokenwarden\"\nversion = \"9.9.9\"\n",
    )
    .unwrap();
    let moving_s = moving.to_str().unwrap();
    let pinned = |r: &'static str| {
        [
            ("TW_ACTION_REF", r),
            env[1],
            env[2],
            env[3],
            ("GITHUB_ACTION_PATH", moving_s),
        ]
    };
    let (code, outputs, log) = run_install(&pinned("v9"), &output);
    assert_eq!(code, 0, "{log}");
    assert!(outputs.starts_with("bin="), "{outputs}");
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let _ = fs::remove_file(&gh_log);
    let (code, outputs, log) = run_install(&pinned(sha), &output);
    assert_eq!(code, 0, "{log}");
    assert!(outputs.starts_with("bin="), "{outputs}");
    let asked = fs::read_to_string(&gh_log).unwrap();
    assert!(asked.contains(&format!("--source-digest {sha}")), "{asked}");
    fs::write(&verdict, "1").unwrap();
    let (code, outputs, log) = run_install(&pinned(sha), &output);
    assert_eq!(code, 0, "{log}");
    assert!(
        outputs.contains("build=true"),
        "not that commit's build: {outputs}"
    );
    assert!(log.contains("is not the build of release v9.9.9"), "{log}");
    fs::write(&verdict, "0").unwrap();
    // `@v8` is not the release this action's Cargo.toml names: build.
    let (_, outputs, _) = run_install(&pinned("v8"), &output);
    assert!(outputs.contains("build=true"), "{outputs}");

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
// Unix only: runs the Action's bash scripts with stand-in tools made executable with chmod.
#[cfg(unix)]
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

#[cfg(unix)]
fn step<'a>(steps: &'a [serde_yaml_ng::Value], name: &str) -> &'a serde_yaml_ng::Value {
    steps
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("action.yml has no step {name:?}"))
}

/// A pull request may add `.cargo/config.toml` (a rustc wrapper) and `rust-toolchain.toml`
/// (a toolchain of its own) to the checkout. The action's build step, run as the runner
/// runs it (its `run`, `working-directory` and `env` from action.yml; the workspace is the
/// default directory), must run neither. The action here is a one-file crate, so the test
/// builds in a second; the same files do run when cargo is started from the workspace.
// Unix only: runs the Action's bash build step with stand-in tools made executable with chmod.
#[cfg(unix)]
#[test]
fn the_action_build_never_runs_code_from_the_workspace() {
    let action = yaml("action.yml");
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let build = step(steps, "Build tokenwarden");
    // A pull_request_target run saves into the base branch's cache scope, which the default
    // branch restores: the build is saved only from the repository's own events.
    let save = step(steps, "Save the tokenwarden build")["if"]
        .as_str()
        .unwrap();
    assert!(
        save.contains("github.event_name != 'pull_request'")
            && save.contains("github.event_name != 'pull_request_target'"),
        "{save}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let (ws, act, temp) = (
        tmp.path().join("work/repo"),
        tmp.path().join("actions/tokenwarden"),
        tmp.path().join("runner-temp"),
    );
    let marker = tmp.path().join("pwned");
    let evil = tmp.path().join("work/repo/evil.sh");
    for d in [&ws, &act.join("src"), &act.join("scripts"), &temp] {
        fs::create_dir_all(d).unwrap();
    }
    fs::write(
        &evil,
        format!(
            "#!/bin/sh\necho \"$0 $*\" >> '{}'\nexit 1\n",
            marker.display()
        ),
    )
    .unwrap();
    let toolchain = ws.join("evil-toolchain/bin");
    fs::create_dir_all(&toolchain).unwrap();
    for tool in ["cargo", "rustc"] {
        fs::copy(&evil, toolchain.join(tool)).unwrap();
    }
    Command::new("chmod")
        .arg("-R")
        .arg("+x")
        .arg(tmp.path())
        .status()
        .unwrap();
    fs::create_dir(ws.join(".cargo")).unwrap();
    fs::write(
        ws.join(".cargo/config.toml"),
        format!("[build]\nrustc-wrapper = \"{}\"\n", evil.display()),
    )
    .unwrap();
    fs::write(
        ws.join("rust-toolchain.toml"),
        format!(
            "[toolchain]\npath = \"{}\"\n",
            ws.join("evil-toolchain").display()
        ),
    )
    .unwrap();
    // The action: a crate of one file, and the real build script.
    fs::write(
        act.join("Cargo.toml"),
        "[package]\nname = \"tokenwarden\"\nversion = \"0.0.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    fs::write(
        act.join("Cargo.lock"),
        "version = 4\n\n[[package]]\nname = \"tokenwarden\"\nversion = \"0.0.0\"\n",
    )
    .unwrap();
    fs::write(act.join("src/main.rs"), "fn main() {}\n").unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(
        root.join("scripts/action-build.sh"),
        act.join("scripts/action-build.sh"),
    )
    .unwrap();

    let expand = |v: &str| {
        v.replace("${{ github.action_path }}", act.to_str().unwrap())
            .replace("${{ runner.temp }}", temp.to_str().unwrap())
            .replace("${{ github.workspace }}", ws.to_str().unwrap())
    };
    assert!(
        !build["run"].as_str().unwrap().contains("${{"),
        "expressions in run: are injection sinks; pass values through env"
    );
    let dir = build["working-directory"]
        .as_str()
        .map_or_else(|| ws.clone(), |d| expand(d).into());
    let mut cmd = Command::new("bash");
    cmd.args(["-e", "-c", build["run"].as_str().unwrap()])
        .current_dir(&dir)
        .env("GITHUB_WORKSPACE", &ws)
        .env("GITHUB_ACTION_PATH", &act)
        .env("RUNNER_TEMP", &temp)
        .env_remove("CARGO_HOME")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_RUSTC_WRAPPER")
        .env_remove("RUSTC_WRAPPER");
    for (k, v) in build["env"].as_mapping().into_iter().flatten() {
        cmd.env(k.as_str().unwrap(), expand(v.as_str().unwrap()));
    }
    let out = cmd.output().unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !marker.exists(),
        "the workspace's code ran: {}\n{log}",
        fs::read_to_string(&marker).unwrap()
    );
    assert!(out.status.success(), "{log}");
    assert!(act.join("target/release/tokenwarden").exists(), "{log}");
    assert!(!ws.join("target").exists());

    // The plants are real: cargo started from the workspace runs them.
    let naive = Command::new("cargo")
        .args(["build", "--release", "--manifest-path"])
        .arg(act.join("Cargo.toml"))
        .current_dir(&ws)
        .env_remove("RUSTUP_TOOLCHAIN")
        .env("CARGO_TARGET_DIR", tmp.path().join("naive-target"))
        .output()
        .unwrap();
    assert!(!naive.status.success());
    assert!(
        marker.exists(),
        "the planted files did not run from the workspace"
    );
}

/// A pull request that adds a token together with a suppression for it passes the check;
/// its reviewers must see every suppression it adds, where, and what each one hides.
#[test]
fn suppressions_a_pull_request_adds_are_shown_where_they_are_added() {
    let repo = Repo::new();
    repo.write(".tokenwarden.toml", "[allow]\nlines = ['fixture']\n");
    repo.write("README.md", "hello\n");
    let base = repo.commit_all("base");
    let (paths, marked, ignored, by_regex) = (
        okta_token(9101),
        okta_token(9102),
        okta_token(9103),
        okta_token(9104),
    );
    repo.write("deploy/prod.yaml", &header(&paths));
    repo.write(
        "app.sh",
        &format!("{} # tokenwarden:allow\n", header(&marked).trim_end()),
    );
    repo.write("c.sh", &header(&ignored));
    repo.write("d.sh", &header(&by_regex));
    let (_, report) = repo.tw_json(&["scan", "c.sh"]);
    let fingerprint = report["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    repo.write(
        ".tokenwardenignore",
        &format!("# reviewed\n{fingerprint}\n"),
    );
    repo.write(
        ".tokenwarden.toml",
        &format!(
            "[allow]\nlines = ['fixture']\npaths = [\"deploy/\"]\nsecrets = ['^{}']\n",
            &by_regex[..12]
        ),
    );
    let head = repo.commit_all("deploy");

    let gha = Gha::new();
    let run = gha.run(&repo.path, "pull_request", &pr(&base, &head), &[]);
    assert_eq!(run.code, 0, "every finding is suppressed: {}", run.stderr);
    let warnings: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("suppression added by this change"))
        .collect();
    let title = "title=tokenwarden%3A suppression added by this change::";
    for expected in [
        format!(
            "::warning file=app.sh,line=1,{title}tokenwarden:allow marker hides 1 finding: okta-api-token"
        ),
        format!(
            "::warning file=.tokenwarden.toml,line=3,{title}[allow] paths deploy/ hides 1 finding: okta-api-token"
        ),
        format!("::warning file=.tokenwarden.toml,line=4,{title}[allow] secrets ^"),
        format!(
            "::warning file=.tokenwardenignore,line=2,{title}ignored fingerprint {fingerprint} hides 1 finding"
        ),
    ] {
        assert!(
            warnings.iter().any(|w| w.starts_with(&expected)),
            "no {expected}\n{}",
            warnings.join("\n")
        );
    }
    assert_eq!(
        warnings.len(),
        4,
        "the base's own entry is not listed: {warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.ends_with("at deploy/prod.yaml:1."))
    );
    assert!(
        run.summary
            .contains("### Suppressions this change adds (4)"),
        "{}",
        run.summary
    );
    assert!(
        run.summary
            .contains("| `.tokenwarden.toml:3` | [allow] paths `deploy/` | hides 1 finding"),
        "{}",
        run.summary
    );
    for token in [&paths, &marked, &ignored, &by_regex] {
        assert!(
            !run.stdout.contains(token.as_str()),
            "raw token in annotations"
        );
        assert!(
            !run.summary.contains(token.as_str()),
            "raw token in the summary"
        );
        assert!(
            !run.stdout.contains(&token[..12]),
            "the regex quoting the token is scrubbed"
        );
    }

    // The same settings on a later pull request that adds nothing: nothing to list.
    repo.write("more.txt", "x\n");
    let next = repo.commit_all("more");
    let run = gha.run(&repo.path, "pull_request", &pr(&head, &next), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("suppression added"), "{}", run.stdout);
    assert!(
        !run.summary.contains("Suppressions this change adds"),
        "{}",
        run.summary
    );

    // A baseline regenerated to take in a new token.
    repo.write("e.sh", &header(&okta_token(9105)));
    let out = repo.tw(&["baseline", "create", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = repo.commit_all("baseline");
    let args = ["--baseline", ".tokenwarden-baseline.json"];
    let run = gha.run(&repo.path, "pull_request", &pr(&next, &last), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warning = run
        .stdout
        .lines()
        .find(|l| l.contains("suppression added by this change"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        warning.starts_with("::warning file=.tokenwarden-baseline.json,line=")
            && warning.contains("new baseline entr")
            && warning.contains("hides 1 finding: okta-api-token")
            && warning.contains("at e.sh:1."),
        "{warning}"
    );
}

/// Every action used by a workflow, the composite action or the example is pinned by a full
/// commit SHA with its version in a comment (GitHub's hardening guide; Dependabot moves the
/// pins), except this repository's own action, which users pin themselves.
#[test]
fn every_third_party_action_is_pinned_by_commit_sha() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![
        root.join("action.yml"),
        root.join("examples/github-workflow.yml"),
    ];
    for e in fs::read_dir(root.join(".github/workflows")).unwrap() {
        files.push(e.unwrap().path());
    }
    let mut checked = 0;
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let Some(spec) = line.trim().trim_start_matches("- ").strip_prefix("uses: ") else {
                continue;
            };
            if spec.starts_with("./") || spec.starts_with("tokenwarden/tokenwarden@") {
                continue;
            }
            let (action, rest) = spec.split_once('@').unwrap();
            let (sha, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "{}: {action} is not pinned by commit SHA: {line}",
                file.display()
            );
            assert!(
                comment.starts_with('v'),
                "{}: no version comment: {line}",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
    assert!(root.join(".github/dependabot.yml").exists());
}
