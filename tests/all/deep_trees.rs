//! Trees nested 20,000 directories deep, as a hostile history can hold them: every git
//! source must report what is inside or refuse with a reason, never overflow its stack
//! (the recursive provenance pass aborted `history` with SIGABRT).

use crate::common;

use std::io::Write as _;
use std::process::Output;

use common::{Repo, header, okta_token, zlib_stored};
use git2::{ObjectType, Oid};
use serde_json::Value;

const DEPTH: usize = 20_000;

/// Objects written as one pack, stored whole: no deltas, and deflate's uncompressed blocks.
/// libgit2 indexes 20,000 trees this way in milliseconds; as loose objects, or through git
/// itself, they take seconds.
#[derive(Default)]
struct Pack {
    entries: Vec<u8>,
    count: u32,
}

impl Pack {
    fn add(&mut self, kind: ObjectType, content: &[u8]) -> Oid {
        let code: u8 = match kind {
            ObjectType::Commit => 1,
            ObjectType::Tree => 2,
            ObjectType::Blob => 3,
            _ => unreachable!("only commits, trees and blobs are written"),
        };
        // The object header: type and size, 4 bits of size first, then 7 bits a byte.
        let mut size = content.len();
        let mut byte = (code << 4) | (size & 0x0f) as u8;
        size >>= 4;
        while size > 0 {
            self.entries.push(byte | 0x80);
            byte = (size & 0x7f) as u8;
            size >>= 7;
        }
        self.entries.push(byte);
        self.entries.extend(zlib_stored(content));
        self.count += 1;
        Oid::hash_object(kind, content).unwrap()
    }

    fn tree(&mut self, mode: &str, name: &str, id: Oid) -> Oid {
        let mut content = format!("{mode} {name}\0").into_bytes();
        content.extend(id.as_bytes());
        self.add(ObjectType::Tree, &content)
    }

    fn write(self, repo: &git2::Repository) {
        let mut pack = b"PACK\0\0\0\x02".to_vec();
        pack.extend(self.count.to_be_bytes());
        pack.extend(self.entries);
        let mut sha1 = gix::hash::hasher(gix::hash::Kind::Sha1);
        sha1.update(&pack);
        pack.extend(sha1.try_finalize().unwrap().as_bytes());
        let odb = repo.odb().unwrap();
        let mut writer = odb.packwriter().unwrap();
        writer.write_all(&pack).unwrap();
        writer.commit().unwrap();
    }
}

/// Commits on top of `parent` a tree holding `content` at `a/a/…/a/leaf.sh` (`DEPTH`
/// directories) and moves `main` there. Returns the commit and the file's path.
fn commit_deep_file(repo: &Repo, parent: &str, content: &str) -> (String, String) {
    let mut pack = Pack::default();
    let blob = pack.add(ObjectType::Blob, content.as_bytes());
    let mut tree = pack.tree("100644", "leaf.sh", blob);
    for _ in 0..DEPTH {
        tree = pack.tree("40000", "a", tree);
    }
    let who = "Test Author <author@example.com> 1700000600 +0100";
    let commit = pack.add(
        ObjectType::Commit,
        format!("tree {tree}\nparent {parent}\nauthor {who}\ncommitter {who}\n\ndeep\n").as_bytes(),
    );
    let git = git2::Repository::open(&repo.path).unwrap();
    pack.write(&git);
    git.reference("refs/heads/main", commit, true, "deep tree")
        .unwrap();
    (commit.to_string(), format!("{}leaf.sh", "a/".repeat(DEPTH)))
}

/// Exit code and all output of a run that must have ended by itself, not by a signal.
fn finished(out: &Output) -> (i32, String) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let code = out.status.code();
    assert!(
        code.is_some() && !all.contains("panicked"),
        "crashed ({:?}): {}",
        out.status,
        &all[all.len().saturating_sub(500)..]
    );
    (code.unwrap_or_default(), all)
}

#[test]
fn history_and_range_report_a_token_20000_directories_deep() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    let base = repo.commit_all("base");
    let token = okta_token(9300);
    let (deep, path) = commit_deep_file(&repo, &base, &header(&token));
    let range = format!("{base}..main");
    for args in [
        vec!["history", "--format", "json"],
        vec!["history", "--format", "json", "--range", &range],
        vec!["history"],
    ] {
        let out = repo.tw(&args);
        let (code, all) = finished(&out);
        assert_eq!(
            code,
            1,
            "{args:?}: {}",
            &all[all.len().saturating_sub(500)..]
        );
        assert!(!all.contains(&token), "{args:?} printed the raw token");
        if args.contains(&"json") {
            let json: Value = serde_json::from_slice(&out.stdout).unwrap();
            let f = &json["findings"][0];
            assert_eq!(json["findings"].as_array().unwrap().len(), 1, "{args:?}");
            assert!(f["path"] == path.as_str(), "{args:?}: not the leaf's path");
            assert_eq!(f["commit"], deep.as_str(), "{args:?}");
            assert_eq!(f["at_head"], true, "{args:?}");
        }
    }
}

/// gix cannot read an index holding a path of 4 KiB or more (40,000 bytes here): `staged`
/// must then stop with an error naming the index, or, once it can, report the token.
#[test]
fn staged_survives_an_index_path_20000_directories_deep() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("base");
    let token = okta_token(9301);
    repo.write("leaf.sh", &header(&token));
    let blob = repo.git(&["hash-object", "-w", "leaf.sh"]);
    let path = format!("{}leaf.sh", "a/".repeat(DEPTH));
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("100644,{blob},{path}"),
    ]);
    let (code, all) = finished(&repo.tw(&["staged"]));
    assert!(!all.contains(&token), "printed the raw token");
    match code {
        1 => assert!(all.contains("leaf.sh"), "{all}"),
        2 => assert!(all.contains("cannot read the index"), "{all}"),
        _ => panic!("exit {code}: {all}"),
    }
}
