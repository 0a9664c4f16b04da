//! Talking to Okta: org URLs (`org`), the one HTTP client with its transport rules and the
//! run's budget (`client`), and which orgs a credential may be sent to (`Destinations`).
//! Verification uses it; so will every later command that calls an org.

mod assertion;
mod client;
pub mod org;

pub use client::{Answer, BUDGET_EXHAUSTED, Budget, Client, Failure, OverBudget, Revocation};

use crate::credential::Found;
use crate::error::{Error, Result};

/// Where credentials may be sent: the orgs the user named (the command line, the
/// environment, a config the user trusts), plus, for each credential, the Okta-hosted orgs
/// written next to it. No other host is ever contacted: a credential must not go to a
/// host that whoever wrote the scanned tree put beside it.
#[derive(Debug, Default, Clone)]
pub struct Destinations {
    named: Vec<String>,
}

impl Destinations {
    /// From the orgs the user named, each with where it came from (for the error naming a
    /// bad one): validated, normalized, deduplicated.
    pub fn named<'a>(orgs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Destinations> {
        let mut named: Vec<String> = Vec::new();
        for (url, source) in orgs {
            let org =
                org::parse_explicit(url).map_err(|e| Error::settings(format!("{source}: {e}")))?;
            if !named.contains(&org) {
                named.push(org);
            }
        }
        Ok(Destinations { named })
    }

    /// The orgs `found` may be sent to, named ones first.
    pub fn for_found(&self, found: &Found) -> Vec<String> {
        let mut orgs = self.named.clone();
        for org in found.org_hints.iter().filter_map(|h| org::hosted(h)) {
            if !orgs.contains(&org) {
                orgs.push(org);
            }
        }
        orgs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{Companions, Kind};

    #[test]
    fn a_credential_goes_to_named_orgs_and_okta_hosted_hints_only() {
        let d = Destinations::named([
            ("https://Acme.okta.com/", "--okta-org"),
            ("https://acme.okta.com", "OKTA_ORG_URL"),
            ("http://127.0.0.1:9", "--okta-org"),
        ])
        .unwrap();
        let companions = Companions(vec![
            ("org".into(), "https://beta-admin.oktapreview.com".into()),
            ("org".into(), "https://login.evil.example".into()),
            ("org".into(), "acme.okta.com".into()),
        ]);
        let found = Found::new(Kind::OktaApiToken, b"00x", &companions);
        assert_eq!(
            d.for_found(&found),
            [
                "https://acme.okta.com",
                "http://127.0.0.1:9",
                "https://beta.oktapreview.com"
            ]
        );
        let err = Destinations::named([("http://10.0.0.1", "[verify] orgs")]).unwrap_err();
        assert!(err.to_string().starts_with("[verify] orgs: "), "{err}");
    }
}
