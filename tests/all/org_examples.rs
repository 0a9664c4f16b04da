//! The organization-scan examples: `examples/org-scan-local.sh` run for real over local
//! repositories and a `file://` clone URL (shards in parallel, then `merge`), and the
//! Kubernetes Indexed Job and the reusable GitHub workflow checked for what makes them
//! shard and merge.

#[cfg(unix)]
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
#[cfg(unix)]
use std::process::Command;

use serde::Deserialize;
#[cfg(unix)]
use serde_json::Value;

#[cfg(unix)]
use crate::common::{header, okta_token};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A repository at `dir` with one commit per entry of `commits` (path, content; `None`
/// deletes the path).
#[cfg(unix)]
fn repository(dir: &Path, commits: &[&[(&str, Option<&str>)]]) {
    let repo = crate::common::Repo::at(dir);
    for (i, files) in commits.iter().enumerate() {
        for (path, content) in *files {
            match content {
                Some(text) => repo.write(path, text),
                None => fs::remove_file(dir.join(path)).unwrap(),
            }
        }
        repo.commit_all(&format!("commit {i}"));
    }
}

#[cfg(unix)]
fn json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON ({e}): {text}", path.display()))
}

/// The `repository` names of a report's `repositories` list.
#[cfg(unix)]
fn repository_names(report: &Value) -> Vec<String> {
    report["repositories"]
        .as_array()
        .unwrap_or_else(|| panic!("no repositories list: {report:#}"))
        .iter()
        .map(|r| r["repository"].as_str().unwrap().to_string())
        .collect()
}

