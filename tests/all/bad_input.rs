//! Unattended runs meet every kind of input. Each case: no panic, no hang, a clear reason
//! for anything skipped, and the rest still scanned.

use crate::common;

use std::fs;
use std::path::Path;

use common::{Repo, findings, header, okta_token, png_like, tokenwarden};
use serde_json::Value;
use tokenwarden::engine::{Engine, ScanPolicy};
use tokenwarden::matcher::Matcher;
use tokenwarden::outcome::SkipReason;
use tokenwarden::pipeline::{BlobScanner, Windows};
use tokenwarden::rules::RuleSet;
use tokenwarden::source::{Blob, Data, Origin, ScannedBlob, Scanner};

fn scan(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["--min-confidence", "low"];
    args.extend(extra);
    common::scan_json(dir, &args)
}

#[test]
fn utf16_with_bom_is_decoded_with_correct_lines() {
    let dir = tempfile::tempdir().unwrap();
    let t = okta_token(8000);
    let text = format!("first\r\nsecond\r\nAuthorization: SSWS {t}\r\n");
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    fs::write(dir.path().join("le.txt"), le).unwrap();
    fs::write(dir.path().join("be.txt"), be).unwrap();
    let (code, json, _) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    let f = findings(&json);
    assert_eq!(f.len(), 2, "{json:#}");
    for x in &f {
        assert_eq!(
            (x["line"].as_u64(), x["column"].as_u64()),
            (Some(3), Some(21)),
            "{x}"
        );
        assert_eq!(x["confidence"], "high");
    }
}

/// Streams are scanned in windows; the windowing is tested with windows a few KiB wide, so
/// that a few hundred KiB of input crosses dozens of edges (the default is 16 MiB).
const SMALL: Windows = Windows {
    window: 64 << 10,
    defer: 8 << 10,
    context: 1 << 10,
};

fn scan_stream(path: &str, text: &[u8], limit: u64) -> Result<ScannedBlob, SkipReason> {
    let engine = Engine::new(
        Matcher::new(RuleSet::load(&[] as &[&std::path::Path]).unwrap()),
        true,
        false,
    );
    let policy = ScanPolicy::default();
    let scanner = BlobScanner::new(&engine, &policy, limit, SMALL);
    let mut input = std::io::Cursor::new(text);
    scanner.scan(Blob::new(path, Origin::File, Data::Stream(&mut input)))
}

#[test]
fn large_file_is_scanned_in_windows_without_missing_boundary_tokens() {
    // 640 KiB of 64-byte lines with a token every ~1.5 KiB: tokens land at every offset
    // relative to the 64 KiB windows, some across a window edge.
    let filler = format!("{}\n", "x".repeat(63));
    let mut text = String::new();
    let mut expected = Vec::new();
    let mut line = 1usize;
    let mut i = 0u64;
    while text.len() < 640 << 10 {
        if line.is_multiple_of(23) {
            let t = okta_token(9000 + i);
            i += 1;
            text.push_str(&format!("key=value Authorization: SSWS {t}\n"));
            expected.push((line, t));
        } else {
            text.push_str(&filler);
        }
        line += 1;
    }
    // And one at the very end, without a trailing newline.
    let last = okta_token(8999);
    text.push_str(&format!("SSWS {last}"));
    expected.push((line, last));

    let scanned = scan_stream("big.log", text.as_bytes(), 1 << 30).unwrap();
    assert_eq!(
        scanned.findings.len(),
        expected.len(),
        "every token exactly once"
    );
    for (x, (line, t)) in scanned.findings.iter().zip(&expected) {
        assert_eq!(x.line, *line);
        assert_eq!(x.secret, format!("{}…", &t[..4]));
    }
    assert_eq!(scanned.bytes, text.len() as u64);
    // Over the limit once read: a skip with the size, not a partial scan.
    let err = scan_stream("big.log", text.as_bytes(), 300 << 10).unwrap_err();
    assert!(matches!(err, SkipReason::TooLarge { .. }), "{err}");
}

#[test]
fn one_long_line_keeps_columns_across_windows() {
    let t = okta_token(8100);
    let prefix = "é".repeat(100 << 10); // 200 KiB of 2-byte characters: past three windows
    let body = format!("{prefix}Authorization: SSWS {t} and more");
    let scanned = scan_stream("one-line.js", body.as_bytes(), 1 << 30).unwrap();
    let f = &scanned.findings;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].line, 1);
    assert_eq!(f[0].column, (100 << 10) + 21);
    assert!(f[0].snippet.chars().count() < 300);
}

