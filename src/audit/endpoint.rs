//! Management API calls as written in code, fixtures and docs, turned into what a plan can
//! count: an endpoint template (`/api/v1/users/{id}/roles`, whatever the id was) and the
//! HTTP method, taken from the line itself or from the SDK call or request nearby.

use std::sync::OnceLock;

use regex::bytes::Regex;

/// Lines after an endpoint searched for its method (Go SDKs build the URL, then call
/// `NewRequest("POST", url, …)` a few lines later; go-vcr cassettes put `method:` after
/// `url:`).
const LINES_AFTER: usize = 8;
/// Lines before (HAR entries and request blocks put the method first).
const LINES_BEFORE: usize = 3;

/// The path of an API call with every value segment (Okta ids, UUIDs, numbers, emails,
/// variables and placeholders of any language) as `{id}`; query and fragment dropped.
pub fn template(raw: &str) -> String {
    let path = raw.split(['?', '#']).next().unwrap_or_default();
    let path = path.trim_end_matches(['.', ',', ':', ';', ')']);
    // `"/api/v1/users/" + id`: the path ends where a variable is appended.
    let open_end = path.ends_with('/');
    let mut out = String::with_capacity(path.len() + 4);
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        // `apps%s`, `users${query}`: a literal with a query string appended by code.
        let literal = seg
            .find(['%', '$', '{', '<'])
            .filter(|&i| i > 0 && seg[..i].bytes().all(|b| b.is_ascii_alphabetic()))
            .map(|i| &seg[..i]);
        out.push_str(match literal {
            Some(l) => l,
            None if is_value(seg) => "{id}",
            None => seg,
        });
    }
    if open_end && out.matches('/').count() > 2 {
        out.push_str("/{id}");
    }
    out
}

/// Whether a path segment is a value rather than a literal of the API's path.
fn is_value(seg: &str) -> bool {
    if seg.contains(['{', '}', '%', '$', '<', '>', ':', '@', '*', '+', '[']) {
        return true;
    }
    if seg.eq_ignore_ascii_case("id") || seg.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    // Okta object ids (20 characters: `00u…`, `0oa…`, `rst…`), UUIDs, hashes: long, and
    // mixing letters with digits, which the API's own literal segments never do
    // (`oauth2`, `v1` are short).
    let digits = seg.bytes().filter(u8::is_ascii_digit).count();
    let letters = seg.bytes().filter(u8::is_ascii_alphabetic).count();
    seg.len() >= 12 && digits > 0 && letters > 0
        || seg.len() == 36 && seg.bytes().filter(|b| *b == b'-').count() == 4
        || seg.chars().all(|c| c.is_ascii_uppercase() || c == '_') && seg.len() > 1
}

