//! One liveness check: `GET {org}/api/v1/users/me` with the SSWS header. Only the status
//! code, a few headers and whether the body looks like Okta JSON are read; no user data is
//! kept.

use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{Budget, OverBudget, Status, Verification};

/// Rate-limit handling: at most this many retries, each waiting at most `MAX_WAIT`.
const MAX_RETRIES: u32 = 3;
const MAX_WAIT: Duration = Duration::from_secs(30);
/// Bytes of a response body read to classify it: a user object with a large profile
/// still fits.
const BODY_PEEK: u64 = 64 << 10;

/// The HTTP clients: one for https orgs, one for loopback orgs.
pub struct Agents {
    https: ureq::Agent,
    loopback: ureq::Agent,
}

impl Agents {
    pub fn new(timeout: Duration) -> Agents {
        let build = |proxy: Option<ureq::Proxy>| -> ureq::Agent {
            ureq::Agent::config_builder()
                .timeout_global(Some(timeout))
                .http_status_as_error(false)
                // A redirect would be a request to a host nobody vetted: never follow one.
                .max_redirects(0)
                .proxy(proxy)
                .user_agent(concat!("tokenwarden/", env!("CARGO_PKG_VERSION")))
                .build()
                .into()
        };
        Agents {
            // Corporate CI reaches the internet only through a proxy; over https the proxy
            // sees a CONNECT tunnel, never the header. ALL_PROXY, HTTPS_PROXY, HTTP_PROXY
            // and NO_PROXY are honoured as ureq reads them.
            https: build(ureq::Proxy::try_from_env()),
            // Plain http is allowed only to loopback, and a proxy would carry the SSWS
            // header in clear text to another host: never.
            loopback: build(None),
        }
    }

    fn for_org(&self, org: &str) -> &ureq::Agent {
        if org.starts_with("http://") && super::orgs::is_loopback_org(org) {
            &self.loopback
        } else {
            &self.https
        }
    }
}

/// The org's answer, or why the run's budget left none: each request, and each wait with the
/// retry after it, is taken from `budget` first.
pub fn check(
    agents: &Agents,
    org: &str,
    token: &str,
    budget: &Budget,
    sleep: &dyn Fn(Duration),
) -> Result<Verification, OverBudget> {
    let url = format!("{org}/api/v1/users/me");
    let verdict = |status, reason: Option<String>| {
        Ok(Verification {
            status,
            org: Some(org.to_string()),
            reason,
        })
    };
    budget.take(None)?;
    for attempt in 0..=MAX_RETRIES {
        let response = agents
            .for_org(org)
            .get(&url)
            .header("Authorization", &format!("SSWS {token}"))
            .header("Accept", "application/json")
            .call();
        let mut response = match response {
            Ok(r) => r,
            Err(e) => return verdict(Status::Unknown, Some(describe_error(&e))),
        };
        let code = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header("content-type").unwrap_or_default();
        let retry_after = header("retry-after");
        let reset = header("x-rate-limit-reset");
        let mut body = Vec::new();
        let _ = response
            .body_mut()
            .as_reader()
            .take(BODY_PEEK)
            .read_to_end(&mut body);
        let okta_error =
            |code: &str| okta_error_code(&content_type, &body).as_deref() == Some(code);
        return match code {
            200 if is_user_object(&content_type, &body) => verdict(Status::Live, None),
            200 => verdict(
                Status::Unknown,
                Some("HTTP 200 without an Okta user object in the body: not an Okta org?".into()),
            ),
            403 if okta_error("E0000006") => verdict(
                Status::Live,
                Some("HTTP 403 E0000006: valid token without permission for /users/me".into()),
            ),
            401 if okta_error("E0000011") => verdict(
                Status::Invalid,
                Some("HTTP 401 E0000011: invalid token".into()),
            ),
            401 | 403 => verdict(
                Status::Unknown,
                Some(format!(
                    "HTTP {code} without Okta's error code: not an Okta org, or a proxy in between?"
                )),
            ),
            429 if attempt < MAX_RETRIES => {
                let asked = requested_wait(retry_after.as_deref(), reset.as_deref());
                let wait = asked.min(MAX_WAIT);
                budget.take(Some((asked, wait)))?;
                sleep(wait);
                continue;
            }
            429 => verdict(
                Status::Unknown,
                Some(format!(
                    "rate limited (HTTP 429) after {MAX_RETRIES} retries"
                )),
            ),
            300..=399 => verdict(
                Status::Unknown,
                Some(format!("HTTP {code} redirect (not followed)")),
            ),
            _ => verdict(Status::Unknown, Some(format!("HTTP {code}"))),
        };
    }
    unreachable!("the loop returns on its last attempt")
}

fn json_body(content_type: &str, body: &[u8]) -> Option<serde_json::Value> {
    if !content_type.contains("json") {
        return None;
    }
    serde_json::from_slice(body).ok()
}

/// `/users/me` answers with the user: `id`, `status` and a `profile` object.
fn is_user_object(content_type: &str, body: &[u8]) -> bool {
    json_body(content_type, body)
        .is_some_and(|v| v["id"].is_string() && v["status"].is_string() && v["profile"].is_object())
}

/// Okta's error bodies: `{"errorCode": "E0000011", "errorSummary": …}`.
fn okta_error_code(content_type: &str, body: &[u8]) -> Option<String> {
    json_body(content_type, body)?["errorCode"]
        .as_str()
        .map(str::to_string)
}

/// How long a 429 asks to wait: `Retry-After` seconds, else until Okta's
/// `X-Rate-Limit-Reset` (a UNIX time), at least 1 s. At most `MAX_WAIT` of it is slept.
fn requested_wait(retry_after: Option<&str>, reset: Option<&str>) -> Duration {
    let secs = retry_after
        .and_then(|s| s.trim().parse::<u64>().ok())
        .or_else(|| {
            let reset: u64 = reset?.trim().parse().ok()?;
            let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
            Some(reset.saturating_sub(now))
        })
        .unwrap_or(1);
    Duration::from_secs(secs.max(1))
}

fn describe_error(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::Io(io) => format!("network error: {}", crate::error::describe_io(io)),
        ureq::Error::HostNotFound => "host not found".into(),
        other => format!("request failed: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_classified_strictly() {
        let json = "application/json;charset=UTF-8";
        let user = br#"{"id":"00u1","status":"ACTIVE","profile":{"login":"a@b.c"}}"#;
        assert!(is_user_object(json, user));
        assert!(!is_user_object("text/html", user));
        assert!(!is_user_object(json, br#"{"id":"00u1"}"#));
        assert!(!is_user_object(json, b"{}"));
        let err = br#"{"errorCode":"E0000011","errorSummary":"Invalid token provided"}"#;
        assert_eq!(okta_error_code(json, err).as_deref(), Some("E0000011"));
        assert_eq!(okta_error_code(json, b"E0000011"), None);
    }

    #[test]
    fn requested_waits() {
        assert_eq!(requested_wait(Some("2"), None), Duration::from_secs(2));
        // Uncapped: the budget compares what the org asks, the sleep is capped.
        assert_eq!(
            requested_wait(Some("9999"), None),
            Duration::from_secs(9999)
        );
        assert_eq!(requested_wait(None, Some("0")), Duration::from_secs(1));
        assert_eq!(requested_wait(None, None), Duration::from_secs(1));
    }
}