/// The same through the binary, once, with a file just over one default window.
#[test]
fn a_file_over_one_default_window_is_scanned_whole() {
    let dir = tempfile::tempdir().unwrap();
    let t = okta_token(8101);
    let mut body = "x".repeat((16 << 20) + 100);
    body.push_str(&format!("\nAuthorization: SSWS {t}\n"));
    fs::write(dir.path().join("big.txt"), &body).unwrap();
    let (code, json, _) = scan(dir.path(), &["--max-file-size", "100M"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json)[0]["line"], 2);
}

#[test]
fn odd_files_nul_bytes_empty_files_deep_trees_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let t = |i: u64| okta_token(8200 + i);
    // A NUL after the first 8 KiB is text with a NUL in it, not a binary file.
    let mut nul = vec![b'a'; 9000];
    nul.push(0);
    nul.extend(format!("\nOKTA_API_TOKEN={}\n", t(1)).as_bytes());
    fs::write(dir.path().join("has-nul.txt"), nul).unwrap();
    fs::write(dir.path().join("empty.txt"), "").unwrap();
    let mut deep = dir.path().to_path_buf();
    for i in 0..120 {
        deep.push(format!("d{i}"));
    }
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("deep.env"), format!("OKTA_API_TOKEN={}\n", t(2))).unwrap();
    // A name that is not UTF-8: Linux file systems take it, APFS (macOS) and NTFS do not.
    #[cfg(unix)]
    let odd_name = {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.env");
        std::os::unix::fs::symlink("loop-b", dir.path().join("loop-a")).unwrap();
        std::os::unix::fs::symlink("loop-a", dir.path().join("loop-b")).unwrap();
        fs::write(dir.path().join(name), format!("OKTA_API_TOKEN={}\n", t(3))).is_ok()
    };
    #[cfg(not(unix))]
    let odd_name = false;
    let (code, json, _) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    let paths: Vec<String> = findings(&json)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert!(paths.contains(&"has-nul.txt".to_string()), "{paths:?}");
    assert!(
        paths.iter().any(|p| p.ends_with("d119/deep.env")),
        "{paths:?}"
    );
    if odd_name {
        assert!(
            paths.contains(&"caf\\xE9.env".to_string()),
            "non-UTF-8 name reported losslessly: {paths:?}"
        );
    }
    #[cfg(unix)]
    assert_eq!(json["stats"]["skipped_by_reason"]["symlink"], 2);
    assert_eq!(
        json["stats"]["files_scanned"].as_u64().unwrap(),
        3 + u64::from(odd_name)
    );
}

/// Issue #21, item 10: one NUL byte in the first 8 KiB made a text file "binary" and hid
/// its token. Files that look binary get the strict pass (rules with `scan_binary`,
/// high-confidence findings only) and are still listed as binary skips.
#[test]
fn a_nul_byte_cannot_hide_a_token_and_binaries_stay_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = b"session start\0\n".to_vec();
    log.extend("GET /api/v1/users 200\n".repeat(2000).as_bytes());
    log.extend(header(&okta_token(8300)).as_bytes());
    fs::write(dir.path().join("capture.log"), &log).unwrap();
    let bare = [b"\0\x01\x02 ", okta_token(8301).as_bytes(), b" \0\n"].concat();
    fs::write(dir.path().join("blob.bin"), bare).unwrap();
    fs::write(dir.path().join("image.png"), png_like(8302)).unwrap();

    // `scan` asks for every confidence: binaries still report only high ones.
    let (code, json, _) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    let f = findings(&json);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (&f[0]["path"], &f[0]["line"], &f[0]["confidence"]),
        (&"capture.log".into(), &2002.into(), &"high".into())
    );
    let stats = &json["stats"];
    assert_eq!(stats["skipped_by_reason"]["binary"], 3, "{stats:#}");
    assert_eq!(stats["binary_strict_scanned"], 3, "{stats:#}");
    assert_eq!(
        stats["files_scanned"], 0,
        "the full rules ran on none of them"
    );
    let listed = stats["skipped_files"].as_array().unwrap();
    assert!(
        listed.iter().any(|s| s["path"] == "capture.log"
            && s["reason"] == "binary"
            && s["detail"]
                .as_str()
                .unwrap()
                .contains("high-confidence tokens only")),
        "{listed:#?}"
    );
}

/// A binary stream longer than a window is scanned strictly in every window, with the
/// line numbers of text.
#[test]
fn binary_streams_get_the_strict_pass_in_every_window() {
    let one_line = |b: u8| if b == b'\n' || b == b'\r' { b' ' } else { b };
    let mut data = b"\0\0".to_vec();
    data.extend(png_like(8310).into_iter().map(one_line));
    data.extend(png_like(8311).into_iter().map(one_line));
    data.extend(format!("\n\nAuthorization: SSWS {}\n", okta_token(8312)).as_bytes());
    assert!(data.len() > SMALL.window * 2);
    let scanned = scan_stream("dump.bin", &data, 1 << 30).unwrap();
    assert!(scanned.binary);
    assert_eq!(scanned.findings.len(), 1, "{:#?}", scanned.findings);
    assert_eq!(scanned.findings[0].line, 3);
}

