//! Git sources on real repositories built in temp dirs with the real `git` binary:
//! `staged`, `history`, `history --range`, the pre-commit hook and `install-hook`.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Repo, findings, header, okta_token, tokenwarden};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// staged

#[test]
fn staged_first_commit_reports_added_token_with_staged_line_number() {
    let repo = Repo::new();
    let t = okta_token(1);
    repo.write("setup.sh", &format!("#!/bin/sh\necho hi\n{}", header(&t)));
    repo.git(&["add", "setup.sh"]);
    let (code, json) = repo.tw_json(&["staged"]);
    assert_eq!(code, 1);
    let f = findings(&json);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["path"], "setup.sh");
    assert_eq!(f[0]["line"], 3);
    assert_eq!(f[0]["confidence"], "high");
}

#[test]
fn staged_reports_only_added_lines_and_ignores_unstaged_edits() {
    let repo = Repo::new();
    let old = okta_token(2);
    let new = okta_token(3);
    repo.write("a.sh", &header(&old));
    repo.write("b.txt", "nothing\n");
    repo.commit_all("first");
    // An existing token stays; a new one is added on line 3.
    repo.write("a.sh", &format!("{}echo\n{}", header(&old), header(&new)));
    repo.git(&["add", "a.sh"]);
    // Unstaged: must not be reported.
    repo.write("b.txt", &header(&okta_token(4)));
    let (code, json) = repo.tw_json(&["staged"]);
    assert_eq!(code, 1);
    let f = findings(&json);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["line"], 3);
    assert!(f[0]["secret"].as_str().unwrap().starts_with(&new[..4]));
    assert!(
        f[0].get("commit").is_none(),
        "staged findings have no commit"
    );
}

#[test]
fn staged_clean_and_pure_rename_pass() {
    let repo = Repo::new();
    repo.write("a.sh", &header(&okta_token(5)));
    repo.commit_all("first");
    repo.git(&["mv", "a.sh", "b.sh"]);
    let out = repo.tw(&["staged"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn staged_scans_binary_strictly_and_lists_it_as_skipped() {
    let repo = Repo::new();
    repo.write("blob.bin", &format!("\0\0{}", header(&okta_token(6))));
    repo.write("noise.bin", &format!("\0\0 {} \0", okta_token(5)));
    repo.git(&["add", "blob.bin", "noise.bin"]);
    let (code, json) = repo.tw_json(&["staged"]);
    assert_eq!(code, 1);
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["blob.bin"], "{json:#}");
    assert_eq!(json["stats"]["skipped_by_reason"]["binary"], 2);
    assert_eq!(json["stats"]["binary_strict_scanned"], 2);
}

/// Issue #21, item 10, in history: a token behind a NUL byte is found in the blob that
/// introduced it and attributed to its commit, by `history` and by `--range`; a binary
/// with token-shaped noise stays quiet.
#[test]
fn history_and_range_find_a_token_behind_a_nul_byte() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    let base = repo.commit_all("base");
    let token = okta_token(8320);
    repo.write(
        "fixtures/capture.har",
        &format!("\0{}{}", "{\"entries\": []}\n".repeat(50), header(&token)),
    );
    fs::write(repo.path.join("logo.png"), common::png_like(8321)).unwrap();
    let head = repo.commit_all("add a capture");
    for args in [
        vec!["history", "."],
        vec!["history", "--range", &format!("{base}..{head}"), "."],
    ] {
        let (code, json) = repo.tw_json(&args);
        assert_eq!(code, 1, "{args:?}: {json:#}");
        let f = json["findings"].as_array().unwrap();
        assert_eq!(f.len(), 1, "{args:?}: {json:#}");
        assert_eq!(f[0]["path"], "fixtures/capture.har");
        assert_eq!(f[0]["line"], 51);
        assert_eq!(f[0]["commit"], head.as_str());
        assert_eq!(json["stats"]["skipped_by_reason"]["binary"], 2, "{args:?}");
        assert_eq!(json["stats"]["binary_strict_scanned"], 2, "{args:?}");
    }
}

/// A `.gitattributes` in the scanned tree marked files `binary`, so git's diff had no
/// added lines for them and `--range` reported nothing.
#[test]
fn staged_works_in_a_linked_worktree() {
    let repo = Repo::new();
    repo.write("a.txt", "x\n");
    repo.commit_all("first");
    let wt = repo.path.parent().unwrap().join("wt");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        wt.to_str().unwrap(),
        "-b",
        "feature",
    ]);
    fs::write(wt.join("new.sh"), header(&okta_token(7))).unwrap();
    let st = Command::new("git")
        .args(["add", "new.sh"])
        .current_dir(&wt)
        .status()
        .unwrap();
    assert!(st.success());
    let out = tokenwarden(&wt, &["staged"]);
    assert_eq!(out.status.code(), Some(1));
    // The main worktree has nothing staged.
    assert_eq!(repo.tw(&["staged"]).status.code(), Some(0));
}

