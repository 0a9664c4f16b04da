//! Shared by the integration tests. Secrets are generated at run time, never written in
//! the source, so that `tokenwarden scan .` on this repository stays clean.

pub mod okta;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// `PATH` with `dir` first, joined the way this OS joins it (`;` on Windows).
pub fn path_with(dir: &Path) -> std::ffi::OsString {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&rest));
    std::env::join_paths(dirs).expect("a PATH entry holds the separator")
}

/// Runs the real binary in `dir`.
pub fn tokenwarden(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tokenwarden"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run tokenwarden")
}

/// `tokenwarden scan --format json ARGS .` in `dir`: (exit code, report, stderr). Fails the
/// test on a panic or a report that is not JSON.
pub fn scan_json(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend(args);
    all.push(".");
    let out = tokenwarden(dir, &all);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code().unwrap(), json, stderr)
}

/// The `findings` array of a JSON report.
pub fn findings(report: &Value) -> Vec<Value> {
    report["findings"].as_array().unwrap().clone()
}

/// xorshift64*: deterministic per seed, good enough for synthetic secrets.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn string(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }
}

const TOKEN_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A synthetic Okta API token (`00` + 40 token characters) that passes the rule's
/// filters: mixed case and digits, no long runs, high entropy.
pub fn okta_token(seed: u64) -> String {
    let mut rng = Rng::new(seed);
    loop {
        let body = rng.string(TOKEN_CHARS, 40);
        if plausible(&body) {
            return format!("00{body}");
        }
    }
}

/// A synthetic 32-character URL secret (alphanumeric).
pub fn url_secret(seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0xA5A5);
    loop {
        let s = rng.string(ALNUM, 32);
        if plausible(&s) {
            return s;
        }
    }
}

fn plausible(s: &str) -> bool {
    let b = s.as_bytes();
    let has = |f: fn(&u8) -> bool| b.iter().any(f);
    let runs = b.windows(3).any(|w| {
        (w[0] == w[1] && w[1] == w[2])
            || (w[1] == w[0].wrapping_add(1) && w[2] == w[1].wrapping_add(1))
    });
    let lower = s.to_ascii_lowercase();
    let words = [
        "xxxx", "example", "sample", "dummy", "your", "fake", "test", "token", "redact",
    ];
    has(u8::is_ascii_uppercase)
        && has(u8::is_ascii_lowercase)
        && has(u8::is_ascii_digit)
        && !runs
        && !words.iter().any(|w| lower.contains(w))
}

/// A scratch repository driven through the `git` command line.
pub struct Repo {
    _dir: Option<tempfile::TempDir>,
    pub path: PathBuf,
    clock: std::cell::Cell<u64>,
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Repo::at(&dir.path().join("repo"));
        r._dir = Some(dir);
        r
    }

    /// A repository at `path` (created), which the caller cleans up.
    pub fn at(path: &Path) -> Repo {
        fs::create_dir_all(path).unwrap();
        let r = Repo {
            _dir: None,
            path: path.to_path_buf(),
            clock: std::cell::Cell::new(1_700_000_000),
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    pub fn git_output(&self, args: &[&str]) -> Output {
        let t = self.clock.get();
        self.clock.set(t + 60);
        let date = format!("@{t} +0100");
        Command::new("git")
            .args([
                "-c",
                "user.name=Test Author",
                "-c",
                "user.email=author@example.com",
            ])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "core.hooksPath=/dev/null/none",
                // Git for Windows defaults to CRLF checkouts; the tests count bytes.
                "-c",
                "core.autocrlf=false",
            ])
            .args(args)
            .current_dir(&self.path)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env_remove("GIT_DIR")
            .output()
            .unwrap()
    }

    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn write(&self, rel: &str, content: &str) {
        let p = self.path.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }

    pub fn commit_all(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Packs everything HEAD reaches and drops the loose objects, as `git gc` would, but in
    /// process: under a loaded `.ci/run`, `git gc` children read stray text as revisions
    /// ("fatal: bad revision …") and failed.
    pub fn pack_all(&self) {
        let repo = git2::Repository::open(&self.path).unwrap();
        let head = repo.head().unwrap().peel_to_commit().unwrap().id();
        let mut pack = repo.packbuilder().unwrap();
        pack.insert_commit(head).unwrap();
        let objects = repo.path().join("objects");
        pack.write(&objects.join("pack"), 0o644).unwrap();
        for dir in fs::read_dir(&objects).unwrap() {
            let dir = dir.unwrap().path();
            let name = dir.file_name().unwrap().to_string_lossy().to_string();
            if name.len() == 2 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
                fs::remove_dir_all(dir).unwrap();
            }
        }
    }

    /// Feeds `script` to `git fast-import`: commits whose paths no file system of this OS
    /// could hold (bytes that are not UTF-8, names Windows reserves) are still built.
    pub fn fast_import(&self, script: &[u8]) {
        use std::io::Write;
        let mut child = Command::new("git")
            .args(["fast-import", "--quiet"])
            .current_dir(&self.path)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(script).unwrap();
        assert!(child.wait().unwrap().success(), "git fast-import failed");
    }

    pub fn tw(&self, args: &[&str]) -> Output {
        tokenwarden(&self.path, args)
    }

    pub fn tw_json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let out = self.tw(&all);
        let code = out.status.code().unwrap();
        let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (code, json)
    }
}

