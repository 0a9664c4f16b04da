//! `--shard K/N`: a deterministic share of a repository list, so that N workers of any job
//! engine (a GitHub Actions matrix, a Kubernetes Indexed Job) each scan a disjoint part
//! and together cover it all, without talking to each other.

use std::fmt;

use super::spec::RepoSpec;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based, as `--shard 1/4` … `--shard 4/4`.
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// `K/N` with 1 ≤ K ≤ N (clap's value parser).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || {
            format!(
                "`{s}`: expected K/N with 1 <= K <= N, e.g. 2/4 (a Kubernetes Indexed Job passes \
                 $((JOB_COMPLETION_INDEX + 1))/N)"
            )
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether `spec` is this shard's: by the hash of its normalized name, so that the
    /// answer does not depend on the list's order, on the machine or on the other
    /// repositories.
    pub fn takes(&self, spec: &RepoSpec) -> bool {
        spec.hash() % self.count == self.index - 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_a_list_once_and_split_it_evenly_enough() {
        let specs: Vec<RepoSpec> = (0..400)
            .map(|i| RepoSpec::parse(&format!("https://github.com/acme/repo-{i}")).unwrap())
            .collect();
        for n in [1, 2, 3, 4, 7] {
            let mut sizes = vec![0usize; n as usize];
            for s in &specs {
                let owners: Vec<u64> = (1..=n)
                    .filter(|&k| Shard { index: k, count: n }.takes(s))
                    .collect();
                assert_eq!(owners.len(), 1, "{} in exactly one of {n} shards", s.name);
                sizes[owners[0] as usize - 1] += 1;
            }
            let fair = 400 / n as usize;
            assert!(
                sizes.iter().all(|&k| k > fair / 2 && k < fair * 2),
                "{n}: {sizes:?}"
            );
        }
        // The same repository written another way lands in the same shard.
        let a = RepoSpec::parse("git@github.com:acme/repo-7.git").unwrap();
        let shard = Shard { index: 2, count: 4 };
        assert_eq!(shard.takes(&a), shard.takes(&specs[7]));
    }

    #[test]
    fn bad_shards_say_what_is_expected() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "4", "a/b", "1/0", ""] {
            assert!(Shard::parse(bad).unwrap_err().contains("K/N"), "{bad}");
        }
    }
}