#[test]
fn staged_outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = tokenwarden(dir.path(), &["staged"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not in a git repository"), "{err}");
}

// ---------------------------------------------------------------------------------------
// history

#[test]
fn history_attributes_findings_to_introducing_commit_with_provenance() {
    let repo = Repo::new();
    let t = okta_token(10);
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    repo.write("scripts/call.sh", &header(&t));
    let intro = repo.commit_all("add script");
    repo.write("other.txt", "more\n");
    repo.commit_all("unrelated");
    let (code, json) = repo.tw_json(&["history"]);
    assert_eq!(code, 1);
    let f = findings(&json);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["path"], "scripts/call.sh");
    assert_eq!(f[0]["commit"], intro.as_str());
    assert_eq!(f[0]["author"], "Test Author");
    assert_eq!(f[0]["summary"], "add script");
    assert_eq!(f[0]["at_head"], true);
    let date = f[0]["date"].as_str().unwrap();
    assert!(date.ends_with("+01:00") && date.len() == 25, "{date}");
}

/// Git stores names as bytes on every OS. A name that is not UTF-8 is reported as `\xNN`
/// (as a file on disk is), never with a replacement character, and `--range` still finds
/// it at HEAD.
#[test]
fn git_names_that_are_not_utf8_are_reported_losslessly() {
    let repo = Repo::new();
    let content = header(&okta_token(12));
    let mut script = b"commit refs/heads/main\ncommitter A <a@example.com> 1700000000 +0000\ndata 5\nbase\nM 644 inline ok.txt\ndata 3\nok\n\n".to_vec();
    script.extend(
        b"commit refs/heads/main\ncommitter A <a@example.com> 1700000060 +0000\ndata 4\nadd\n",
    );
    script.extend(b"M 644 inline \"d\\351p/caf\\351.sh\"\n");
    script.extend(format!("data {}\n{content}\n", content.len()).as_bytes());
    repo.fast_import(&script);
    let (code, json) = repo.tw_json(&["history"]);
    assert_eq!(code, 1);
    let f = findings(&json);
    assert_eq!(f[0]["path"], "d\\xE9p/caf\\xE9.sh", "{json}");
    assert_eq!(f[0]["at_head"], true);
    let (code, json) = repo.tw_json(&["history", "--range", "main~1..main"]);
    assert_eq!(code, 1);
    let f = findings(&json);
    assert_eq!(f[0]["path"], "d\\xE9p/caf\\xE9.sh", "{json}");
    assert_eq!(
        f[0]["at_head"], true,
        "found at HEAD through its escaped name"
    );
}

#[test]
fn history_secret_removed_before_head_is_not_at_head() {
    let repo = Repo::new();
    repo.write("a.sh", &header(&okta_token(11)));
    let intro = repo.commit_all("add");
    fs::remove_file(repo.path.join("a.sh")).unwrap();
    repo.commit_all("remove");
    let (code, json) = repo.tw_json(&["history"]);
    assert_eq!(code, 1);
    let f = findings(&json);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["commit"], intro.as_str());
    assert_eq!(f[0]["at_head"], false);
}

#[test]
fn history_rename_reports_each_path_with_its_commit() {
    let repo = Repo::new();
    repo.write("old/name.sh", &header(&okta_token(12)));
    let c1 = repo.commit_all("add");
    repo.git(&["mv", "old", "new"]);
    let c2 = repo.commit_all("rename dir");
    let (_, json) = repo.tw_json(&["history"]);
    let mut got: Vec<(String, String)> = findings(&json)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().into(),
                f["commit"].as_str().unwrap().into(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![("new/name.sh".into(), c2), ("old/name.sh".into(), c1)]
    );
}

