//! One liveness check: `GET {org}/api/v1/users/me` with the SSWS header. Only the status
//! code, a few headers and whether the body looks like Okta JSON are read; no user data is
//! kept.

use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{Status, Verification};

/// Rate-limit handling: at most this many retries, each waiting at most `MAX_WAIT`.
const MAX_RETRIES: u32 = 3;
const MAX_WAIT: Duration = Duration::from_secs(30);
/// Bytes of a response body read to classify it.
const BODY_PEEK: u64 = 4096;

pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        // A redirect would be a request to a host nobody vetted: never follow one.
        .max_redirects(0)
        .user_agent(concat!("tokenwarden/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

pub fn check(
    agent: &ureq::Agent,
    org: &str,
    token: &str,
    sleep: &dyn Fn(Duration),
) -> Verification {
    let url = format!("{org}/api/v1/users/me");
    let verdict = |status, reason: Option<String>| Verification {
        status,
        org: Some(org.to_string()),
        reason,
    };
    for attempt in 0..=MAX_RETRIES {
        let response = agent
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
        let okta_error = |code: &str| String::from_utf8_lossy(&body).contains(code);
        let json = content_type.contains("json")
            && body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        return match code {
            200 if json => verdict(Status::Live, None),
            200 => verdict(
                Status::Unknown,
                Some("HTTP 200 without Okta's JSON: not an Okta org?".into()),
            ),
            403 => verdict(
                Status::Live,
                Some("HTTP 403: valid token without permission for /users/me".into()),
            ),
            401 if okta_error("E0000011") => verdict(
                Status::Invalid,
                Some("HTTP 401 E0000011: invalid token".into()),
            ),
            401 => verdict(Status::Invalid, Some("HTTP 401".into())),
            429 if attempt < MAX_RETRIES => {
                sleep(wait_for(retry_after.as_deref(), reset.as_deref()));
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

/// How long to wait after a 429: `Retry-After` seconds, else until Okta's
/// `X-Rate-Limit-Reset` (a UNIX time), at least 1 s and at most `MAX_WAIT`.
fn wait_for(retry_after: Option<&str>, reset: Option<&str>) -> Duration {
    let secs = retry_after
        .and_then(|s| s.trim().parse::<u64>().ok())
        .or_else(|| {
            let reset: u64 = reset?.trim().parse().ok()?;
            let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
            Some(reset.saturating_sub(now))
        })
        .unwrap_or(1);
    Duration::from_secs(secs.max(1)).min(MAX_WAIT)
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
    fn waits_are_bounded() {
        assert_eq!(wait_for(Some("2"), None), Duration::from_secs(2));
        assert_eq!(wait_for(Some("9999"), None), MAX_WAIT);
        assert_eq!(wait_for(None, Some("0")), Duration::from_secs(1));
        assert_eq!(wait_for(None, None), Duration::from_secs(1));
    }
}