#[test]
fn hostile_rules_and_configs_fail_with_file_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let rule = |regex: &str| {
        format!(
            "id = \"huge\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"note\"\nsecurity_severity = 1.0\n\
             regex = '''{regex}'''\nremediation = \"r\"\n"
        )
    };
    fs::create_dir_all(dir.path().join("huge")).unwrap();
    fs::write(
        dir.path().join("huge/r.toml"),
        rule("(?P<secret>(?:a{1000}){1000})"),
    )
    .unwrap();
    let out = tokenwarden(dir.path(), &["scan", "--rules", "huge", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("r.toml") && err.contains("too large"), "{err}");

    fs::create_dir_all(dir.path().join("nosecret")).unwrap();
    fs::write(dir.path().join("nosecret/r.toml"), rule("abc")).unwrap();
    let out = tokenwarden(dir.path(), &["scan", "--rules", "nosecret", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("named group `secret`"));

    fs::create_dir_all(dir.path().join("badtoml")).unwrap();
    fs::write(
        dir.path().join("badtoml/r.toml"),
        "id = \"x\"\nname = [unclosed\n",
    )
    .unwrap();
    let out = tokenwarden(dir.path(), &["scan", "--rules", "badtoml", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("r.toml:2:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn git_bare_detached_and_huge_tree() {
    let repo = Repo::new();
    for i in 0..3000 {
        repo.write(&format!("many/f{i}.txt"), &format!("file {i}\n"));
    }
    repo.write("many/leak.sh", &header(&okta_token(8300)));
    let first = repo.commit_all("huge tree");
    repo.write("b.txt", "b\n");
    repo.commit_all("second");
    repo.git(&["checkout", "-q", "--detach", &first]);
    let (code, json) = repo.tw_json(&["history"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json).len(), 1);

    let bare = repo.path.parent().unwrap().join("bare.git");
    let st = std::process::Command::new("git")
        .args([
            "clone",
            "-q",
            "--bare",
            repo.path.to_str().unwrap(),
            bare.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(st.success());
    let out = tokenwarden(&bare, &["history", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // staged has nothing to do in a bare repository, and says so without failing.
    let out = tokenwarden(&bare, &["staged"]);
    assert!(
        matches!(out.status.code(), Some(0 | 2)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn truncated_packfile_is_an_error_or_a_skip_never_a_panic() {
    let repo = Repo::new();
    repo.write("a.sh", &header(&okta_token(8400)));
    repo.write("b.txt", &"filler line\n".repeat(2000));
    repo.commit_all("one");
    repo.pack_all();
    let pack_dir = repo.path.join(".git/objects/pack");
    let pack = fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "pack"))
        .unwrap();
    let len = fs::metadata(&pack).unwrap().len();
    let mut perms = fs::metadata(&pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(&pack, perms).unwrap();
    fs::OpenOptions::new()
        .write(true)
        .open(&pack)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let out = repo.tw(&["history", "--format", "json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(matches!(out.status.code(), Some(0..=2)), "{err}");
    if out.status.code() == Some(2) {
        assert!(!err.trim().is_empty());
    } else {
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            json["stats"]["skipped"].as_u64().unwrap() > 0,
            "damage is reported: {json:#}"
        );
    }
}

#[cfg(unix)]
#[test]
fn sockets_and_links_outside_the_root_are_skipped_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    fs::create_dir(&root).unwrap();
    fs::write(
        dir.path().join("outside.env"),
        format!("OKTA_API_TOKEN={}\n", okta_token(8500)),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path().join("outside.env"), root.join("link.env")).unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(root.join("app.sock")).unwrap();
    let (code, json, _) = scan(&root, &[]);
    assert_eq!(
        code, 0,
        "the link to a secret outside the root is not followed"
    );
    let by = &json["stats"]["skipped_by_reason"];
    assert_eq!(
        (by["symlink"].as_u64(), by["not_regular_file"].as_u64()),
        (Some(1), Some(1))
    );
    let details: Vec<&str> = json["stats"]["skipped_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["detail"].as_str().unwrap())
        .collect();
    assert!(details.iter().any(|d| d.contains("socket")), "{details:?}");
}

#[test]
fn submodules_are_not_entered_and_say_so() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    let sub_commit = repo.commit_all("a");
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{sub_commit},vendor/lib"),
    ]);
    repo.git(&["commit", "-q", "-m", "add a submodule entry"]);
    let (code, json) = repo.tw_json(&["history"]);
    assert_eq!(code, 0);
    let skipped = json["stats"]["skipped_files"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["path"] == "vendor/lib" && s["reason"] == "submodule"),
        "{skipped:#?}"
    );
}

/// Root reads everything, so as root the scan runs as `nobody` (setpriv) to meet real
/// permission errors.
#[cfg(unix)]
#[test]
fn unreadable_files_and_directories_are_skipped_with_a_reason() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let mode = |p: &Path, m: u32| fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
    mode(dir.path(), 0o755);
    let root = dir.path().join("root");
    fs::create_dir(&root).unwrap();
    mode(&root, 0o755);
    let env = |seed| format!("OKTA_API_TOKEN={}\n", okta_token(seed));
    fs::write(root.join("ok.env"), env(8600)).unwrap();
    fs::write(root.join("secret.env"), env(8601)).unwrap();
    fs::create_dir(root.join("locked")).unwrap();
    fs::write(root.join("locked/inner.env"), env(8602)).unwrap();
    mode(&root.join("ok.env"), 0o644);
    mode(&root.join("secret.env"), 0o000);
    mode(&root.join("locked"), 0o000);

    // A copy of the binary where `nobody` can reach it, whatever the clone's permissions.
    let bin = dir.path().join("tokenwarden");
    fs::copy(env!("CARGO_BIN_EXE_tokenwarden"), &bin).unwrap();
    mode(&bin, 0o755);
    let args = ["scan", "--format", "json", "--min-confidence", "low", "."];
    let mut cmd = if fs::metadata(&root).unwrap().uid() == 0 {
        if Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("skipped: running as root and setpriv is not installed");
            return;
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    let out = cmd.args(args).current_dir(&root).output().unwrap();
    mode(&root.join("locked"), 0o755); // let the temp dir be removed
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<String> = findings(&json)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, ["ok.env"], "the readable file is still scanned");
    assert_eq!(
        json["stats"]["skipped_by_reason"]["unreadable"], 2,
        "{json:#}"
    );
    let skipped: Vec<String> = json["stats"]["skipped_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {}", s["path"], s["detail"]))
        .collect();
    for name in ["secret.env", "locked"] {
        assert!(
            skipped
                .iter()
                .any(|s| s.contains(name) && s.contains("permission denied")),
            "{name}: {skipped:?}"
        );
    }
}

#[test]
fn tokens_at_the_very_start_and_end_of_a_file_without_a_newline() {
    let dir = tempfile::tempdir().unwrap();
    let t = |i: u64| okta_token(8700 + i);
    fs::write(
        dir.path().join("start.txt"),
        format!("{}\nnext line\n", t(1)),
    )
    .unwrap();
    fs::write(
        dir.path().join("end.txt"),
        format!("first\r\nAuthorization: SSWS {}", t(2)),
    )
    .unwrap();
    fs::write(dir.path().join("only.txt"), t(3)).unwrap();
    let (code, json, _) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    let mut got: Vec<(String, u64, u64)> = findings(&json)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("end.txt".to_string(), 2, 21),
            ("only.txt".to_string(), 1, 1),
            ("start.txt".to_string(), 1, 1),
        ]
    );
}

#[test]
fn command_line_nonsense_is_exit_2_with_a_message_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--bogus"], "unexpected argument"),
        (&["frobnicate"], "unrecognized subcommand"),
        (&["scan", "--format", "xml", "."], "possible values"),
        (&["scan", "--threads", "abc", "."], "--threads"),
        (
            &["scan", "--max-file-size", "12Q", "."],
            "unknown size unit",
        ),
        (
            &["scan", "--min-confidence", "extreme", "."],
            "possible values",
        ),
        (&["scan", "does-not-exist"], "no such file or directory"),
        (
            &["history", "--range", "main", "."],
            "not in a git repository",
        ),
        (&["staged"], "not in a git repository"),
    ];
    for (args, expected) in cases {
        let out = tokenwarden(dir.path(), args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// PowerShell and .NET tools write UTF-16 without a byte-order mark: recognised by its NUL
/// pattern, decoded, and reported at the right line.
#[test]
fn utf16_without_bom_is_decoded_too() {
    let dir = tempfile::tempdir().unwrap();
    let t = okta_token(8200);
    let text = format!("# config\r\n$env:OKTA_API_TOKEN = \"{t}\"\r\n");
    let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    fs::write(dir.path().join("le.ps1"), le).unwrap();
    fs::write(dir.path().join("be.ps1"), be).unwrap();
    let (code, json, _) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    let f = findings(&json);
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(
        f.iter()
            .all(|x| x["line"] == 2 && x["confidence"] == "high")
    );
}
