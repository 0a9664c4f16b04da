//! What a found secret is, typed. A rule declares the kind of credential it finds
//! (`credential = "okta-api-token"`) and the companion values to capture around it (an org
//! URL, a client id: `[[companions]]`); the engine builds a `Found` from the match and those
//! captures, and whatever talks to the issuer (verification, later revocation) is chosen by
//! the kind. Nothing here prints a secret: `Debug` shows the kind only.

use serde::Deserialize;

/// The kinds of credential a rule can declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An Okta API token (`SSWS 00…`), acting with its admin's permissions.
    OktaApiToken,
    /// An OAuth client secret of an Okta app (`client_secret_basic` / `_post`).
    OktaClientSecret,
    /// A private key an Okta service app signs `client_assertion`s with (`private_key_jwt`).
    OktaPrivateKey,
    /// An access token issued by an Okta authorization server (a JWT, one hour).
    OktaAccessToken,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OktaApiToken => "okta-api-token",
            Kind::OktaClientSecret => "okta-client-secret",
            Kind::OktaPrivateKey => "okta-private-key",
            Kind::OktaAccessToken => "okta-access-token",
        }
    }
}

/// A credential as found, with the fields its kind needs to be checked or revoked.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Credential {
    ApiToken {
        token: String,
    },
    ClientSecret {
        client_id: Option<String>,
        secret: String,
    },
    PrivateKey {
        client_id: Option<String>,
        key_id: Option<String>,
        key: String,
    },
    AccessToken {
        token: String,
    },
}

impl Credential {
    /// The credential of `kind` whose secret is `secret`, with what `companions` captured
    /// next to it (`client_id`, `key_id`).
    pub fn build(kind: Kind, secret: &[u8], companions: &Companions) -> Credential {
        let secret = String::from_utf8_lossy(secret).into_owned();
        let client_id = companions.first("client_id");
        match kind {
            Kind::OktaApiToken => Credential::ApiToken { token: secret },
            Kind::OktaClientSecret => Credential::ClientSecret { client_id, secret },
            Kind::OktaPrivateKey => Credential::PrivateKey {
                client_id,
                key_id: companions.first("key_id"),
                key: secret,
            },
            Kind::OktaAccessToken => Credential::AccessToken { token: secret },
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Credential::ApiToken { .. } => Kind::OktaApiToken,
            Credential::ClientSecret { .. } => Kind::OktaClientSecret,
            Credential::PrivateKey { .. } => Kind::OktaPrivateKey,
            Credential::AccessToken { .. } => Kind::OktaAccessToken,
        }
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential({} ..)", self.kind().as_str())
    }
}

/// Values a rule's `[[companions]]` captured around a match, by name, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Companions(pub Vec<(String, String)>);

impl Companions {
    pub fn first(&self, name: &str) -> Option<String> {
        self.all(name).next().map(str::to_string)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A credential and where it may belong: the org URLs written next to it, as found (which
/// of them a credential may be sent to is decided by `okta::Destinations`, not here).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Found {
    pub credential: Credential,
    pub org_hints: Vec<String>,
}

impl Found {
    pub fn new(kind: Kind, secret: &[u8], companions: &Companions) -> Found {
        Found {
            credential: Credential::build(kind, secret, companions),
            org_hints: companions.all("org").map(str::to_string).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_from_a_match_and_its_companions_never_printed() {
        let companions = Companions(vec![
            ("org".into(), "acme.okta.com".into()),
            ("client_id".into(), "0oa1b2c3d4e5f6g7h8i9".into()),
            ("org".into(), "acme-admin.okta.com".into()),
        ]);
        let found = Found::new(Kind::OktaClientSecret, b"s3cr3t", &companions);
        assert_eq!(found.org_hints, ["acme.okta.com", "acme-admin.okta.com"]);
        assert_eq!(
            found.credential,
            Credential::ClientSecret {
                client_id: Some("0oa1b2c3d4e5f6g7h8i9".into()),
                secret: "s3cr3t".into()
            }
        );
        assert!(!format!("{found:?}").contains("s3cr3t"));
        let token = Found::new(Kind::OktaApiToken, b"00abc", &Companions::default());
        assert_eq!(token.credential.kind(), Kind::OktaApiToken);
        assert!(token.org_hints.is_empty());
    }
}
