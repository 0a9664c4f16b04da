//! Incidents and repositories of merged reports, read from and written as JSON.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::finding::{Confidence, redact};

/// Several reports' incidents and repositories.
#[derive(Debug, Default, PartialEq)]
pub struct Merged {
    /// Scan reports behind it (a merged report counts its own).
    pub reports: u64,
    pub incidents: BTreeMap<String, Incident>,
    /// By name: each repository's entry as its scan wrote it.
    pub repositories: BTreeMap<String, Value>,
    /// Findings the scans suppressed (not incidents), summed.
    pub suppressed: u64,
}

/// One leaked secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub fingerprint: String,
    pub rule_id: String,
    pub confidence: Confidence,
    /// Redacted, always.
    pub secret: String,
    /// The most telling verdict any run had (live, then invalid, then unknown).
    pub verification: Option<Value>,
    /// Still in the tree HEAD names in some repository (a directory scan's finding is).
    pub at_head: bool,
    /// The earliest author date of a commit that introduced it, RFC 3339.
    pub first_seen: Option<String>,
    pub locations: BTreeSet<Location>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// `None` for a directory scan's finding.
    pub repository: Option<String>,
    pub path: String,
    pub line: u64,
    pub commit: Option<String>,
}

impl Merged {
    /// The report at `path`: a scan's (`findings`) or a merge's (`incidents`).
    pub fn read(path: &Path) -> Result<Merged> {
        let text = std::fs::read(path).map_err(|e| Error::io("read report", path, &e))?;
        let shown = crate::escape::sanitize(&path.display().to_string());
        let doc: Value = serde_json::from_slice(&text).map_err(|e| {
            Error::settings(format!(
                "{shown}: not a JSON report ({e}); write one with --format json -o FILE"
            ))
        })?;
        Merged::from_json(&doc).map_err(|why| Error::settings(format!("{shown}: {why}")))
    }

    pub fn from_json(doc: &Value) -> std::result::Result<Merged, String> {
        if let Some(incidents) = doc["incidents"].as_array() {
            let mut m = Merged {
                reports: doc["stats"]["reports"].as_u64().unwrap_or(1),
                suppressed: doc["stats"]["suppressed"].as_u64().unwrap_or(0),
                ..Default::default()
            };
            for (i, v) in incidents.iter().enumerate() {
                let incident = Incident::from_merged(v)
                    .ok_or_else(|| format!("incident {} is not one `merge` writes", i + 1))?;
                m.add(incident);
            }
            m.add_repositories(doc);
            return Ok(m);
        }
        let findings = doc["findings"].as_array().ok_or(
            "not a tokenwarden JSON report (neither `findings` nor `incidents`); write one with \
             `tokenwarden history --format json -o FILE`",
        )?;
        let mut m = Merged {
            reports: 1,
            suppressed: doc["suppressed"].as_array().map_or(0, |s| s.len() as u64),
            ..Default::default()
        };
        for (i, f) in findings.iter().enumerate() {
            let incident = Incident::from_finding(f)
                .ok_or_else(|| format!("finding {} has no fingerprint or path", i + 1))?;
            m.add(incident);
        }
        m.add_repositories(doc);
        Ok(m)
    }

    fn add_repositories(&mut self, doc: &Value) {
        for r in doc["repositories"].as_array().into_iter().flatten() {
            if let Some(name) = r["repository"].as_str() {
                self.add_repository(name.to_string(), r.clone());
            }
        }
    }

    fn add(&mut self, incident: Incident) {
        match self.incidents.get_mut(&incident.fingerprint) {
            Some(mine) => mine.absorb(incident),
            None => {
                self.incidents
                    .insert(incident.fingerprint.clone(), incident);
            }
        }
    }

    /// A repository twice (two shards given the same list item, a report merged twice):
    /// the scanned entry over the failed one, then the one that read more, then by text,
    /// so that the choice does not depend on the order of merging.
    fn add_repository(&mut self, name: String, entry: Value) {
        let rank = |v: &Value| {
            (
                v["scanned"].as_bool().unwrap_or(false),
                v["blobs_scanned"].as_u64().unwrap_or(0),
                v.to_string(),
            )
        };
        match self.repositories.get(&name) {
            Some(mine) if rank(mine) >= rank(&entry) => {}
            _ => {
                self.repositories.insert(name, entry);
            }
        }
    }

    /// `other`'s incidents and repositories joined to these.
    pub fn absorb(&mut self, other: Merged) {
        self.reports += other.reports;
        self.suppressed += other.suppressed;
        for (_, incident) in other.incidents {
            self.add(incident);
        }
        for (name, entry) in other.repositories {
            self.add_repository(name, entry);
        }
    }