#[test]
fn history_same_blob_on_two_branches_and_tag_only_reachability() {
    let repo = Repo::new();
    repo.write("base.txt", "base\n");
    repo.commit_all("base");
    let content = header(&okta_token(13));
    repo.git(&["checkout", "-q", "-b", "one"]);
    repo.write("x.sh", &content);
    let c1 = repo.commit_all("on one");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "-b", "two"]);
    repo.write("x.sh", &content);
    let c2 = repo.commit_all("on two");
    // A third token only reachable from a tag once its branch is deleted.
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "-b", "tagged"]);
    repo.write("t.sh", &header(&okta_token(14)));
    let c3 = repo.commit_all("tagged only");
    repo.git(&["tag", "-a", "v1", "-m", "release"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["branch", "-D", "tagged"]);

    let (_, json) = repo.tw_json(&["history"]);
    let f = findings(&json);
    let commits: Vec<&str> = f.iter().map(|f| f["commit"].as_str().unwrap()).collect();
    // One finding per secret per path: the first introduction, the other listed on it.
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(commits.contains(&c3.as_str()));
    let x = f.iter().find(|x| x["path"] == "x.sh").unwrap();
    let (first, again) = if x["commit"] == c1.as_str() {
        (&c1, &c2)
    } else {
        (&c2, &c1)
    };
    assert_eq!(x["commit"], first.as_str());
    assert_eq!(x["reintroduced_in"], json!([again]));

    // --branch limits to what one ref reaches.
    let (_, json) = repo.tw_json(&["history", "--branch", "one"]);
    let f = findings(&json);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["commit"], c1.as_str());
}

#[test]
fn history_scans_trees_and_blobs_named_directly_by_refs() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    // A tag of a tree and a tag of a blob, neither reachable from any commit.
    let blob_path = repo.path.join("../loose.sh");
    fs::write(&blob_path, header(&okta_token(23))).unwrap();
    let blob = repo.git(&["hash-object", "-w", blob_path.to_str().unwrap()]);
    repo.git(&["tag", "blobtag", &blob]);
    repo.write("dir/in-tree.sh", &header(&okta_token(24)));
    repo.git(&["add", "dir/in-tree.sh"]);
    let tree = repo.git(&["write-tree"]);
    repo.git(&["tag", "treetag", &tree]);
    repo.git(&["reset", "-q", "--hard"]);
    let (code, json) = repo.tw_json(&["history"]);
    assert_eq!(code, 1);
    let mut paths: Vec<String> = findings(&json)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        vec!["refs/tags/blobtag", "refs/tags/treetag:dir/in-tree.sh"]
    );
    assert!(findings(&json).iter().all(|f| f.get("commit").is_none()));
}

/// A repository whose annotated tags hold tokens in their messages: `v1` on a commit,
/// `v1-outer` a tag of `v1`, `treetag` and `blobtag` on a tree and a blob no commit holds,
/// and `clean` with nothing. Returns the tokens and the tag objects by tag name.
fn tagged_repo() -> (Repo, Vec<String>, Value) {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    let tokens: Vec<String> = (0..4).map(|i| okta_token(9400 + i)).collect();
    let message = |i: usize| format!("release notes\n\ndeployed with: {}", header(&tokens[i]));
    repo.git(&["tag", "-a", "v1", "-m", &message(0)]);
    repo.git(&["tag", "-a", "v1-outer", "v1", "-m", &message(1)]);
    let tree = repo.git(&["write-tree"]);
    repo.git(&["tag", "-a", "treetag", &tree, "-m", &message(2)]);
    let blob = repo.git(&["hash-object", "-w", "a.txt"]);
    repo.git(&["tag", "-a", "blobtag", &blob, "-m", &message(3)]);
    repo.git(&["tag", "-a", "clean", "-m", "nothing to see"]);
    let ids = ["v1", "v1-outer", "treetag", "blobtag", "clean"]
        .map(|t| (t.to_string(), json!(repo.git(&["rev-parse", t]))));
    (repo, tokens, Value::Object(ids.into_iter().collect()))
}

/// The tag object each `<tag message>` finding names, sorted.
fn tag_findings(json: &Value) -> Vec<String> {
    let mut tags: Vec<String> = findings(json)
        .iter()
        .filter(|f| f["path"] == "<tag message>")
        .map(|f| f["commit"].as_str().unwrap().to_string())
        .collect();
    tags.sort();
    tags
}