/// The repositories an incident's locations name.
#[cfg(unix)]
fn incident_repositories(incident: &Value) -> BTreeSet<String> {
    incident["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["repository"].as_str().unwrap().to_string())
        .collect()
}

/// Seven entries of a repository list: six local paths, relative to the directory the
/// script runs in (so that their names, and with them their shards, are the same on every
/// run: with today's hash, alpha, gamma, docs and broken fall in shard 1 of 2, beta and
/// clean in shard 2, and the shared token spans both shards), and a bare repository reached
/// by a `file://` URL, which goes through the mirror. alpha and beta hold the same token
/// in different files; gamma had its own and deleted it; the bare repository has a third;
/// clean and docs have none; broken is a plain directory.
#[cfg(unix)]
#[test]
fn the_local_org_example_scans_shards_and_merges() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let shared = okta_token(2801);
    let own = okta_token(2802);
    let remote_token = okta_token(2803);
    let repos = dir.join("repos");
    repository(
        &repos.join("alpha"),
        &[&[
            ("deploy/call.sh", Some(&header(&shared))),
            ("README.md", Some("alpha\n")),
        ]],
    );
    repository(
        &repos.join("beta"),
        &[&[("scripts/users.sh", Some(&header(&shared)))]],
    );
    repository(
        &repos.join("clean"),
        &[&[("README.md", Some("nothing here\n"))]],
    );
    repository(
        &repos.join("gamma"),
        &[
            &[("old/list.sh", Some(&header(&own)))],
            &[("old/list.sh", None), ("README.md", Some("gamma\n"))],
        ],
    );
    repository(&repos.join("docs"), &[&[("index.md", Some("# docs\n"))]]);
    fs::create_dir_all(repos.join("broken")).unwrap();
    fs::write(repos.join("broken/notes.txt"), "not a repository\n").unwrap();
    let work = dir.join("upstream");
    repository(&work, &[&[("ops/sync.sh", Some(&header(&remote_token)))]]);
    let bare = dir.join("remote.git");
    let out = Command::new("git")
        .args(["clone", "-q", "--bare", "upstream", "remote.git"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = format!("file://{}", bare.display());
    fs::write(
        dir.join("repos.txt"),
        format!(
            "# the organization\nrepos/alpha\nrepos/beta\n\nrepos/clean\nrepos/gamma\n\
             # documentation\nrepos/docs\nrepos/broken\n{url}\n"
        ),
    )
    .unwrap();
    let all = [
        "repos/alpha",
        "repos/beta",
        "repos/clean",
        "repos/gamma",
        "repos/docs",
        "repos/broken",
        url.as_str(),
    ];

    let out = dir.join("out");
    let run = || {
        Command::new("bash")
            .arg(root().join("examples/org-scan-local.sh"))
            .args(["repos.txt", out.to_str().unwrap(), "2"])
            .current_dir(dir)
            .env("TOKENWARDEN", env!("CARGO_BIN_EXE_tokenwarden"))
            .env("XDG_CACHE_HOME", dir.join("cache"))
            .env("GIT_CEILING_DIRECTORIES", dir)
            .env_remove("NO_COLOR")
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&first.stderr).into_owned();
    assert_eq!(
        first.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    // Each repository of the list in exactly one shard's report.
    let shard_names: Vec<Vec<String>> = (1..=2)
        .map(|k| repository_names(&json(&out.join(format!("report-{k}.json")))))
        .collect();
    for name in all {
        let owners: Vec<usize> = (0..2)
            .filter(|&k| shard_names[k].iter().any(|n| n == name))
            .collect();
        assert_eq!(
            owners.len(),
            1,
            "{name} in shards {owners:?}: {shard_names:?}"
        );
    }
    assert_eq!(
        shard_names[0].len() + shard_names[1].len(),
        all.len(),
        "{shard_names:?}"
    );

    let merged = json(&out.join("merged.json"));
    let names: BTreeSet<String> = repository_names(&merged).into_iter().collect();
    assert_eq!(
        names,
        all.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>(),
        "{merged:#}"
    );
    for r in merged["repositories"].as_array().unwrap() {
        let error = &r["error"];
        if r["repository"] == "repos/broken" {
            assert!(error.as_str().is_some_and(|e| !e.is_empty()), "{r:#}");
        } else {
            assert!(error.is_null(), "{r:#}");
        }
    }

    // The shared token is one incident, found in both repositories (and so in both shards'
    // reports): not one per repository.
    let incidents = merged["incidents"].as_array().unwrap();
    let touching = |repo: &str| -> Vec<&Value> {
        incidents
            .iter()
            .filter(|i| i["rule_id"] == "okta-api-token" && incident_repositories(i).contains(repo))
            .collect()
    };
    let alpha = touching("repos/alpha");
    assert_eq!(alpha.len(), 1, "{merged:#}");
    assert_eq!(
        incident_repositories(alpha[0]),
        ["repos/alpha", "repos/beta"].map(String::from).into(),
        "{merged:#}"
    );
    let paths: BTreeSet<&str> = alpha[0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["deploy/call.sh", "scripts/users.sh"].into(),
        "{merged:#}"
    );
    assert_eq!(touching("repos/beta").len(), 1, "{merged:#}");
    assert_eq!(touching("repos/gamma").len(), 1, "{merged:#}");
    assert_eq!(touching(&url).len(), 1, "{merged:#}");
    for quiet in ["repos/clean", "repos/docs", "repos/broken"] {
        assert!(
            incidents
                .iter()
                .all(|i| !incident_repositories(i).contains(quiet)),
            "{quiet}: {merged:#}"
        );
    }
    let count = incidents.len();
    assert!(count >= 3, "{merged:#}");
    assert_eq!(merged["stats"]["incidents"], count, "{merged:#}");

    // The markdown summary is written, printed, and counts the incidents.
    let summary = fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        summary.to_lowercase().contains("incident") && summary.contains(&count.to_string()),
        "{count} incidents:\n{summary}"
    );
    assert!(stdout.contains(summary.trim()), "stdout:\n{stdout}");

    // No raw token anywhere the example writes or prints.
    let mut written = vec![stdout.clone(), stderr.clone(), summary.clone()];
    for f in ["merged.json", "report-1.json", "report-2.json"] {
        written.push(fs::read_to_string(out.join(f)).unwrap());
    }
    for token in [&shared, &own, &remote_token] {
        assert!(
            written.iter().all(|w| !w.contains(token.as_str())),
            "a raw token was written"
        );
    }

    // Again: the mirror is fetched rather than cloned, the states say what is known, and
    // the answer is the same.
    let second = run();
    assert_eq!(
        second.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let again = json(&out.join("merged.json"));
    assert_eq!(
        again["incidents"].as_array().unwrap().len(),
        count,
        "{again:#}"
    );
}

/// The documents of a multi-document YAML file.
fn yaml_documents(rel: &str) -> Vec<serde_yaml_ng::Value> {
    let text = fs::read_to_string(root().join(rel)).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|doc| {
            serde_yaml_ng::Value::deserialize(doc)
                .unwrap_or_else(|e| panic!("{rel} is not YAML: {e}"))
        })
        .collect()
}

/// A container's command and arguments as one string.
fn command_line(container: &serde_yaml_ng::Value) -> String {
    ["command", "args"]
        .iter()
        .filter_map(|k| container[*k].as_sequence())
        .flatten()
        .filter_map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_kubernetes_example_is_an_indexed_job_with_a_merge_step() {
    let docs = yaml_documents("examples/k8s-org-scan.yaml");
    let jobs: Vec<&serde_yaml_ng::Value> = docs.iter().filter(|d| d["kind"] == "Job").collect();
    let scan = jobs
        .iter()
        .find(|j| j["spec"]["completionMode"] == "Indexed")
        .expect("an Indexed Job");
    let completions = scan["spec"]["completions"].as_u64().unwrap();
    assert!(completions >= 2, "{completions}");
    assert_eq!(scan["spec"]["parallelism"].as_u64(), Some(completions));
    let pod = &scan["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"].as_bool(), Some(true));
    let container = &pod["containers"][0];
    assert_eq!(
        container["securityContext"]["readOnlyRootFilesystem"].as_bool(),
        Some(true)
    );
    assert!(!container["resources"]["requests"].is_null());
    let command = command_line(container);
    for part in [
        "tokenwarden history",
        "--repos /config/repos.txt",
        "JOB_COMPLETION_INDEX",
        "--shard",
        "--mirror-dir",
        "--state",
        "--format json",
    ] {
        assert!(command.contains(part), "{part}: {command}");
    }
    // The N of --shard K/N is the Job's completions.
    let shards = container["env"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "SHARDS")
        .and_then(|e| e["value"].as_str())
        .expect("a SHARDS variable");
    assert_eq!(shards.parse::<u64>().ok(), Some(completions));
    // The repository list comes from a ConfigMap mounted at /config.
    let config_map = docs
        .iter()
        .find(|d| d["kind"] == "ConfigMap")
        .expect("a ConfigMap");
    assert!(config_map["data"]["repos.txt"].as_str().is_some());
    assert!(
        container["volumeMounts"]
            .as_sequence()
            .unwrap()
            .iter()
            .any(|m| m["mountPath"] == "/config")
    );
    assert!(docs.iter().any(|d| d["kind"] == "PersistentVolumeClaim"));

    let merge = jobs
        .iter()
        .find(|j| {
            j["spec"]["template"]["spec"]["containers"]
                .as_sequence()
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|c| command_line(c).contains("tokenwarden merge"))
                })
        })
        .expect("a Job that runs tokenwarden merge");
    let merge_command = command_line(&merge["spec"]["template"]["spec"]["containers"][0]);
    assert!(
        merge_command.contains("/data/reports/") && merge_command.contains("--format markdown"),
        "{merge_command}"
    );
}

