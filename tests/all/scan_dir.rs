//! `tokenwarden scan` end to end: the real binary on temp directories.

use crate::common;

use std::fs;
use std::path::Path;

use common::{Repo, okta_token, scan_json, tokenwarden, url_secret};
use serde_json::Value;

struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new() -> Tree {
        Tree {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        let p = self.path().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
        self
    }

    /// `scan --format json ARGS .` → (exit code, report, stderr).
    /// `scan --format json ARGS .` → (exit code, report, stderr).
    fn scan(&self, args: &[&str]) -> (i32, Value, String) {
        common::scan_json(self.path(), args)
    }

    fn findings(&self, args: &[&str]) -> Vec<Value> {
        self.scan(args).1["findings"].as_array().unwrap().clone()
    }
}

fn one(findings: &[Value], path: &str) -> Value {
    let hits: Vec<&Value> = findings.iter().filter(|f| f["path"] == path).collect();
    assert_eq!(
        hits.len(),
        1,
        "expected one finding in {path}: {findings:#?}"
    );
    hits[0].clone()
}

// ---------------------------------------------------------------------------------------
// okta-api-token in the places real leaks happen

#[test]
fn okta_high_confidence_contexts() {
    let t = Tree::new();
    let k = |i: u64| okta_token(200 + i);
    t.write("client.py", format!("headers = {{'Authorization': 'SSWS {}', 'Accept': 'application/json'}}\n", k(1)))
        .write("client.js", format!("fetch(url, {{ headers: {{ Authorization: `SSWS {}` }} }});\n", k(2)))
        .write("client.go", format!("req.Header.Set(\"Authorization\", \"SSWS \"+\"{}\")\n", k(3)))
        .write("call.sh", format!("curl -s -H \"Authorization: SSWS {}\" \"$ORG/api/v1/users\"\n", k(4)))
        .write("request.http", format!("GET /api/v1/users HTTP/1.1\r\nHost: acme.okta.com\r\nAuthorization: SSWS {}\r\n\r\n", k(5)))
        .write(
            "cassettes/users.yaml",
            format!("- request:\n    body: \"{{\\\"headers\\\":{{\\\"Authorization\\\":\\\"SSWS {}\\\"}}}}\"\n", k(6)),
        )
        .write(
            "session.har",
            format!("{{\"log\":{{\"entries\":[{{\"request\":{{\"headers\":[{{\"name\":\"Authorization\",\"value\":\"SSWS {}\"}}]}}}}]}}}}\n", k(7)),
        )
        .write(".env", format!("OKTA_API_TOKEN={}\n", k(8)))
        .write(".github/workflows/ci.yml", format!("env:\n  OKTA_CLIENT_TOKEN: {}\n", k(9)))
        .write("src/main/resources/app.properties", format!("okta.client.token={}\n", k(10)))
        .write("config.js", format!("module.exports = {{ oktaApiToken: '{}' }};\n", k(11)))
        .write(".okta/okta.yaml", format!("okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    token: {}\n", k(12)))
        .write("infra/main.tf", format!("provider \"okta\" {{\n  org_name  = \"acme\"\n  api_token = \"{}\"\n}}\n", k(13)));
    let f = t.findings(&[]);
    assert_eq!(f.len(), 13, "{f:#?}");
    for x in &f {
        assert_eq!(x["rule_id"], "okta-api-token", "{x}");
        assert_eq!(x["confidence"], "high", "{x}");
    }
    let req = one(&f, "request.http");
    assert_eq!(
        (req["line"].as_u64(), req["column"].as_u64()),
        (Some(3), Some(21))
    );
}