/// The HTTP method of the call whose endpoint starts at `at`: a verb before it on its own
/// line, else the nearest SDK call or request field within a few lines (stopping at
/// another endpoint, whose method that would be).
pub fn method(blob: &[u8], at: usize, endpoint: &Regex) -> Option<String> {
    static SAME_LINE: OnceLock<Regex> = OnceLock::new();
    static NEARBY: OnceLock<Regex> = OnceLock::new();
    let same_line = SAME_LINE.get_or_init(|| {
        Regex::new(r"(?i-u)\b(GET|POST|PUT|PATCH|DELETE|HEAD)\b").expect("static regex")
    });
    let nearby = NEARBY.get_or_init(|| {
        Regex::new(concat!(
            r#"(?-u)["'](GET|POST|PUT|PATCH|DELETE|HEAD)["']"#,
            r"|http\.Method(Get|Post|Put|Patch|Delete|Head)\b",
            r"|(?i:\bmethod)\W{1,4}(GET|POST|PUT|PATCH|DELETE|HEAD)\b",
            r"|(?i:\b(?:requests|session|client|http|httpx|axios|api|okta|restTemplate))\.",
            r"(get|post|put|patch|delete|head)\s*\(",
            r"|(?:-X\s*|--request[\s=])(GET|POST|PUT|PATCH|DELETE|HEAD)\b",
        ))
        .expect("static regex")
    });
    let start = memchr::memrchr(b'\n', &blob[..at]).map_or(0, |i| i + 1);
    if let Some(v) = same_line.find_iter(&blob[start..at]).last() {
        return Some(String::from_utf8_lossy(v.as_bytes()).to_ascii_uppercase());
    }
    let verb = |line: &[u8]| -> Option<String> {
        let c = nearby.captures(line)?;
        let m = c.iter().skip(1).flatten().next()?;
        Some(String::from_utf8_lossy(m.as_bytes()).to_ascii_uppercase())
    };
    let end = memchr::memchr(b'\n', &blob[at..]).map_or(blob.len(), |i| at + i);
    // The endpoint's own line (`NewRequest(http.MethodGet, …)`, `NewRequest(url, "POST")`),
    // then lines after.
    if let Some(v) = verb(&blob[start..end]) {
        return Some(v);
    }
    let mut after = std::iter::successors(Some(end), |&from| {
        (from < blob.len())
            .then(|| memchr::memchr(b'\n', &blob[from + 1..]).map_or(blob.len(), |i| from + 1 + i))
    })
    .skip(1)
    .take(LINES_AFTER)
    .map(|next| {
        let from = memchr::memrchr(b'\n', &blob[..next]).map_or(0, |i| i + 1);
        &blob[from..next]
    });
    let mut before = std::iter::successors(Some(start), |&to| {
        (to > 0).then(|| memchr::memrchr(b'\n', &blob[..to - 1]).map_or(0, |i| i + 1))
    })
    .skip(1)
    .take(LINES_BEFORE)
    .map(|from| {
        let to = memchr::memchr(b'\n', &blob[from..]).map_or(blob.len(), |i| from + i);
        &blob[from..to]
    });
    // Each direction stops at a line naming another endpoint: what lies beyond is
    // that call's.
    let first = |lines: &mut dyn Iterator<Item = &[u8]>| {
        lines
            .take_while(|line| !endpoint.is_match(line))
            .find_map(verb)
    };
    first(&mut after).or_else(|| first(&mut before))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_hide_every_value() {
        for (raw, want) in [
            ("/api/v1/users/00u1abcdEFGH2345ijkl", "/api/v1/users/{id}"),
            (
                "/api/v1/policies/rsttivnuvg01CxhjA1d7/rules",
                "/api/v1/policies/{id}/rules",
            ),
            ("/api/v1/users/{userId}/roles", "/api/v1/users/{id}/roles"),
            (
                "/api/v1/users/%v/lifecycle/activate",
                "/api/v1/users/{id}/lifecycle/activate",
            ),
            ("/api/v1/apps/${appId}/groups", "/api/v1/apps/{id}/groups"),
            ("/api/v1/groups/:groupId", "/api/v1/groups/{id}"),
            ("/api/v1/users/jane.doe@example.com", "/api/v1/users/{id}"),
            ("/api/v1/logs?since=2024-01-01", "/api/v1/logs"),
            ("/api/v1/users/", "/api/v1/users/{id}"),
            ("/api/v1/", "/api/v1"),
            (
                "/api/v1/agentPools/ID/updates",
                "/api/v1/agentPools/{id}/updates",
            ),
            ("/api/v1/zones/123", "/api/v1/zones/{id}"),
            (
                "/api/v1/devices/9b2c1e4a-5f3d-4c8e-9a7b-1d2e3f4a5b6c",
                "/api/v1/devices/{id}",
            ),
            (
                "/api/v1/users/USER_ID/factors",
                "/api/v1/users/{id}/factors",
            ),
            ("/oauth2/v1/clients", "/oauth2/v1/clients"),
            ("/api/v1/users/me.", "/api/v1/users/me"),
            ("/api/v1/apps%s", "/api/v1/apps"),
            ("/api/v1/users${query}", "/api/v1/users"),
        ] {
            assert_eq!(template(raw), want, "{raw}");
        }
    }

    #[test]
    fn methods_from_the_line_or_the_call_nearby() {
        let endpoint = Regex::new(r"/api/v1/[A-Za-z0-9_/{}%]+").unwrap();
        let at = |text: &str| method(text.as_bytes(), text.find("/api/v1/x").unwrap(), &endpoint);
        assert_eq!(
            at("curl -X DELETE $ORG/api/v1/x").as_deref(),
            Some("DELETE")
        );
        assert_eq!(
            at("url := fmt.Sprintf(\"/api/v1/x/%v\", id)\nif qp != nil {}\n\nreq, err := rq.NewRequest(\"POST\", url, nil)\n")
                .as_deref(),
            Some("POST")
        );
        assert_eq!(
            at("- request:\n    url: https://o.okta.com/api/v1/x\n    method: PUT\n").as_deref(),
            Some("PUT")
        );
        assert_eq!(
            at("{\"method\": \"PATCH\",\n \"url\": \"https://o/api/v1/x\"}").as_deref(),
            Some("PATCH")
        );
        assert_eq!(
            at("r = requests.delete(\n    f\"{org}/api/v1/x\")").as_deref(),
            Some("DELETE")
        );
        assert_eq!(
            at("fetch(`${org}/api/v1/x`, {\n  method: 'POST',\n})").as_deref(),
            Some("POST")
        );
        assert_eq!(
            at("req, _ := http.NewRequest(http.MethodGet, org+\"/api/v1/x\", nil)").as_deref(),
            Some("GET")
        );
        // Another endpoint's request is not this one's.
        assert_eq!(
            at("u := \"/api/v1/x\"\nv := \"/api/v1/y\"\nNewRequest(\"DELETE\", v)\n"),
            None
        );
        assert_eq!(at("see /api/v1/x for details\n"), None);
        // `d.get(` is a lookup, not a request.
        assert_eq!(at("p = \"/api/v1/x\"\nv = d.get(\"k\")\n"), None);
    }
}
