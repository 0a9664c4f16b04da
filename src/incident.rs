//! One secret, one incident: the same token copied into many files (67 recorded HTTP
//! tapes of one SDK repository), or into many repositories, is one leak to revoke, not one
//! per place. Reports group by it; JSON and SARIF keep a result per place (code scanning
//! needs places), each naming its incident.

use std::collections::HashMap;

use crate::finding::Finding;

/// The places of one secret a report shows, the first in report order first.
pub struct Incident<'a> {
    pub findings: Vec<&'a Finding>,
}

impl<'a> Incident<'a> {
    /// The place reports show in full.
    pub fn first(&self) -> &'a Finding {
        self.findings[0]
    }

    /// Every other place.
    pub fn others(&self) -> &[&'a Finding] {
        &self.findings[1..]
    }

    /// How many repositories its places are in (0 when none is a repository).
    pub fn repositories(&self) -> usize {
        let mut names: Vec<&crate::finding::Root> = self.findings.iter().map(|f| &f.root).collect();
        names.sort();
        names.dedup();
        names
            .iter()
            .filter(|r| matches!(r, crate::finding::Root::Repository(_)))
            .count()
    }
}

/// An incident's id: its fingerprint, which depends on the rule and the secret only, so
/// the same in every repository, shard and run (what `merge` joins on).
pub fn id(f: &Finding) -> &str {
    &f.fingerprint
}

/// `findings` grouped by incident, in the order each incident first appears.
pub fn group<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Vec<Incident<'a>> {
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut incidents: Vec<Incident<'a>> = Vec::new();
    for f in findings {
        match at.get(id(f)) {
            Some(&i) => incidents[i].findings.push(f),
            None => {
                at.insert(id(f), incidents.len());
                incidents.push(Incident { findings: vec![f] });
            }
        }
    }
    incidents
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_of_one_secret_are_one_incident_in_first_seen_order() {
        let fs = [
            Finding::example("b.yaml", "2"),
            Finding::example("a.yaml", "1"),
            Finding::example("c.yaml", "2"),
        ];
        let incidents = group(&fs);
        let shape: Vec<(String, usize)> = incidents
            .iter()
            .map(|i| (i.first().path.clone(), i.findings.len()))
            .collect();
        assert_eq!(shape, [("b.yaml".into(), 2), ("a.yaml".into(), 1)]);
        assert_eq!(incidents[0].others()[0].path, "c.yaml");
    }
}