#[test]
fn okta_medium_needs_an_okta_related_file_and_low_needs_the_flag() {
    let t = Tree::new();
    t.write("app/settings.py", format!("OKTA_ORG = 'https://acme-admin.okta.com'\ntoken = '{}'\n", okta_token(301)))
        .write("config/okta/settings.json", format!("{{\"apiToken\": \"{}\"}}\n", okta_token(302)))
        .write("examples/group/main.tf", format!("resource \"okta_group\" \"g\" {{}}\nlocals {{\n  token = \"{}\"\n}}\n", okta_token(303)))
        .write(
            "test/fixtures/vcr/app.json",
            format!(
                "{{\"body\":\"{{\\\"baseUrl\\\":\\\"https://integrator-1-admin.okta.com\\\",\\\"token\\\":\\\"{}\\\"}}\"}}\n",
                okta_token(304)
            ),
        )
        .write("plain/settings.py", format!("token = '{}'\n", okta_token(305)))
        .write("data.csv", format!("id,value\n1,{}\n", okta_token(306)));
    let f = t.findings(&[]);
    assert_eq!(f.len(), 4, "{f:#?}");
    assert!(f.iter().all(|x| x["confidence"] == "medium"));
    let low = t.findings(&["--min-confidence", "low"]);
    assert_eq!(low.len(), 6);
    assert_eq!(one(&low, "data.csv")["confidence"], "low");
    assert_eq!(t.findings(&["--min-confidence", "high"]).len(), 0);
}

#[test]
fn okta_placeholders_ids_and_lookalikes_are_never_reported() {
    let t = Tree::new();
    let real = okta_token(400);
    let body = [
        format!("Authorization: SSWS 00{}", "x".repeat(40)),
        format!("Authorization: SSWS 00{}", "X".repeat(40)),
        "Authorization: SSWS 00QCjAl4MlV-WPXM…".to_string(),
        format!("OKTA_API_TOKEN={}...", &real[..42]),
        "Authorization: SSWS ${OKTA_API_TOKEN}".to_string(),
        "Authorization: SSWS {{apiToken}}".to_string(),
        "OKTA_CLIENT_TOKEN=<your-okta-api-token>".to_string(),
        "user 00u1a2b3c4d5e6f7g8h9 group 00g9h8i7j6k5l4m3n2o1".to_string(),
        format!("sha256 00{}", "0123456789abcdef".repeat(4)),
        format!("OKTA_API_TOKEN=x{real}"),
        format!("OKTA_API_TOKEN={real}Z"),
        format!("key: MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA+{real}/q8rhYypfQJi94G5n"),
        format!(
            "OKTA_API_TOKEN=00{}",
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
        ),
    ]
    .join("\n");
    t.write("okta/docs.md", body);
    let (code, json, _) = t.scan(&["--min-confidence", "low"]);
    assert_eq!(json["findings"].as_array().unwrap().len(), 0, "{json:#}");
    assert_eq!(code, 0);
}

// ---------------------------------------------------------------------------------------
// URL rules

#[test]
fn url_query_secrets_userinfo_and_okta_tokens_in_urls() {
    let t = Tree::new();
    let s1 = url_secret(1);
    let s2 = url_secret(2);
    let s3 = url_secret(3);
    let tok = okta_token(500);
    t.write("access.log", format!("10.0.0.1 - - [01/Jan/2025] \"GET /export?fmt=csv&Access-Token={s1} HTTP/1.1\" 200\n"))
        .write("page.html", format!("<a href=\"https://files.acme.io/r?sv=1&amp;sig={}%2B{}%3D\">x</a>\n", &s2[..16], &s2[16..]))
        .write("deploy.sh", format!("git clone https://ci:{s3}@git.acme.io/team/repo.git\n"))
        .write("cb.log", format!("GET /callback?token={tok}&state=1 HTTP/1.1\n"))
        .write(
            "placeholders.md",
            "https://api.acme.io/x?api_key=YOUR_API_KEY\nhttps://api.acme.io/x?token={{token}}\nhttps://api.acme.io/x?key=${KEY}\npostgres://user:password@db.acme.io/app\n",
        );
    let f = t.findings(&[]);
    assert_eq!(f.len(), 4, "{f:#?}");
    assert_eq!(one(&f, "access.log")["rule_id"], "url-query-secret");
    let sig = one(&f, "page.html");
    assert_eq!(sig["rule_id"], "url-query-secret");
    assert_eq!(one(&f, "deploy.sh")["rule_id"], "url-userinfo-password");
    let cb = one(&f, "cb.log");
    assert_eq!(
        cb["rule_id"], "okta-api-token",
        "an Okta token in a query is an Okta finding"
    );
    assert_eq!(cb["confidence"], "medium");
}

// ---------------------------------------------------------------------------------------
// findings, locations, snippets, redaction

