//! Org URLs: the ones a user names (validated, normalized), and which hosts written next
//! to a credential are Okta-hosted orgs.

use std::net::IpAddr;

/// Okta-hosted org domains (`-admin` console hosts map to their org).
const OKTA_DOMAINS: &[&str] = &[
    "okta.com",
    "oktapreview.com",
    "okta-emea.com",
    "okta-gov.com",
    "okta.mil",
];

/// Okta's own sites under those domains, which are not customer orgs.
const NOT_ORGS: &[&str] = &[
    "www",
    "developer",
    "help",
    "support",
    "login",
    "status",
    "trust",
    "community",
    "api",
    "iam",
    "auth0",
    "ok1static",
];

/// An org base URL, normalized to `scheme://host[:port]`. Errors quote the URL redacted:
/// a URL with userinfo carries a password.
pub fn parse_explicit(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    let shown = || crate::finding::redact(url);
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        format!(
            "`{}` is not an org URL (expected https://<org>.okta.com)",
            shown()
        )
    })?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(format!(
            "`{}`: an org URL must not carry a user name or password (the token is the credential)",
            shown()
        ));
    }
    if rest.contains(['?', '#']) {
        return Err(format!(
            "`{}`: an org URL must not have a query or a fragment (expected https://<org>.okta.com)",
            shown()
        ));
    }
    if authority.is_empty() {
        return Err(format!("`{}` has no host", shown()));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(format!("https://{}", authority.to_ascii_lowercase())),
        "http" if is_loopback(authority) => {
            Ok(format!("http://{}", authority.to_ascii_lowercase()))
        }
        "http" => Err(format!(
            "`{}`: plain http is only accepted for loopback addresses (tokens must not cross the network unencrypted)",
            shown()
        )),
        _ => Err(format!("`{}`: unsupported scheme (use https)", shown())),
    }
}

/// Whether a normalized org URL is on this machine (plain http is allowed only there).
pub fn is_loopback_org(org: &str) -> bool {
    org.split_once("://")
        .is_some_and(|(_, authority)| is_loopback(authority))
}

fn is_loopback(authority: &str) -> bool {
    let host = if let Some(rest) = authority.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The Okta-hosted org a hint names (`acme.okta.com`, `https://acme-admin.okta.com/x`), as
/// `https://<org>.<domain>`: `None` for any other host, and for Okta's own sites. Hints
/// are written by whoever wrote the scanned tree: only a host Okta serves can receive a
/// token this way.
pub fn hosted(hint: &str) -> Option<String> {
    let rest = hint.trim();
    let rest = rest.split_once("://").map_or(rest, |(_, r)| r);
    let host = rest
        .split(['/', '?', '#', ':'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let (sub, domain) = host.split_once('.')?;
    if !OKTA_DOMAINS.contains(&domain) || sub.is_empty() || rest.contains('@') {
        return None;
    }
    let org = sub.strip_suffix("-admin").unwrap_or(sub);
    let valid = !org.is_empty()
        && org.len() <= 63
        && org.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !org.starts_with('-');
    (valid && !NOT_ORGS.contains(&org)).then(|| format!("https://{org}.{domain}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_orgs() {
        assert_eq!(
            parse_explicit("https://Acme.okta.com/").unwrap(),
            "https://acme.okta.com"
        );
        assert_eq!(
            parse_explicit("https://acme.okta.com/api/v1").unwrap(),
            "https://acme.okta.com"
        );
        assert_eq!(
            parse_explicit("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(parse_explicit("http://[::1]:9").unwrap(), "http://[::1]:9");
        assert_eq!(
            parse_explicit("http://localhost:1").unwrap(),
            "http://localhost:1"
        );
        assert!(parse_explicit("http://acme.okta.com").is_err());
        assert!(parse_explicit("http://10.0.0.1").is_err());
        assert!(parse_explicit("ftp://acme.okta.com").is_err());
        assert!(parse_explicit("acme.okta.com").is_err());
        assert!(parse_explicit("https://user@evil").is_err());
        let with_password = format!("https://admin:{}@acme.okta.com", "Hunter2Hunter2Hunter2");
        for bad in [
            with_password.as_str(),
            "https://acme.okta.com/?token=x",
            "https://acme.okta.com#frag",
            "https://acme.okta.com/path?x",
        ] {
            let e = parse_explicit(bad).unwrap_err();
            assert!(!e.contains("Hunter2") && !e.contains("acme"), "{e}");
        }
        assert!(is_loopback_org("http://127.0.0.1:80"));
        assert!(!is_loopback_org("https://acme.okta.com"));
    }

    #[test]
    fn only_okta_hosted_orgs_are_hints_worth_asking() {
        for (hint, org) in [
            ("acme.okta.com", Some("https://acme.okta.com")),
            (
                "https://acme-admin.okta.com/x",
                Some("https://acme.okta.com"),
            ),
            (
                "dev-1.OKTAPREVIEW.com",
                Some("https://dev-1.oktapreview.com"),
            ),
            (
                "https://foo.okta-emea.com:443/",
                Some("https://foo.okta-emea.com"),
            ),
            ("gov.okta.mil.", Some("https://gov.okta.mil")),
            ("developer.okta.com", None),
            ("evil.example.com", None),
            ("okta.com.evil.io", None),
            ("acme.okta.com.evil.io", None),
            ("a.b.okta.com", None),
            ("https://user@acme.okta.com", None),
            ("127.0.0.1:9", None),
        ] {
            assert_eq!(hosted(hint).as_deref(), org, "{hint}");
        }
    }
}
