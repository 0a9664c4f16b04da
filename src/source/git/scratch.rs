//! Test repositories built object by object with libgit2: exact trees, parents and dates,
//! no `git` binary, for the unit tests of the history steps.

use std::collections::BTreeMap;

use git2::{Oid, Repository, Signature, Time};
use tempfile::TempDir;

use super::repo::Repo;

pub struct Scratch {
    pub dir: TempDir,
    pub repo: Repository,
    clock: i64,
}

impl Scratch {
    pub fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        Scratch {
            dir,
            repo,
            clock: 1_700_000_000,
        }
    }

    pub fn blob(&self, content: &str) -> Oid {
        self.repo.blob(content.as_bytes()).unwrap()
    }

    /// A tree holding `files` (`dir/name` paths make subtrees).
    pub fn tree(&self, files: &[(&str, &str)]) -> Oid {
        let mut dirs: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
        let mut builder = self.repo.treebuilder(None).unwrap();
        for &(path, content) in files {
            match path.split_once('/') {
                Some((dir, rest)) => dirs.entry(dir).or_default().push((rest, content)),
                None => {
                    builder.insert(path, self.blob(content), 0o100644).unwrap();
                }
            }
        }
        for (dir, files) in dirs {
            builder.insert(dir, self.tree(&files), 0o040000).unwrap();
        }
        builder.write().unwrap()
    }

    /// A commit of `files` on `parents`, one minute after the previous commit; `branch`
    /// (a ref name) is moved to it if given.
    pub fn commit(&mut self, branch: Option<&str>, parents: &[Oid], files: &[(&str, &str)]) -> Oid {
        self.clock += 60;
        let who = Signature::new("Dev", "dev@example.test", &Time::new(self.clock, 0)).unwrap();
        let tree = self.repo.find_tree(self.tree(files)).unwrap();
        let parents: Vec<_> = parents
            .iter()
            .map(|p| self.repo.find_commit(*p).unwrap())
            .collect();
        let parents: Vec<_> = parents.iter().collect();
        let id = self
            .repo
            .commit(None, &who, &who, "change", &tree, &parents)
            .unwrap();
        if let Some(branch) = branch {
            self.repo.reference(branch, id, true, "test").unwrap();
        }
        id
    }

    pub fn open(&self) -> Repo {
        Repo::open(self.dir.path()).unwrap()
    }
}
