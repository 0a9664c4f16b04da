//! One finding per secret per path in a history scan: a file regenerated in many commits
//! (a built bundle, a recorded fixture) carries the same secret in many blob versions,
//! each introduced by its own commit. That is a reporting decision, so it is made here,
//! not in the source: the oldest introduction is reported, the later ones listed on it.

use crate::finding::Finding;

pub fn per_path(findings: &mut Vec<Finding>) {
    let when = |f: &Finding| {
        f.provenance
            .as_ref()
            .and_then(|p| p.date.parse::<jiff::Timestamp>().ok())
    };
    findings.sort_by(|a, b| {
        (&a.root, &a.fingerprint, &a.path, when(a), a.line).cmp(&(
            &b.root,
            &b.fingerprint,
            &b.path,
            when(b),
            b.line,
        ))
    });
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        if let Some(first) = kept.last_mut()
            && first.root == f.root
            && first.fingerprint == f.fingerprint
            && first.path == f.path
            && let (Some(p), Some(later)) = (first.provenance.as_mut(), f.provenance.as_ref())
        {
            if later.commit != p.commit && !p.reintroduced_in.contains(&later.commit) {
                p.reintroduced_in.push(later.commit.clone());
            }
            p.at_head |= later.at_head;
            continue;
        }
        kept.push(f);
    }
    *findings = kept;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Provenance, Root};

    fn found(root: &str, path: &str, commit: &str, date: &str, at_head: bool) -> Finding {
        Finding {
            root: Root::Repository(root.into()),
            provenance: Some(Provenance {
                commit: commit.into(),
                date: date.into(),
                at_head,
                ..Provenance::default()
            }),
            ..Finding::example(path, "fp")
        }
    }

    #[test]
    fn the_oldest_introduction_per_path_and_root_is_kept_the_later_ones_listed_on_it() {
        let mut findings = vec![
            found("r1", "a.txt", "c3", "2024-03-01T00:00:00+00:00", true),
            found("r1", "a.txt", "c1", "2024-01-01T00:00:00+00:00", false),
            found("r1", "a.txt", "c2", "2024-02-01T00:00:00+00:00", false),
            found("r1", "b.txt", "c2", "2024-02-01T00:00:00+00:00", false),
            found("r2", "a.txt", "c9", "2024-05-01T00:00:00+00:00", false),
        ];
        per_path(&mut findings);
        let got: Vec<_> = findings
            .iter()
            .map(|f| {
                let p = f.provenance.as_ref().unwrap();
                (
                    f.path.as_str(),
                    p.commit.as_str(),
                    p.reintroduced_in.clone(),
                    p.at_head,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "a.txt",
                    "c1",
                    vec!["c2".to_string(), "c3".to_string()],
                    true
                ),
                ("b.txt", "c2", vec![], false),
                ("a.txt", "c9", vec![], false),
            ]
        );
    }
}