#[test]
fn history_scans_each_annotated_tag_message_once() {
    let (repo, tokens, tags) = tagged_repo();
    let (code, json) = repo.tw_json(&["history"]);
    assert_eq!(code, 1);
    // Each tag object once, though `v1` is reached by its own ref and through `v1-outer`.
    let mut expected: Vec<String> = ["v1", "v1-outer", "treetag", "blobtag"]
        .iter()
        .map(|t| tags[t].as_str().unwrap().to_string())
        .collect();
    expected.sort();
    assert_eq!(tag_findings(&json), expected, "{json:#}");
    assert_eq!(findings(&json).len(), 4, "{json:#}");
    let v1 = findings(&json)
        .into_iter()
        .find(|f| f["commit"] == tags["v1"])
        .unwrap();
    assert_eq!(v1["line"], 3);
    assert_eq!(v1["summary"], "tag v1: release notes");
    assert_eq!(v1["author"], "Test Author");
    assert!(v1["date"].as_str().unwrap().ends_with("+01:00"), "{v1:#}");

    // Redacted in every format; SARIF still valid.
    for format in ["text", "json", "sarif"] {
        let out = repo.tw(&["history", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for t in &tokens {
            assert!(
                !all.contains(t.as_str()),
                "{format} printed a raw token:\n{all}"
            );
        }
        assert!(all.contains(&tokens[0][..4]), "{format}: {all}");
        if format == "sarif" {
            let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(common::sarif_schema_errors(&doc), Vec::<String>::new());
            let r = &doc["runs"][0]["results"];
            assert!(
                r.as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["properties"]["commit"] == tags["v1"]
                        && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                            == "%3Ctag%20message%3E"),
                "{r:#}"
            );
        }
        if format == "text" {
            assert!(all.contains("tag v1-outer: release notes"), "{all}");
        }
    }
}

/// `--branch REF` scans only the tags REF itself names; a range scans those its head names
/// and its base does not (a pushed tag).
#[test]
fn history_branch_and_range_scan_only_the_tags_they_name() {
    let (repo, _, tags) = tagged_repo();
    let (code, json) = repo.tw_json(&["history", "--branch", "main"]);
    assert_eq!((code, findings(&json).len()), (0, 0), "{json:#}");
    let mut named = vec![
        tags["v1"].as_str().unwrap().to_string(),
        tags["v1-outer"].as_str().unwrap().to_string(),
    ];
    named.sort();
    let (code, json) = repo.tw_json(&["history", "--branch", "v1-outer"]);
    assert_eq!(code, 1);
    assert_eq!(tag_findings(&json), named, "{json:#}");
    let (code, json) = repo.tw_json(&["history", "--range", "main..v1-outer"]);
    assert_eq!(code, 1);
    assert_eq!(tag_findings(&json), named, "{json:#}");
    // The base names `v1` already: only the outer tag is new.
    let (code, json) = repo.tw_json(&["history", "--range", "v1..v1-outer"]);
    assert_eq!(code, 1);
    assert_eq!(tag_findings(&json), [tags["v1-outer"].as_str().unwrap()]);
    let (code, json) = repo.tw_json(&["history", "--branch", "clean"]);
    assert_eq!((code, findings(&json).len()), (0, 0), "{json:#}");
}

/// Tag names and taggers are free text of the tag's author: scrubbed of secrets and
/// escaped like commit authors.
#[test]
fn tag_names_and_taggers_are_scrubbed_and_escaped() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    let head = repo.commit_all("init");
    let token = okta_token(9410);
    let tag = format!(
        "object {head}\ntype commit\ntag rel-{token}\x1b[2J\ntagger Evil\u{202e}Name\x07 <e@example.com> 1700000000 +0000\n\nOKTA_API_TOKEN={token}\n"
    );
    let path = repo.path.join("../tag.txt");
    fs::write(&path, tag).unwrap();
    let id = repo.git(&[
        "hash-object",
        "-t",
        "tag",
        "-w",
        "--literally",
        path.to_str().unwrap(),
    ]);
    repo.git(&["update-ref", "refs/tags/evil", &id]);
    let text = repo.tw(&["history", "--no-color"]);
    assert_eq!(text.status.code(), Some(1));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(!text.contains(&token), "{text}");
    assert!(
        !text.contains('\x1b') && !text.contains('\u{202e}') && !text.contains('\x07'),
        "{text:?}"
    );
    assert!(text.contains("tag rel-00"), "{text}");
    let (_, json) = repo.tw_json(&["history"]);
    let f = &findings(&json)[0];
    assert_eq!(f["path"], "<tag message>");
    assert_eq!(f["commit"], id.as_str());
    assert!(!json.to_string().contains(&token));
}