    /// Incidents in the order reports list them: live first, then those still at HEAD,
    /// then by confidence and by how widely the secret spread.
    pub fn ranked(&self) -> Vec<&Incident> {
        let mut v: Vec<&Incident> = self.incidents.values().collect();
        v.sort_by(|a, b| {
            let key = |i: &Incident| {
                (
                    std::cmp::Reverse(i.is_live()),
                    std::cmp::Reverse(i.at_head),
                    std::cmp::Reverse(i.confidence),
                    std::cmp::Reverse(i.locations.len()),
                )
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.fingerprint.cmp(&b.fingerprint))
        });
        v
    }

    pub fn failed_repositories(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.repositories
            .iter()
            .filter(|(_, r)| r["scanned"].as_bool() == Some(false))
    }

    pub fn to_json(&self) -> Value {
        let sum = |k: &str| {
            self.repositories
                .values()
                .map(|r| r[k].as_u64().unwrap_or(0))
                .sum::<u64>()
        };
        json!({
            "version": env!("CARGO_PKG_VERSION"),
            "incidents": self.ranked().into_iter().map(Incident::to_json).collect::<Vec<_>>(),
            "repositories": self.repositories.values().collect::<Vec<_>>(),
            "stats": {
                "reports": self.reports,
                "repositories": self.repositories.len(),
                "repositories_failed": self.failed_repositories().count(),
                "incidents": self.incidents.len(),
                "locations": self.incidents.values().map(|i| i.locations.len()).sum::<usize>(),
                "live": self.incidents.values().filter(|i| i.is_live()).count(),
                "suppressed": self.suppressed,
                "blobs_scanned": sum("blobs_scanned"),
                "bytes_scanned": sum("bytes_scanned"),
            },
        })
    }
}

impl Location {
    /// A finding's place, or a merged incident's location.
    fn from_json(v: &Value) -> Option<Location> {
        Some(Location {
            repository: v["repository"].as_str().map(str::to_string),
            path: v["path"].as_str()?.to_string(),
            line: v["line"].as_u64().unwrap_or(0),
            commit: v["commit"].as_str().map(str::to_string),
        })
    }
}

impl Incident {
    /// One finding of a scan's JSON report: an incident with one place.
    fn from_finding(f: &Value) -> Option<Incident> {
        // A finding without history is in the files as they are now.
        Incident::from_json(f, BTreeSet::from([Location::from_json(f)?]), "date", true)
    }

    /// One incident of a merged report.
    fn from_merged(v: &Value) -> Option<Incident> {
        let locations = v["locations"]
            .as_array()?
            .iter()
            .map(Location::from_json)
            .collect::<Option<_>>()?;
        Incident::from_json(v, locations, "first_seen", false)
    }

    /// The fields a finding and an incident share; `date` names the date field.
    fn from_json(
        v: &Value,
        locations: BTreeSet<Location>,
        date: &str,
        at_head: bool,
    ) -> Option<Incident> {
        Some(Incident {
            fingerprint: v["fingerprint"].as_str()?.to_string(),
            rule_id: v["rule_id"].as_str().unwrap_or_default().to_string(),
            confidence: confidence(&v["confidence"]),
            secret: redacted(v["secret"].as_str().unwrap_or_default()),
            verification: v.get("verification").filter(|v| v.is_object()).cloned(),
            at_head: v["at_head"].as_bool().unwrap_or(at_head),
            first_seen: v[date].as_str().map(str::to_string),
            locations,
        })
    }

    /// The same secret seen by another report.
    fn absorb(&mut self, other: Incident) {
        self.confidence = self.confidence.max(other.confidence);
        self.at_head |= other.at_head;
        self.locations.extend(other.locations);
        if other.rule_id < self.rule_id || self.rule_id.is_empty() {
            self.rule_id = other.rule_id;
        }
        if other.secret < self.secret {
            self.secret = other.secret;
        }
        if verdict_rank(other.verification.as_ref()) > verdict_rank(self.verification.as_ref()) {
            self.verification = other.verification;
        }
        self.first_seen = match (self.first_seen.take(), other.first_seen) {
            (Some(a), Some(b)) => Some(earlier(a, b)),
            (a, b) => a.or(b),
        };
    }

    pub fn is_live(&self) -> bool {
        self.status() == Some("live")
    }

    pub fn status(&self) -> Option<&str> {
        self.verification.as_ref()?["status"].as_str()
    }

    /// Distinct repositories among its locations.
    pub fn repositories(&self) -> BTreeSet<&str> {
        self.locations
            .iter()
            .filter_map(|l| l.repository.as_deref())
            .collect()
    }

    fn to_json(&self) -> Value {
        json!({
            "fingerprint": self.fingerprint,
            "rule_id": self.rule_id,
            "confidence": self.confidence,
            "secret": self.secret,
            "verification": self.verification,
            "at_head": self.at_head,
            "first_seen": self.first_seen,
            "locations": self.locations.iter().map(|l| json!({
                "repository": l.repository,
                "path": l.path,
                "line": l.line,
                "commit": l.commit,
            })).collect::<Vec<_>>(),
        })
    }
}