#[test]
fn findings_have_the_documented_fields_and_stable_fingerprints() {
    let t = Tree::new();
    let tok = okta_token(600);
    t.write("a/one.env", format!("OKTA_API_TOKEN={tok}\n"))
        .write("b/two.env", format!("\n\nOKTA_API_TOKEN={tok}\n"));
    let (code, json, _) = t.scan(&[]);
    assert_eq!(code, 1);
    assert!(json["version"].is_string());
    let f = json["findings"].as_array().unwrap();
    assert_eq!(f.len(), 2);
    for key in [
        "rule_id",
        "confidence",
        "path",
        "line",
        "column",
        "end_column",
        "secret",
        "fingerprint",
        "snippet",
    ] {
        assert!(!f[0][key].is_null(), "missing {key}");
    }
    assert_eq!(f[0]["path"], "a/one.env");
    assert_eq!(f[1]["path"], "b/two.env");
    assert_eq!(f[1]["line"], 3);
    assert_eq!(f[0]["column"], 16);
    assert_eq!(f[0]["end_column"], 58);
    assert_eq!(f[0]["secret"], format!("{}…", &tok[..4]));
    assert_eq!(f[0]["fingerprint"], f[1]["fingerprint"]);
    assert_eq!(json["stats"]["files_scanned"], 2);
    assert_eq!(json["stats"]["findings"], 2);
}

#[test]
fn line_endings_minified_lines_invalid_utf8_and_file_edges() {
    let t = Tree::new();
    let k = |i: u64| okta_token(700 + i);
    t.write("crlf.txt", format!("a\r\nb\r\nOKTA_API_TOKEN={}\r\n", k(1)))
        .write("cr.txt", format!("a\rb\rOKTA_API_TOKEN={}\r", k(2)))
        .write("start.txt", k(3))
        .write("min.js", {
            let mut s = "var a=1;".repeat(1250);
            s.push_str(&format!("h={{Authorization:\"SSWS {}\"}};", k(4)));
            s.push_str(&"b=2;".repeat(2500));
            s
        });
    let mut bad = b"garbage \xff\xfe \xc3\x28 OKTA_API_TOKEN=".to_vec();
    bad.extend(k(5).as_bytes());
    bad.extend(b" \xe2\x82 end");
    t.write("latin.txt", bad);
    let f = t.findings(&["--min-confidence", "low"]);
    assert_eq!(f.len(), 5, "{f:#?}");
    assert_eq!(one(&f, "crlf.txt")["line"], 3);
    assert_eq!(one(&f, "cr.txt")["line"], 3);
    let start = one(&f, "start.txt");
    assert_eq!(
        (start["line"].as_u64(), start["column"].as_u64()),
        (Some(1), Some(1))
    );
    let min = one(&f, "min.js");
    assert_eq!(min["confidence"], "high");
    let snippet = min["snippet"].as_str().unwrap();
    assert!(
        snippet.chars().count() < 300 && snippet.starts_with('…') && snippet.ends_with('…'),
        "{snippet}"
    );
    assert!(min["column"].as_u64().unwrap() > 10_000);
    assert_eq!(one(&f, "latin.txt")["confidence"], "high");
}

#[test]
fn redaction_everywhere_unless_no_redact() {
    let t = Tree::new();
    let a = okta_token(800);
    let b = okta_token(801);
    let s = url_secret(802);
    t.write(
        "two.sh",
        format!("OKTA_API_TOKEN={a} OTHER={b} https://x.acme.io/?api_key={s}\n"),
    );
    for format in ["text", "json", "sarif"] {
        let out = tokenwarden(
            t.path(),
            &[
                "scan",
                "--format",
                format,
                "--min-confidence",
                "low",
                "--verbose",
                ".",
            ],
        );
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(1));
        for secret in [&a, &b, &s] {
            assert!(
                !all.contains(secret.as_str()),
                "{format} output leaks a secret:\n{all}"
            );
        }
    }
    // Both tokens on the line are redacted in each snippet, including the low one.
    let f = t.findings(&[]);
    assert!(
        f.iter()
            .all(|x| !x["snippet"].as_str().unwrap().contains(&b[4..]))
    );
    let out = tokenwarden(
        t.path(),
        &["scan", "--no-redact", "--min-confidence", "low", "."],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&a) && text.contains(&b) && text.contains(&s));
}

