//! The repositories of a run that scans several: named on the command line or listed in a
//! `--repos` file, deduplicated and narrowed to a `--shard` (a URL's mirror is
//! `source::git::mirror`'s).
//!
//! The list is the user's (trusted: it chooses what is cloned); what the repositories hold
//! is not.

mod shard;
mod spec;

use std::collections::HashSet;
use std::path::Path;

pub use shard::Shard;
pub use spec::{CloneUrl, Location, RepoSpec};

use crate::error::{Error, Result};

/// What a run is asked to scan, once each, in the order named.
pub struct Plan {
    pub repositories: Vec<RepoSpec>,
    /// Names that were given twice (the first is scanned), for a notice.
    pub duplicates: Vec<String>,
    /// Repositories of the list another shard scans.
    pub other_shards: usize,
}

/// `named` (on the command line) then the lines of `list` (`-`: standard input),
/// narrowed to `shard`.
pub fn plan(named: Vec<RepoSpec>, list: Option<&Path>, shard: Option<Shard>) -> Result<Plan> {
    let mut specs = named;
    if let Some(list) = list {
        specs.extend(read_list(list)?);
    }
    let mut seen = HashSet::new();
    let mut duplicates = Vec::new();
    let mut other_shards = 0;
    let mut repositories = Vec::new();
    for spec in specs {
        if !seen.insert(spec.key()) {
            duplicates.push(spec.name);
        } else if shard.is_some_and(|s| !s.takes(&spec)) {
            other_shards += 1;
        } else {
            repositories.push(spec);
        }
    }
    Ok(Plan {
        repositories,
        duplicates,
        other_shards,
    })
}

/// A `--repos` file: one path or clone URL per line; blank lines and `#` comments are
/// skipped. A bad line stops the run before anything is cloned, naming its line.
pub fn read_list(path: &Path) -> Result<Vec<RepoSpec>> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| {
            Error::new(format!(
                "cannot read the repository list from standard input: {e}"
            ))
        })?
    } else {
        std::fs::read_to_string(path).map_err(|e| Error::io("read repository list", path, &e))?
    };
    parse_list(&text, &path.display().to_string())
}

fn parse_list(text: &str, origin: &str) -> Result<Vec<RepoSpec>> {
    let mut specs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let spec = RepoSpec::parse(line).map_err(|why| {
            Error::settings(format!(
                "{}:{}: {why}",
                crate::escape::sanitize(origin),
                i + 1
            ))
        })?;
        specs.push(spec);
    }
    Ok(specs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_skip_comments_and_blank_lines_and_name_a_bad_line() {
        let specs = parse_list(
            "# the org\n\nhttps://github.com/acme/api\n  repos/local  \n# done\n",
            "repos.txt",
        )
        .unwrap();
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["https://github.com/acme/api", "repos/local"]);
        let e = parse_list("a\nhttps://u:p4ssw0rd@x.org/a\n", "repos.txt").unwrap_err();
        let e = e.to_string();
        assert!(
            e.starts_with("repos.txt:2: ") && !e.contains("p4ssw0rd"),
            "{e}"
        );
    }

    #[test]
    fn plans_drop_duplicates_and_other_shards() {
        let args = || {
            [
                "https://github.com/acme/api",
                "git@github.com:acme/api.git",
                "https://github.com/acme/web",
            ]
            .map(|a| RepoSpec::parse(a).unwrap())
            .to_vec()
        };
        let all = plan(args(), None, None).unwrap();
        assert_eq!(all.repositories.len(), 2);
        assert_eq!(all.duplicates, ["git@github.com:acme/api.git"]);
        let mut covered = 0;
        for k in 1..=2 {
            let part = plan(args(), None, Some(Shard { index: k, count: 2 })).unwrap();
            covered += part.repositories.len();
            assert_eq!(part.repositories.len() + part.other_shards, 2);
        }
        assert_eq!(covered, 2);
    }
}
