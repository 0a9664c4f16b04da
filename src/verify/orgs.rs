//! Which Okta orgs a token may be sent to. Explicit orgs come from the user; orgs found
//! next to a token are used only when Okta hosts them, so a token is never sent to a host
//! an attacker wrote beside it.

use std::net::IpAddr;

use regex::bytes::Regex;

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

/// Okta-hosted org URLs mentioned in `blob`, deduplicated, as `https://<org>.<domain>`.
pub fn discover(blob: &[u8]) -> Vec<String> {
    static HOSTS: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = HOSTS.get_or_init(|| {
        let domains = OKTA_DOMAINS.iter().map(|d| regex::escape(d)).collect::<Vec<_>>().join("|");
        Regex::new(&format!(r"(?i-u)(?:^|[^A-Za-z0-9.\-])([a-z0-9][a-z0-9\-]{{0,62}})\.({domains})(?:[^A-Za-z0-9.\-]|\.(?:[^A-Za-z0-9\-]|$)|$)"))
            .expect("static regex")
    });
    let mut out: Vec<String> = Vec::new();
    for c in re.captures_iter(blob) {
        let sub = String::from_utf8_lossy(&c[1]).to_ascii_lowercase();
        let domain = String::from_utf8_lossy(&c[2]).to_ascii_lowercase();
        let org = sub.strip_suffix("-admin").unwrap_or(&sub);
        if org.is_empty() || NOT_ORGS.contains(&org) {
            continue;
        }
        let url = format!("https://{org}.{domain}");
        if !out.contains(&url) {
            out.push(url);
        }
    }
    out
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
    fn discovery_keeps_only_okta_hosted_orgs() {
        let text = b"baseUrl: https://acme-admin.okta.com/x, https://dev-1.OKTAPREVIEW.com and \
            https://foo.okta-emea.com https://developer.okta.com/docs https://evil.example.com \
            https://okta.com.evil.io https://acme.okta.com.evil.io http://127.0.0.1:9/ \
            acme.okta.community; see https://gov.okta.mil.";
        assert_eq!(
            discover(text),
            vec![
                "https://acme.okta.com",
                "https://dev-1.oktapreview.com",
                "https://foo.okta-emea.com",
                "https://gov.okta.mil"
            ]
        );
    }
}