#[test]
fn output_file_and_text_summary() {
    let t = Tree::new();
    t.write("a.env", format!("OKTA_API_TOKEN={}\n", okta_token(900)));
    let out = tokenwarden(t.path(), &["scan", "--no-color", "."]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("a.env:1:16: okta-api-token [high]"), "{text}");
    assert!(text.contains("1 finding (1 high) in 1 file"), "{text}");
    assert!(!text.contains('\x1b'), "no color when not a terminal");
    let report = t.path().join("out.json");
    let out = tokenwarden(
        t.path(),
        &[
            "scan",
            "--format",
            "json",
            "-o",
            report.to_str().unwrap(),
            "a.env",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 finding"));
    let json: Value = serde_json::from_slice(&fs::read(report).unwrap()).unwrap();
    assert_eq!(json["findings"][0]["path"], "a.env");
}

// ---------------------------------------------------------------------------------------
// what is scanned and what is skipped

#[test]
fn ignore_files_hidden_files_git_dir_binary_and_size_limits() {
    let t = Tree::new();
    let line = |i: u64| format!("OKTA_API_TOKEN={}\n", okta_token(1000 + i));
    t.write(".gitignore", "ignored/\n")
        .write("ignored/a.env", line(1))
        .write(".npmrc", line(2))
        .write(".git/config", line(3))
        .write("big.env", format!("{}{}", line(4), "#".repeat(4096)))
        .write("bin.dat", [b"\0\0".to_vec(), line(5).into_bytes()].concat());
    let (code, json, _) = t.scan(&["--max-file-size", "2K"]);
    assert_eq!(code, 1);
    let f = json["findings"].as_array().unwrap();
    let paths: Vec<&str> = f.iter().map(|x| x["path"].as_str().unwrap()).collect();
    // The binary file is skipped by the full rules, yet its okta-named token is found by
    // the strict pass.
    assert_eq!(paths, [".npmrc", "bin.dat"], "{f:#?}");
    let by = &json["stats"]["skipped_by_reason"];
    assert_eq!(
        (by["binary"].as_u64(), by["too_large"].as_u64()),
        (Some(1), Some(1))
    );
    let f = t.findings(&["--no-ignore"]);
    let paths: Vec<&str> = f.iter().map(|x| x["path"].as_str().unwrap()).collect();
    assert!(
        paths.contains(&"ignored/a.env") && paths.contains(&"big.env"),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p.starts_with(".git/")),
        ".git is never scanned"
    );
    // --verbose lists skipped files in text output.
    let out = tokenwarden(
        t.path(),
        &["scan", "--verbose", "--max-file-size", "2K", "."],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("skipped bin.dat: binary") && text.contains("skipped big.env:"),
        "{text}"
    );
}

/// Outside a git repository a `.gitignore` means nothing to git: an unpacked archive or an
/// export ships the files it names, so they are scanned. `.ignore` files still apply.
#[test]
fn outside_a_git_repository_gitignore_hides_nothing() {
    let t = Tree::new();
    let line = |i: u64| format!("OKTA_API_TOKEN={}\n", okta_token(2000 + i));
    t.write(".gitignore", "prod.env\n")
        .write("prod.env", line(1))
        .write(".ignore", "vendor/\n")
        .write("vendor/x.env", line(2));
    let f = t.findings(&[]);
    let paths: Vec<&str> = f.iter().map(|x| x["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["prod.env"], "{f:#?}");
}

/// Ignore files come with the scanned tree: a pull request that force-adds `prod.env` and
/// lists it in `.gitignore` must not hide it from `scan`. Untracked ignored files stay
/// skipped, in the root and from a subdirectory.
#[test]
fn tracked_files_are_scanned_whatever_ignore_files_say() {
    let repo = Repo::new();
    let line = |i: u64| format!("OKTA_API_TOKEN={}\n", okta_token(3000 + i));
    repo.write(".gitignore", "*.env\n");
    repo.write("app/.ignore", "vendored/\n");
    repo.write("app/prod.env", &line(1));
    repo.write("app/vendored/keys.txt", &line(2));
    repo.git(&["add", ".gitignore", "app/.ignore"]);
    repo.git(&["add", "-f", "app/prod.env", "app/vendored/keys.txt"]);
    repo.commit_all("config");
    repo.write("app/local.env", &line(3));
    let paths = |dir: &Path| {
        let (_, json, _) = scan_json(dir, &[]);
        let mut p: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        p.sort();
        p
    };
    assert_eq!(paths(&repo.path), ["app/prod.env", "app/vendored/keys.txt"]);
    assert_eq!(
        paths(&repo.path.join("app")),
        ["prod.env", "vendored/keys.txt"]
    );
}

#[cfg(unix)]
#[test]
fn symlinks_and_fifos_are_skipped_without_hanging() {
    let t = Tree::new();
    t.write("real.env", format!("OKTA_API_TOKEN={}\n", okta_token(1100)));
    std::os::unix::fs::symlink("real.env", t.path().join("link.env")).unwrap();
    std::os::unix::fs::symlink("missing", t.path().join("broken")).unwrap();
    let st = std::process::Command::new("mkfifo")
        .arg(t.path().join("pipe"))
        .status()
        .unwrap();
    assert!(st.success());
    let (code, json, _) = t.scan(&[]);
    assert_eq!(code, 1);
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);
    let by = &json["stats"]["skipped_by_reason"];
    assert_eq!(by["symlink"], 2);
    assert_eq!(by["not_regular_file"], 1);
}

#[test]
fn stdin_is_scanned_as_stdin() {
    let t = Tree::new();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tokenwarden"))
        .args(["scan", "--format", "json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .current_dir(t.path())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("Authorization: SSWS {}\n", okta_token(1200)).as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"][0]["path"], "<stdin>");
}

#[test]
fn config_allow_paths_and_unknown_keys() {
    let t = Tree::new();
    t.write(
        "fixtures/a.env",
        format!("OKTA_API_TOKEN={}\n", okta_token(1300)),
    )
    .write(
        "src/b.env",
        format!("OKTA_API_TOKEN={}\n", okta_token(1301)),
    )
    .write(".tokenwarden.toml", "[allow]\npaths = [\"fixtures/\"]\n");
    let (code, json, _) = t.scan(&[]);
    assert_eq!(code, 1);
    let f = json["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["path"], "src/b.env");
    assert_eq!(json["stats"]["skipped_by_reason"]["allowed_by_config"], 1);

    t.write(".tokenwarden.toml", "[allow]\npaths = []\nexclude = 1\n");
    let out = tokenwarden(t.path(), &["scan", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(".tokenwarden.toml:3") && err.contains("exclude"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one-line error: {err}");
}

#[test]
fn errors_exit_two_with_one_line_and_no_panic() {
    let t = Tree::new();
    let cases: Vec<Vec<&str>> = vec![
        vec!["scan", "does-not-exist"],
        vec!["scan", "--format", "xml", "."],
        vec!["scan", "--max-file-size", "lots", "."],
        vec!["scan", "--threads", "0", "."],
        vec!["scan", "--rules", "no-such-dir", "."],
        vec!["frobnicate"],
    ];
    for args in cases {
        let out = tokenwarden(t.path(), &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.is_empty(),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn threads_do_not_change_results() {
    let t = Tree::new();
    for i in 0..40 {
        t.write(
            &format!("d{}/f{i}.env", i % 7),
            format!("x\nOKTA_API_TOKEN={}\n", okta_token(1400 + i)),
        );
    }
    let a = t.scan(&["--threads", "1"]).1["findings"].clone();
    let b = t.scan(&[]).1["findings"].clone();
    assert_eq!(a.as_array().unwrap().len(), 40);
    assert_eq!(a, b);
}

// ---------------------------------------------------------------------------------------
// rules

#[test]
fn rules_list_and_user_rule_checks() {
    let t = Tree::new();
    let out = tokenwarden(t.path(), &["rules", "list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for id in [
        "okta-api-token",
        "url-query-secret",
        "url-userinfo-password",
    ] {
        assert!(text.contains(id));
    }
    let rule = |examples: &str| {
        format!(
            "id = \"acme-key\"\nname = \"Acme key\"\ndescription = \"d\"\nseverity = \"warning\"\nsecurity_severity = 5.0\n\
             keywords = [\"acme_\"]\nregex = '''(?-u)(?P<secret>acme_[a-z0-9]{{16}})'''\nremediation = \"rotate\"\n{examples}"
        )
    };
    t.write("good/acme.toml", rule("[[examples]]\ntext = \"k = acme_q1w2e3r4t5y6u7i8\"\nsecret = \"acme_q1w2e3r4t5y6u7i8\"\n"));
    t.write(
        "bad/acme.toml",
        rule("[[examples]]\ntext = \"k = acme_short\"\nsecret = \"acme_short\"\n"),
    );
    t.write("broken/acme.toml", "id = \"x\"\nregex = '(unclosed'\n");
    // A gate the regex does not need would hide matches until the regex is first built.
    t.write(
        "loose-gate/acme.toml",
        rule("gate = { contains = \"acme_key\" }\n[[examples]]\ntext = \"k = acme_q1w2e3r4t5y6u7i8\"\nsecret = \"acme_q1w2e3r4t5y6u7i8\"\n"),
    );
    assert_eq!(
        tokenwarden(t.path(), &["rules", "check", "good"])
            .status
            .code(),
        Some(0)
    );
    let bad = tokenwarden(t.path(), &["rules", "check", "bad"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("FAIL acme-key"));
    let loose = tokenwarden(t.path(), &["rules", "check", "loose-gate"]);
    assert_eq!(loose.status.code(), Some(1));
    let loose = String::from_utf8_lossy(&loose.stdout);
    assert!(
        loose.contains("gate `contains \"acme_key\"` does not admit"),
        "{loose}"
    );
    assert_eq!(
        tokenwarden(t.path(), &["rules", "check", "broken"])
            .status
            .code(),
        Some(2)
    );
    // `rules list --verbose` is for a terminal: Markdown emphasis and links are rendered.
    let listed = tokenwarden(t.path(), &["rules", "list", "--verbose", "okta-api-token"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("Revoke it now."), "{listed}");
    assert!(!listed.contains("**") && !listed.contains("]("), "{listed}");
    // This repository's own rule files: they replace the built-in copies being checked.
    let own = tokenwarden(
        t.path(),
        &[
            "rules",
            "check",
            concat!(env!("CARGO_MANIFEST_DIR"), "/rules"),
        ],
    );
    let text = String::from_utf8_lossy(&own.stdout);
    assert_eq!(own.status.code(), Some(0), "{text}");
    assert!(text.starts_with("8 rules, "), "{text}");
    // A user rule is used by scans.
    t.write("src/k.txt", "k = acme_q1w2e3r4t5y6u7i8\n");
    let out = tokenwarden(
        t.path(),
        &["scan", "--rules", "good", "--format", "json", "src"],
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"][0]["rule_id"], "acme-key");
}

#[test]
fn this_repository_scans_clean() {
    let root = env!("CARGO_MANIFEST_DIR");
    // Stricter than the default: not even a low-confidence token shape outside rules/.
    let out = tokenwarden(
        Path::new(root),
        &["scan", "--format", "json", "--min-confidence", "low", "."],
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{:#}", json["findings"]);
}

/// Completions for every shell, and a manual page, generated from the command line itself.
// Unix only: loads the completion script into bash.
#[cfg(unix)]
#[test]
fn completions_and_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = tokenwarden(dir.path(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("history") && text.contains("okta-org"),
            "{shell}"
        );
    }
    // bash really loads it.
    let script = dir.path().join("tw.bash");
    fs::write(
        &script,
        tokenwarden(dir.path(), &["completions", "bash"]).stdout,
    )
    .unwrap();
    let loaded = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p tokenwarden",
            script.display()
        ))
        .output()
        .unwrap();
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    let man = tokenwarden(dir.path(), &["man"]);
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(
        page.contains(".TH tokenwarden 1") && page.contains("SSWS"),
        "{page}"
    );
    let bad = tokenwarden(dir.path(), &["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// GitLab's secret detection report: valid against GitLab's published schema (vendored from
/// GitLab's own copy, tests/fixtures/gitlab/README.md), with the fields GitLab reads, for
/// directory and history findings, redacted.
#[test]
fn gitlab_report_has_what_gitlab_reads() {
    let repo = crate::common::Repo::new();
    let token = okta_token(9400);
    repo.write(
        "deploy/call.sh",
        &format!("curl -H 'Authorization: SSWS {token}' https://acme.okta.com\n"),
    );
    let commit = repo.commit_all("add deploy script");
    let time = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$").unwrap();
    for args in [
        vec!["scan", "--format", "gitlab", "."],
        vec!["history", "--format", "gitlab", "."],
    ] {
        let out = repo.tw(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains(&token), "{text}");
        let doc: Value = serde_json::from_str(&text).unwrap();
        let errors = crate::schema::errors(&gitlab_schema(), &doc);
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        assert_eq!(doc["version"], gitlab_schema()["self"]["version"]);
        assert_eq!(doc["scan"]["type"], "secret_detection");
        assert_eq!(doc["scan"]["status"], "success");
        for key in ["start_time", "end_time"] {
            assert!(
                time.is_match(doc["scan"][key].as_str().unwrap()),
                "{key}: {doc:#}"
            );
        }
        for key in ["analyzer", "scanner"] {
            assert_eq!(doc["scan"][key]["id"], "tokenwarden");
            assert!(doc["scan"][key]["vendor"]["name"].is_string());
        }
        let v = &doc["vulnerabilities"][0];
        assert_eq!(v["severity"], "Critical");
        assert_eq!(v["location"]["file"], "deploy/call.sh");
        assert_eq!(v["location"]["start_line"], 1);
        assert!(v["id"].as_str().unwrap().len() >= 16);
        assert_eq!(v["identifiers"][0]["value"], "okta-api-token");
        let sha = v["location"]["commit"]["sha"].as_str().unwrap();
        if args[0] == "history" {
            assert_eq!(sha, commit);
        } else {
            assert_eq!(sha, "0000000");
        }
        // The schema check has teeth: a report missing what GitLab needs fails it.
        let mut broken = doc.clone();
        broken["vulnerabilities"][0]
            .as_object_mut()
            .unwrap()
            .remove("identifiers");
        broken["scan"]["type"] = "sast".into();
        assert_eq!(
            crate::schema::errors(&gitlab_schema(), &broken).len(),
            2,
            "{args:?}"
        );
    }
    // A clean scan is a valid report too.
    let clean = crate::common::Repo::new();
    clean.write("README.md", "nothing here\n");
    let out = clean.tw(&["scan", "--format", "gitlab", "."]);
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(crate::schema::errors(&gitlab_schema(), &doc).is_empty());
    assert_eq!(doc["vulnerabilities"], serde_json::json!([]));
}

fn gitlab_schema() -> Value {
    let text = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/gitlab/secret-detection-report-format-15.2.1.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Colour on a terminal only, and off for a non-empty `NO_COLOR` or `TERM=dumb`: an empty
/// `NO_COLOR` is unset (no-color.org). A pseudo-terminal through util-linux `script`.
#[test]
fn color_follows_the_terminal_no_color_and_term() {
    let t = Tree::new();
    t.write("a.env", format!("OKTA_API_TOKEN={}\n", okta_token(901)));
    let bin = env!("CARGO_BIN_EXE_tokenwarden");
    // The typescript goes to a scratch file outside the scanned tree, not /dev/null (see
    // git_sources' terminal test).
    let scratch = tempfile::tempdir().unwrap();
    let typescript = scratch.path().join("typescript");
    let under_tty = |env: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new("script");
        cmd.args([
            "-qc".as_ref(),
            format!("{bin} scan .").as_ref(),
            typescript.as_os_str(),
        ])
        .current_dir(t.path())
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output()
    };
    let Ok(plain) = under_tty(&[]) else {
        eprintln!("no `script` here: the terminal case is not checked");
        return;
    };
    let colored =
        |out: &std::process::Output| String::from_utf8_lossy(&out.stdout).contains('\x1b');
    if !plain.status.success() && plain.stdout.is_empty() {
        eprintln!("`script` could not make a terminal: the terminal case is not checked");
        return;
    }
    assert!(
        colored(&plain),
        "{}",
        String::from_utf8_lossy(&plain.stdout)
    );
    assert!(
        colored(&under_tty(&[("NO_COLOR", "")]).unwrap()),
        "empty NO_COLOR"
    );
    assert!(!colored(&under_tty(&[("NO_COLOR", "1")]).unwrap()));
    assert!(!colored(&under_tty(&[("TERM", "dumb")]).unwrap()));
}