#[test]
fn the_org_workflow_is_reusable_and_shards() {
    let text = fs::read_to_string(root().join(".github/workflows/org-scan.yml")).unwrap();
    let wf: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let on = &wf["on"];
    for trigger in ["workflow_call", "workflow_dispatch"] {
        assert!(on.as_mapping().unwrap().contains_key(trigger), "{trigger}");
    }
    let call = &on["workflow_call"];
    assert_eq!(
        call["inputs"]["organization"]["required"].as_bool(),
        Some(true)
    );
    assert_eq!(call["inputs"]["shards"]["default"].as_u64(), Some(4));
    for input in ["verify", "include-archived", "include-forks", "extra-args"] {
        assert!(!call["inputs"][input].is_null(), "{input}");
        assert!(
            !on["workflow_dispatch"]["inputs"][input].is_null(),
            "{input}"
        );
    }
    assert!(!call["secrets"]["token"].is_null());
    assert_eq!(
        wf["permissions"].as_mapping().map(|m| m.len()),
        Some(0),
        "nothing by default"
    );

    let jobs = wf["jobs"].as_mapping().unwrap();
    let runs = |job: &serde_yaml_ng::Value| -> Vec<String> {
        job["steps"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(|s| s["run"].as_str().map(String::from))
            .collect()
    };
    for (name, job) in jobs {
        assert!(
            !job["permissions"].is_null(),
            "{name:?}: explicit permissions"
        );
        // Script injection: inputs reach scripts through the environment, never inline.
        for script in runs(job) {
            assert!(
                !script.contains("${{"),
                "{name:?}: an expression in a script: {script}"
            );
        }
    }
    let scan = jobs
        .values()
        .find(|j| !j["strategy"]["matrix"]["shard"].is_null())
        .expect("a job with a shard matrix");
    assert_eq!(scan["strategy"]["fail-fast"].as_bool(), Some(false));
    assert!(
        runs(scan)
            .iter()
            .any(|r| r.contains("history") && r.contains("--shard") && r.contains("--repos")),
        "{scan:?}"
    );
    assert!(
        jobs.values()
            .any(|j| runs(j).iter().any(|r| r.contains("tokenwarden merge"))),
        "a job that runs tokenwarden merge"
    );
}