/// A tag that leads back to itself (only a corrupt object store holds one: an object filed
/// under an id that is not its hash) is a skip with the reason, not a hang: libgit2's and
/// gix's own peeling loop forever on it. HEAD on it too.
#[test]
fn history_survives_a_tag_that_leads_back_to_itself() {
    let repo = Repo::new();
    repo.write("a.sh", &header(&okta_token(9430)));
    repo.commit_all("init");
    let id = "ab".repeat(20);
    let tag =
        format!("object {id}\ntype tag\ntag loop\ntagger T <t@example.com> 0 +0000\n\nloop\n");
    let mut object = format!("tag {}\0", tag.len()).into_bytes();
    object.extend(tag.as_bytes());
    let dir = repo.path.join(".git/objects").join(&id[..2]);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(&id[2..]), common::zlib_stored(&object)).unwrap();
    fs::write(repo.path.join(".git/refs/tags/loop"), format!("{id}\n")).unwrap();
    repo.git(&["symbolic-ref", "HEAD", "refs/tags/loop"]);
    let within = |args: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tokenwarden"))
            .args(args)
            .current_dir(&repo.path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > std::time::Duration::from_secs(20) {
                child.kill().unwrap();
                panic!("{args:?} hangs");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        child.wait_with_output().unwrap()
    };
    let out = within(&["history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings(&json)[0]["path"], "a.sh");
    let skipped = &json["stats"]["skipped_files"];
    assert_eq!(skipped[0]["path"], "refs/tags/loop", "{json:#}");
    let out = within(&["history", "--branch", "loop"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("leads back to itself"), "{err}");
}

#[test]
fn history_merge_does_not_reintroduce() {
    let repo = Repo::new();
    repo.write("base.txt", "base\n");
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("f.sh", &header(&okta_token(15)));
    let intro = repo.commit_all("feature work");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("m.txt", "main work\n");
    repo.commit_all("main work");
    repo.git(&["merge", "-q", "--no-ff", "feature", "-m", "merge feature"]);
    let (_, json) = repo.tw_json(&["history"]);
    let f = findings(&json);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["commit"], intro.as_str());
    assert_eq!(f[0]["at_head"], true);
}

#[test]
fn history_of_empty_repository_and_unknown_ref() {
    let repo = Repo::new();
    let out = repo.tw(&["history"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no commits"));
    repo.write("a", "a\n");
    repo.commit_all("a");
    let out = repo.tw(&["history", "--branch", "does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does-not-exist"), "{err}");
    let out = repo.tw(&["history", "--range", "nope..HEAD"]);
    assert_eq!(out.status.code(), Some(2));

    // An unborn branch beside committed ones: the other refs are still scanned, and
    // naming HEAD says why it resolves to nothing.
    repo.write("b.env", &format!("OKTA_API_TOKEN={}\n", okta_token(9100)));
    repo.commit_all("b");
    repo.git(&["checkout", "-q", "--orphan", "fresh"]);
    let (code, json) = repo.tw_json(&["history"]);
    assert_eq!(code, 1);
    let f = findings(&json);
    assert_eq!(
        (f.len(), &f[0]["at_head"]),
        (1, &Value::Bool(false)),
        "{json:#}"
    );
    let out = repo.tw(&["history", "--branch", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no commits yet"), "{err}");
}

#[test]
fn history_shallow_clone_warns_and_scans_what_exists() {
    let repo = Repo::new();
    repo.write("a.sh", &header(&okta_token(16)));
    repo.commit_all("one");
    repo.write("b.txt", "b\n");
    repo.commit_all("two");
    repo.write("c.txt", "c\n");
    repo.commit_all("three");
    let clone = repo.path.parent().unwrap().join("shallow");
    let url = format!("file://{}", repo.path.display());
    let st = Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(st.success());
    let out = tokenwarden(&clone, &["history", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the token is still in the tree at HEAD"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("shallow") && err.contains("fetch-depth: 0"),
        "{err}"
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["stats"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("shallow")
    );
}

#[test]
fn history_missing_object_is_skipped_with_reason_and_rest_scanned() {
    let repo = Repo::new();
    repo.write("keep.sh", &header(&okta_token(17)));
    repo.write(
        "lost.txt",
        "this blob will be deleted from the object store\n",
    );
    repo.commit_all("one");
    let lost = repo.git(&["rev-parse", "HEAD:lost.txt"]);
    let obj = repo
        .path
        .join(".git/objects")
        .join(&lost[..2])
        .join(&lost[2..]);
    fs::remove_file(obj).unwrap();
    let (code, json) = repo.tw_json(&["history"]);
    assert_eq!(code, 1, "the intact blob's token is still reported");
    assert_eq!(findings(&json).len(), 1);
    assert_eq!(json["stats"]["skipped_by_reason"]["missing_object"], 1);
}

#[test]
fn history_corrupt_object_is_skipped_with_reason_and_rest_scanned() {
    let repo = Repo::new();
    repo.write("keep.sh", &header(&okta_token(22)));
    repo.write("bad.txt", "this blob will be overwritten with garbage\n");
    repo.commit_all("one");
    let bad = repo.git(&["rev-parse", "HEAD:bad.txt"]);
    let obj = repo
        .path
        .join(".git/objects")
        .join(&bad[..2])
        .join(&bad[2..]);
    let mut perms = fs::metadata(&obj).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(&obj, perms).unwrap();
    fs::write(&obj, b"not a zlib stream at all").unwrap();
    let out = repo.tw(&["history", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings(&json).len(), 1);
    let skipped = json["stats"]["skipped_files"].as_array().unwrap();
    assert!(
        skipped.iter().any(
            |s| s["reason"] == "missing_object" && s["detail"].as_str().unwrap().contains(&bad)
        ),
        "{skipped:#?}"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn history_sarif_carries_provenance_and_stable_fingerprints() {
    let repo = Repo::new();
    repo.write("a.sh", &header(&okta_token(18)));
    let intro = repo.commit_all("add");
    let run = || {
        let out = repo.tw(&["history", "--format", "sarif"]);
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let (a, b) = (run(), run());
    let r = &a["runs"][0]["results"][0];
    assert_eq!(r["properties"]["commit"], intro.as_str());
    assert_eq!(r["properties"]["at_head"], true);
    assert!(r["properties"]["date"].is_string() && r["properties"]["author"].is_string());
    assert_eq!(
        r["partialFingerprints"],
        b["runs"][0]["results"][0]["partialFingerprints"]
    );
}

// ---------------------------------------------------------------------------------------
// range

#[test]
fn range_reports_secret_added_and_removed_inside_the_range() {
    let repo = Repo::new();
    repo.write("a.txt", "base\n");
    let base = repo.commit_all("base");
    repo.write("leak.sh", &format!("echo\n{}", header(&okta_token(19))));
    let added = repo.commit_all("add leak");
    fs::remove_file(repo.path.join("leak.sh")).unwrap();
    repo.commit_all("remove leak");
    let (code, json) = repo.tw_json(&["history", "--range", &format!("{base}..HEAD")]);
    assert_eq!(code, 1);
    let f = findings(&json);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["commit"], added.as_str());
    assert_eq!(f[0]["line"], 2);
    assert_eq!(f[0]["at_head"], false);

    // Secrets that predate the range are not reported.
    let (code, _) = repo.tw_json(&["history", "--range", "HEAD..HEAD"]);
    assert_eq!(code, 0);
}

#[test]
fn range_reports_only_added_lines_and_merges_of_base_add_nothing() {
    let repo = Repo::new();
    let old = okta_token(20);
    repo.write("a.sh", &header(&old));
    let base = repo.commit_all("base with an old token");
    repo.git(&["checkout", "-q", "-b", "pr"]);
    repo.write("a.sh", &format!("{}echo more\n", header(&old)));
    repo.commit_all("edit without secrets");
    // main moves on with its own secret, then is merged into the PR branch.
    repo.git(&["checkout", "-q", "main"]);
    repo.write("main.sh", &header(&okta_token(21)));
    repo.commit_all("main adds a token");
    repo.git(&["checkout", "-q", "pr"]);
    repo.git(&["merge", "-q", "--no-ff", "main", "-m", "merge main"]);
    let (code, json) = repo.tw_json(&["history", "--range", &format!("{base}..pr")]);
    // main's commit is itself in base..pr, so its token is reported once, by that commit,
    // and never again by the merge.
    let f = findings(&json);
    assert_eq!(code, 1);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["summary"], "main adds a token");
}

/// `.gitattributes` belongs to the scanned tree: marking every file binary (`-diff`) must
/// not hide the lines a commit adds.
#[test]
fn range_ignores_gitattributes_that_mark_files_binary() {
    let repo = Repo::new();
    repo.write(".gitattributes", "* -diff\n");
    repo.write("deploy.sh", "echo deploying\n");
    let base = repo.commit_all("base");
    repo.write(
        "deploy.sh",
        &format!("echo deploying\n{}", header(&okta_token(9420))),
    );
    let head = repo.commit_all("debug");
    let (code, json) = repo.tw_json(&["history", "--range", &format!("{base}..{head}")]);
    assert_eq!(code, 1, "{json:#}");
    let f = findings(&json);
    assert_eq!(
        (f.len(), &f[0]["path"], &f[0]["line"]),
        (1, &json!("deploy.sh"), &json!(2))
    );
    // `binary` on a new file: still diffed as text.
    repo.write(".gitattributes", "* binary\n");
    repo.write("new.sh", &header(&okta_token(9421)));
    let next = repo.commit_all("new");
    let (code, json) = repo.tw_json(&["history", "--range", &format!("{head}..{next}")]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(findings(&json)[0]["path"], "new.sh");
}

// ---------------------------------------------------------------------------------------
// the pre-commit hook

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_tokenwarden"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn commit_with_hook(repo: &Repo, extra: &[&str]) -> Output {
    let path = common::path_with(&bin_dir());
    Command::new("git")
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(["commit", "-q", "-m", "msg"])
        .args(extra)
        .current_dir(&repo.path)
        .env("PATH", path)
        .output()
        .unwrap()
}

#[test]
fn hook_blocks_secret_passes_clean_and_no_verify_bypasses() {
    let repo = Repo::new();
    let out = repo.tw(&["install-hook"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(repo.path.join(".git/hooks/pre-commit").exists());

    repo.write("clean.txt", "nothing to see\n");
    repo.git(&["add", "clean.txt"]);
    let out = commit_with_hook(&repo, &["-q"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Silent on success: `git commit -q` prints nothing, the hook neither.
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    let t = okta_token(30);
    repo.write("leak.sh", &header(&t));
    repo.git(&["add", "leak.sh"]);
    let out = commit_with_hook(&repo, &[]);
    assert!(!out.status.success(), "commit with a token must be blocked");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("commit blocked"), "{all}");
    assert!(all.contains("--no-verify"), "{all}");
    assert!(!all.contains(&t), "the hook output must be redacted");
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]), "1");

    let out = commit_with_hook(&repo, &["--no-verify"]);
    assert!(out.status.success());
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]), "2");
}

#[test]
fn hook_reports_missing_binary_clearly() {
    let repo = Repo::new();
    assert_eq!(repo.tw(&["install-hook"]).status.code(), Some(0));
    repo.write("a.txt", "a\n");
    repo.git(&["add", "a.txt"]);
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "-m",
            "m",
        ])
        .current_dir(&repo.path)
        .env("TOKENWARDEN", "/nonexistent/tokenwarden")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("was not found") && err.contains("--no-verify"),
        "{err}"
    );
}

#[test]
fn install_hook_is_idempotent_respects_hooks_path_and_keeps_foreign_hooks() {
    let repo = Repo::new();
    assert_eq!(repo.tw(&["install-hook"]).status.code(), Some(0));
    let again = repo.tw(&["install-hook"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stdout).contains("already installed"));

    // core.hooksPath, relative to the work tree.
    repo.git(&["config", "core.hooksPath", "githooks"]);
    assert_eq!(repo.tw(&["install-hook"]).status.code(), Some(0));
    let hook = repo.path.join("githooks/pre-commit");
    assert!(hook.exists());

    // A hook that is not ours is kept unless --force.
    fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let out = repo.tw(&["install-hook"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(fs::read_to_string(&hook).unwrap(), "#!/bin/sh\necho mine\n");
    assert_eq!(repo.tw(&["install-hook", "--force"]).status.code(), Some(0));
    assert!(
        fs::read_to_string(&hook)
            .unwrap()
            .contains("tokenwarden pre-commit hook")
    );

    // git runs it from core.hooksPath.
    repo.write("leak.sh", &header(&okta_token(31)));
    repo.git(&["add", "leak.sh"]);
    let out = commit_with_hook(&repo, &[]);
    assert!(
        !out.status.success(),
        "the hook in core.hooksPath must block the commit"
    );
}

#[test]
fn pre_commit_framework_manifest_passes_files() {
    let manifest: serde_yaml_ng::Value = serde_yaml_ng::from_str(
        &fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"))
            .unwrap(),
    )
    .unwrap();
    let hooks = manifest.as_sequence().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["tokenwarden", "tokenwarden-system"]);
    for h in hooks {
        assert_eq!(h["entry"].as_str(), Some("tokenwarden staged --quiet"));
        assert_eq!(h["pass_filenames"].as_bool(), Some(true));
    }
    assert_eq!(hooks[0]["language"].as_str(), Some("rust"));
    assert_eq!(hooks[1]["language"].as_str(), Some("system"));
}

/// The real `pre-commit` (from PyPI; installed into target/ on first use when it is not on
/// PATH): `--all-files` fails on a token committed long ago, ordinary commits check only
/// what they add.
#[test]
fn pre_commit_framework_all_files_fails_on_a_committed_token() {
    let Some(pre_commit) = pre_commit_binary() else {
        eprintln!("pre-commit is not installed and could not be installed; skipped");
        return;
    };
    // A hook repository holding this checkout's manifest.
    let hooks = Repo::new();
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
        hooks.path.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let rev = hooks.commit_all("hooks");

    let repo = Repo::new();
    repo.write("old/leak.sh", &header(&okta_token(31)));
    repo.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: tokenwarden-system\n",
            hooks.path.display()
        ),
    );
    repo.commit_all("before the hook");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_tokenwarden"))
        .parent()
        .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let path = common::path_with(bin_dir);
        Command::new(&pre_commit)
            .args(args)
            .current_dir(&repo.path)
            .env("PATH", path)
            .env("PRE_COMMIT_HOME", cache.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let all = run(&["run", "--all-files"]);
    let text = String::from_utf8_lossy(&all.stdout);
    assert_eq!(all.status.code(), Some(1), "{text}");
    assert!(
        text.contains("old/leak.sh") && text.contains("okta-api-token"),
        "{text}"
    );
    assert!(!text.contains(&okta_token(31)), "{text}");

    // An ordinary commit of a clean file passes: the old token is not what it adds.
    repo.write("new.txt", "hello\n");
    repo.git(&["add", "new.txt"]);
    let staged = run(&["run"]);
    assert_eq!(
        staged.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&staged.stdout)
    );
    // ... and one that adds a token fails.
    repo.write("new.sh", &header(&okta_token(32)));
    repo.git(&["add", "new.sh"]);
    let staged = run(&["run"]);
    assert_eq!(staged.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&staged.stdout).contains("new.sh"));
}

/// `pre-commit` from PATH, or from a virtualenv under target/ made on first use.
fn pre_commit_binary() -> Option<std::path::PathBuf> {
    if Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Some("pre-commit".into());
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pre-commit-venv");
    let scripts = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
    let exe = std::env::consts::EXE_SUFFIX;
    let bin = scripts.join(format!("pre-commit{exe}"));
    if !bin.exists() {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(scripts.join(format!("pip{exe}")))
                .args(["install", "-q", "pre-commit"])
                .stdin(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        if !made {
            return None;
        }
    }
    Some(bin)
}

#[test]
fn history_counts_blobs_and_quiet_prints_nothing_when_clean() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("a");
    let out = repo.tw(&["history", "."]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("0 findings in 1 blob ("), "{text}");
    let out = repo.tw(&["history", "--quiet", "."]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    repo.write("b.sh", &header(&okta_token(16)));
    repo.commit_all("b");
    let out = repo.tw(&["history", "--quiet", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("okta-api-token"));
}

/// A file regenerated in commit after commit (a built bundle) carries the same secret in
/// every version: one finding, at the first commit, with the later ones listed.
#[test]
fn history_reports_a_secret_once_per_path() {
    let repo = Repo::new();
    let token = okta_token(15);
    let mut commits = Vec::new();
    for build in 0..4 {
        repo.write(
            "dist/app.js",
            &format!("// build {build}\nconst auth = 'SSWS {token}';\n"),
        );
        commits.push(repo.commit_all(&format!("build {build}")));
    }
    let (_, json) = repo.tw_json(&["history"]);
    let f = findings(&json);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["commit"], commits[0].as_str());
    assert_eq!(f[0]["reintroduced_in"], json!(commits[1..]));
    assert_eq!(f[0]["at_head"], true);
    let out = repo.tw(&["history"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("introduced again in 3 later commits"),
        "{text}"
    );
}

/// Progress goes to a terminal only: never into captured stderr, never with --quiet.
#[test]
fn history_progress_only_on_a_terminal() {
    let repo = Repo::new();
    for i in 0..3 {
        repo.write(&format!("f{i}.txt"), &format!("{i}\n"));
        repo.commit_all(&format!("c{i}"));
    }
    let out = repo.tw(&["history", "--format", "json", "."]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("scanning blobs"));
    // A pseudo-terminal through util-linux `script`, where it exists.
    // Its typescript and the report go to a scratch directory, not /dev/null: on a machine whose
    // /dev/null was already replaced by a regular file they would fill it with terminal bytes.
    let bin = env!("CARGO_BIN_EXE_tokenwarden");
    let scratch = tempfile::tempdir().unwrap();
    let (report, typescript) = (
        scratch.path().join("report"),
        scratch.path().join("typescript"),
    );
    let under_tty = |extra: &str| {
        Command::new("script")
            .args([
                "-qc".as_ref(),
                format!("{bin} history {extra} -o '{}' .", report.display()).as_ref(),
                typescript.as_os_str(),
            ])
            .current_dir(&repo.path)
            .stdin(std::process::Stdio::null())
            .output()
    };
    let Ok(shown) = under_tty("") else {
        eprintln!("no `script` here: the terminal case is not checked");
        return;
    };
    if !shown.status.success() && shown.stdout.is_empty() {
        eprintln!("`script` could not make a terminal: the terminal case is not checked");
        return;
    }
    assert!(
        String::from_utf8_lossy(&shown.stdout).contains("scanning blobs"),
        "{}",
        String::from_utf8_lossy(&shown.stdout)
    );
    let quiet = under_tty("--quiet").unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stdout).contains("scanning blobs"));
}