fn confidence(v: &Value) -> Confidence {
    match v.as_str() {
        Some("high") => Confidence::High,
        Some("low") => Confidence::Low,
        _ => Confidence::Medium,
    }
}

/// A report made with `--no-redact` still merges into a redacted one.
fn redacted(secret: &str) -> String {
    if secret.ends_with('…') {
        secret.to_string()
    } else {
        redact(secret)
    }
}

/// Live, then invalid, then unknown, then none; ties by text so that the order of merging
/// does not matter.
fn verdict_rank(v: Option<&Value>) -> (u8, String) {
    let Some(v) = v else {
        return (0, String::new());
    };
    let rank = match v["status"].as_str() {
        Some("live") => 3,
        Some("invalid") => 2,
        _ => 1,
    };
    (rank, v.to_string())
}

/// The earlier of two RFC 3339 dates (by the instant, whatever their offsets; by text when
/// one does not parse).
fn earlier(a: String, b: String) -> String {
    let at = |s: &str| s.parse::<jiff::Timestamp>().ok();
    let key = |s: &String| (at(s).is_none(), at(s), s.clone());
    if key(&b) < key(&a) { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(findings: Value, repositories: Value) -> Merged {
        Merged::from_json(
            &json!({"version": "x", "findings": findings, "repositories": repositories}),
        )
        .unwrap()
    }

    fn finding(repo: &str, path: &str, fp: &str, date: &str, at_head: bool) -> Value {
        json!({"rule_id": "okta-api-token", "confidence": "high", "path": path, "line": 3,
               "secret": "00abcdefghijklmnopqrstuvwxyz0123456789ABCD", "fingerprint": fp,
               "repository": repo, "commit": format!("c-{path}"), "date": date,
               "at_head": at_head})
    }

    fn parts() -> [Merged; 3] {
        [
            report(
                json!([
                    finding("a", "x.yaml", "f1", "2024-03-01T10:00:00+02:00", false),
                    finding("a", "y.yaml", "f2", "2024-01-01T00:00:00Z", true)
                ]),
                json!([{"repository": "a", "scanned": true, "blobs_scanned": 10}]),
            ),
            report(
                json!([finding("b", "x.yaml", "f1", "2024-03-01T07:00:00Z", true)]),
                json!([{"repository": "b", "scanned": true, "blobs_scanned": 5},
                       {"repository": "c", "scanned": false, "error": "cannot clone"}]),
            ),
            report(
                json!([{"rule_id": "okta-api-token", "confidence": "medium", "path": "z", "line": 1,
                        "secret": "00zz…", "fingerprint": "f1", "repository": "c",
                        "verification": {"status": "live", "org": "https://acme.okta.com"}}]),
                json!([{"repository": "c", "scanned": true, "blobs_scanned": 1}]),
            ),
        ]
    }

    fn merged(order: [usize; 3], nest_left: bool) -> Merged {
        let mut p: Vec<Option<Merged>> = parts().into_iter().map(Some).collect();
        let mut take = |i: usize| p[order[i]].take().unwrap();
        let (a, b, c) = (take(0), take(1), take(2));
        let via_json = |m: Merged| Merged::from_json(&m.to_json()).unwrap();
        if nest_left {
            let mut ab = a;
            ab.absorb(b);
            let mut abc = via_json(ab);
            abc.absorb(c);
            abc
        } else {
            let mut bc = b;
            bc.absorb(c);
            let mut abc = a;
            abc.absorb(via_json(bc));
            abc
        }
    }

    #[test]
    fn merging_is_associative_commutative_and_reads_its_own_output() {
        let reference = merged([0, 1, 2], true);
        for order in [[0, 1, 2], [2, 1, 0], [1, 0, 2], [1, 2, 0]] {
            for nest in [true, false] {
                assert_eq!(
                    merged(order, nest).to_json(),
                    reference.to_json(),
                    "{order:?} {nest}"
                );
            }
        }
        let doc = reference.to_json();
        assert_eq!(doc["stats"]["reports"], 3);
        assert_eq!(doc["stats"]["incidents"], 2);
        assert_eq!(doc["stats"]["repositories"], 3);
        assert_eq!(
            doc["stats"]["repositories_failed"], 0,
            "c was scanned by another shard"
        );
        assert_eq!(doc["stats"]["blobs_scanned"], 16);
        let first = &doc["incidents"][0];
        assert_eq!(first["fingerprint"], "f1", "live first");
        assert_eq!(first["confidence"], "high");
        assert_eq!(first["at_head"], true);
        assert_eq!(first["verification"]["status"], "live");
        // 10:00+02:00 is 08:00Z, after 07:00Z.
        assert_eq!(first["first_seen"], "2024-03-01T07:00:00Z");
        assert_eq!(first["locations"].as_array().unwrap().len(), 3);
        assert_eq!(first["secret"], "00ab…", "redacted");
    }
}