/// A PNG's signature and 64 KiB of noise holding token-shaped runs with nothing around
/// them: what a real binary can contain by chance.
pub fn png_like(seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut data = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    while data.len() < 64 << 10 {
        data.extend((0..4096).map(|_| rng.next() as u8));
        data.push(0);
        data.extend(okta_token(rng.next()).as_bytes());
        data.push(0);
    }
    data
}

/// `data` as a zlib stream of deflate's stored (uncompressed) blocks: what git objects are
/// made of, without a compression library.
pub fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(0xffff).collect()
    };
    for (i, block) in blocks.iter().enumerate() {
        let len = block.len() as u16;
        out.push(u8::from(i + 1 == blocks.len()));
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(*block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}

/// A curl line sending `token` with the SSWS scheme (a high-confidence finding).
pub fn header(token: &str) -> String {
    format!("curl -H 'Authorization: SSWS {token}' https://acme.okta.com/api/v1/users\n")
}

/// Violations of the official SARIF 2.1.0 schema (tests/fixtures; see tests/sarif_schema.rs
/// for the one edit made to it).
pub fn sarif_schema_errors(doc: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sarif-schema-2.1.0.json"
        ))
        .unwrap(),
    )
    .unwrap();
    crate::schema::errors(&schema, doc)
}

/// An emulated GitHub Actions job: event file, outputs, summary and SARIF in a temp dir.
pub struct Gha {
    dir: tempfile::TempDir,
}

pub struct GhaRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub summary: String,
    pub outputs: String,
    pub sarif: Option<Value>,
}

impl Gha {
    pub fn new() -> Gha {
        Gha {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn run(&self, workspace: &Path, event_name: &str, event: &Value, extra: &[&str]) -> GhaRun {
        self.run_with(workspace, event_name, event, extra, &[])
    }

    /// `run`, with more of the runner's environment (`GITHUB_REF`, …).
    pub fn run_with(
        &self,
        workspace: &Path,
        event_name: &str,
        event: &Value,
        extra: &[&str],
        vars: &[(&str, &str)],
    ) -> GhaRun {
        fs::write(self.path("event.json"), event.to_string()).unwrap();
        for f in ["summary.md", "output.txt", "tokenwarden.sarif"] {
            let _ = fs::remove_file(self.path(f));
        }
        let out: Output = Command::new(env!("CARGO_BIN_EXE_tokenwarden"))
            .arg("github-action")
            .args(extra)
            .current_dir(workspace)
            .env("GITHUB_EVENT_NAME", event_name)
            .env("GITHUB_EVENT_PATH", self.path("event.json"))
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_OUTPUT", self.path("output.txt"))
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("RUNNER_TEMP", self.dir.path())
            // The runner's own, when the suite runs in GitHub Actions.
            .env_remove("GITHUB_REF")
            .envs(vars.iter().copied())
            .output()
            .unwrap();
        let read = |f: &str| fs::read_to_string(self.path(f)).unwrap_or_default();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{stderr}");
        GhaRun {
            code: out.status.code().unwrap(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr,
            summary: read("summary.md"),
            outputs: read("output.txt"),
            sarif: serde_json::from_str(&read("tokenwarden.sarif")).ok(),
        }
    }
}

/// The component names of an `audit --format json` report, in order.
pub fn component_names(report: &Value) -> Vec<&str> {
    report["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}
