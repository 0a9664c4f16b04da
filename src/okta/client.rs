//! The one HTTP client for Okta: every request tokenwarden makes to an org goes through
//! here, so the rules that keep a credential safe in transit hold for every command that
//! talks to Okta (verification today, revocation and impact later):
//!
//! - https only, plain http only to loopback and never through a proxy;
//! - no redirects (a redirect is a request to a host nobody vetted);
//! - a timeout on the whole exchange, and only the first 64 KiB of a body read;
//! - rate limits (HTTP 429) waited out within the run's budget of requests and waiting,
//!   shared by every thread.

use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::org::is_loopback_org;
use crate::blast::{Exposure, Owner, Role, TokenMeta};
use crate::finding::{Status, Verification};

/// Rate-limit handling: at most this many retries, each waiting at most `MAX_WAIT`.
const MAX_RETRIES: u32 = 3;
const MAX_WAIT: Duration = Duration::from_secs(30);
/// Bytes of a response body read to classify it: a user object with a large profile
/// still fits.
const BODY_PEEK: u64 = 64 << 10;

/// How every reason of a request left undone by the budget begins: JSON consumers match on
/// it (the status stays `unknown`: nothing was learned about the credential).
pub const BUDGET_EXHAUSTED: &str = "budget exhausted";

pub struct Client {
    https: ureq::Agent,
    loopback: ureq::Agent,
    budget: Budget,
}

/// What an org answered: the status code and the beginning of a JSON body.
pub struct Answer {
    pub code: u16,
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Option<serde_json::Value> {
        json_body(&self.content_type, &self.body)
    }

    /// Okta's error code (`{"errorCode": "E0000011", …}`), if the body is Okta's error.
    pub fn okta_error(&self) -> Option<String> {
        okta_error_code(&self.content_type, &self.body)
    }
}

/// What a request sends besides its headers.
#[derive(Clone, Copy)]
enum Body<'a> {
    Form(&'a str),
    Delete,
}

/// What revoking a token came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// The org accepted the revocation and the token no longer works.
    Revoked,
    /// The token was already invalid when revocation was asked.
    AlreadyInvalid,
    Failed(String),
}

/// Why a request got no answer from the org.
pub enum Failure {
    /// Timeout, network error, redirect, or a rate limit outlasting the retries.
    Unanswered(String),
    /// The run's budget ran out before or during it.
    OverBudget(OverBudget),
}

impl Client {
    pub fn new(timeout: Duration, budget: Budget) -> Client {
        let build = |proxy: Option<ureq::Proxy>| -> ureq::Agent {
            ureq::Agent::config_builder()
                .timeout_global(Some(timeout))
                .http_status_as_error(false)
                .max_redirects(0)
                .proxy(proxy)
                .user_agent(concat!("tokenwarden/", env!("CARGO_PKG_VERSION")))
                .build()
                .into()
        };
        Client {
            // Corporate CI reaches the internet only through a proxy; over https the proxy
            // sees a CONNECT tunnel, never the header. ALL_PROXY, HTTPS_PROXY, HTTP_PROXY
            // and NO_PROXY are honoured as ureq reads them.
            https: build(ureq::Proxy::try_from_env()),
            // Plain http is allowed only to loopback, and a proxy would carry the
            // credential in clear text to another host: never.
            loopback: build(None),
            budget,
        }
    }

    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    fn agent(&self, org: &str) -> &ureq::Agent {
        if org.starts_with("http://") && is_loopback_org(org) {
            &self.loopback
        } else {
            &self.https
        }
    }

    /// `GET {org}{path}` with `authorization`, waiting out rate limits within the budget:
    /// each request, and each wait with the retry after it, is taken from the budget first.
    pub fn get(
        &self,
        org: &str,
        path: &str,
        authorization: &str,
        sleep: &dyn Fn(Duration),
    ) -> Result<Answer, Failure> {
        self.send(org, path, authorization, None, sleep)
    }

    /// `DELETE {org}{path}`, as `get` does its request.
    pub fn delete(
        &self,
        org: &str,
        path: &str,
        authorization: &str,
        sleep: &dyn Fn(Duration),
    ) -> Result<Answer, Failure> {
        self.send(org, path, authorization, Some(Body::Delete), sleep)
    }

    /// `POST {org}{path}` of a form body, as `get` does its request.
    pub fn post_form(
        &self,
        org: &str,
        path: &str,
        authorization: &str,
        form: &str,
        sleep: &dyn Fn(Duration),
    ) -> Result<Answer, Failure> {
        self.send(org, path, authorization, Some(Body::Form(form)), sleep)
    }

    fn send(
        &self,
        org: &str,
        path: &str,
        authorization: &str,
        form: Option<Body<'_>>,
        sleep: &dyn Fn(Duration),
    ) -> Result<Answer, Failure> {
        let url = format!("{org}{path}");
        self.budget.take(None).map_err(Failure::OverBudget)?;
        for attempt in 0..=MAX_RETRIES {
            let response = match form {
                None => self
                    .agent(org)
                    .get(&url)
                    .header("Authorization", authorization)
                    .header("Accept", "application/json")
                    .call(),
                Some(Body::Delete) => self
                    .agent(org)
                    .delete(&url)
                    .header("Authorization", authorization)
                    .header("Accept", "application/json")
                    .call(),
                Some(Body::Form(body)) if authorization.is_empty() => self
                    .agent(org)
                    .post(&url)
                    .header("Accept", "application/json")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .send(body),
                Some(Body::Form(body)) => self
                    .agent(org)
                    .post(&url)
                    .header("Authorization", authorization)
                    .header("Accept", "application/json")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .send(body),
            };
            let mut response = response.map_err(|e| Failure::Unanswered(describe_error(&e)))?;
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let code = response.status().as_u16();
            let content_type = header("content-type").unwrap_or_default();
            let retry_after = header("retry-after");
            let reset = header("x-rate-limit-reset");
            if code == 429 {
                if attempt == MAX_RETRIES {
                    return Err(Failure::Unanswered(format!(
                        "rate limited (HTTP 429) after {MAX_RETRIES} retries"
                    )));
                }
                let asked = requested_wait(retry_after.as_deref(), reset.as_deref());
                let wait = asked.min(MAX_WAIT);
                self.budget
                    .take(Some((asked, wait)))
                    .map_err(Failure::OverBudget)?;
                sleep(wait);
                continue;
            }
            if (300..400).contains(&code) {
                return Err(Failure::Unanswered(format!(
                    "HTTP {code} redirect (not followed)"
                )));
            }
            let mut body = Vec::new();
            let _ = response
                .body_mut()
                .as_reader()
                .take(BODY_PEEK)
                .read_to_end(&mut body);
            return Ok(Answer {
                code,
                content_type,
                body,
            });
        }
        unreachable!("the loop returns on its last attempt")
    }

    /// Whether the API token `token` is live at `org`: `GET /api/v1/users/me` with the SSWS
    /// scheme. Only the status, Okta's error code and whether the body is a user object are
    /// read; no user data is kept.
    pub fn api_token_status(
        &self,
        org: &str,
        token: &str,
        sleep: &dyn Fn(Duration),
    ) -> Result<Verification, OverBudget> {
        let verdict = |status, reason: Option<String>| {
            Verification::new(status, Some(org.to_string()), reason)
        };
        let answer = match self.get(org, "/api/v1/users/me", &format!("SSWS {token}"), sleep) {
            Ok(a) => a,
            Err(Failure::OverBudget(o)) => return Err(o),
            Err(Failure::Unanswered(why)) => return Ok(verdict(Status::Unknown, Some(why))),
        };
        let code = answer.code;
        let error = answer.okta_error();
        Ok(match code {
            200 if answer.json().is_some_and(|v| is_user(&v)) => Verification {
                // The owner now; the rest of the exposure once every status is known
                // (`complete_exposure`), so that a short budget checks statuses first.
                exposure: Some(Box::new(Exposure::of(
                    answer.json().and_then(|v| owner_of(&v)),
                ))),
                ..verdict(Status::Live, None)
            },
            200 => verdict(
                Status::Unknown,
                Some("HTTP 200 without an Okta user object in the body: not an Okta org?".into()),
            ),
            403 if error.as_deref() == Some("E0000006") => Verification {
                exposure: Some(Box::new(Exposure::of(None))),
                ..verdict(
                    Status::Live,
                    Some("HTTP 403 E0000006: valid token without permission for /users/me".into()),
                )
            },
            401 if error.as_deref() == Some("E0000011") => verdict(
                Status::Invalid,
                Some("HTTP 401 E0000011: invalid token".into()),
            ),
            401 | 403 => verdict(
                Status::Unknown,
                Some(format!(
                    "HTTP {code} without Okta's error code: not an Okta org, or a proxy in between?"
                )),
            ),
            _ => verdict(Status::Unknown, Some(format!("HTTP {code}"))),
        })
    }
}

impl Client {
    /// Whether the client secret `secret` of the app `client_id` is live at `org`: a
    /// client credentials grant (`client_secret_basic`) for `okta.users.read` at the org's
    /// token endpoint. Only the status and the OAuth error code are read: an access token
    /// the org may return is never kept or shown.
    pub fn client_secret_status(
        &self,
        org: &str,
        client_id: &str,
        secret: &str,
        sleep: &dyn Fn(Duration),
    ) -> Result<Verification, OverBudget> {
        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            form_encode(client_id),
            form_encode(secret)
        ));
        let answer = match self.post_form(
            org,
            "/oauth2/v1/token",
            &format!("Basic {basic}"),
            "grant_type=client_credentials&scope=okta.users.read",
            sleep,
        ) {
            Ok(a) => a,
            Err(Failure::OverBudget(o)) => return Err(o),
            Err(Failure::Unanswered(why)) => {
                return Ok(Verification::new(
                    Status::Unknown,
                    Some(org.to_string()),
                    Some(why),
                ));
            }
        };
        Ok(token_endpoint_verdict(org, &answer))
    }
}

impl Client {
    /// Whether the private key `key` of the app `client_id` is live at `org`: a client
    /// credentials grant authenticated with a client assertion the key signs
    /// (`private_key_jwt`), read like a client secret's.
    pub fn private_key_status(
        &self,
        org: &str,
        client_id: &str,
        key: &str,
        key_id: Option<&str>,
        sleep: &dyn Fn(Duration),
    ) -> Result<Verification, OverBudget> {
        let unknown =
            |why: String| Verification::new(Status::Unknown, Some(org.to_string()), Some(why));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let audience = format!("{org}/oauth2/v1/token");
        let assertion =
            match super::assertion::client_assertion(key, key_id, client_id, &audience, now) {
                Ok(a) => a,
                Err(why) => return Ok(unknown(format!("the key cannot sign: {why}"))),
            };
        let form = format!(
            "grant_type=client_credentials&scope=okta.users.read\
             &client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer\
             &client_assertion={assertion}"
        );
        match self.post_form(org, "/oauth2/v1/token", "", &form, sleep) {
            Ok(answer) => Ok(token_endpoint_verdict(org, &answer)),
            Err(Failure::OverBudget(o)) => Err(o),
            Err(Failure::Unanswered(why)) => Ok(unknown(why)),
        }
    }
}

/// What a token endpoint's answer to a client credentials grant says of the client's
/// credentials (the same reading for a client secret and a signed client assertion).
pub fn token_endpoint_verdict(org: &str, answer: &Answer) -> Verification {
    let verdict =
        |status, reason: Option<String>| Verification::new(status, Some(org.to_string()), reason);
    let error = answer
        .json()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string));
    match (answer.code, error.as_deref()) {
        (200, _)
            if answer
                .json()
                .is_some_and(|v| v.get("access_token").is_some()) =>
        {
            verdict(
                Status::Live,
                Some("the org granted an access token (not kept)".into()),
            )
        }
        (400 | 401, Some("invalid_client")) => verdict(
            Status::Invalid,
            Some(format!("HTTP {}: invalid_client", answer.code)),
        ),
        (400 | 401 | 403, Some(e @ ("invalid_scope" | "unauthorized_client"))) => verdict(
            Status::Live,
            Some(format!(
                "HTTP {}: {e}: the credentials are valid, the app may not have this grant or scope",
                answer.code
            )),
        ),
        (code, Some(e)) => verdict(Status::Unknown, Some(format!("HTTP {code}: {e}"))),
        (code, None) => verdict(
            Status::Unknown,
            Some(format!(
                "HTTP {code} without an OAuth error: not an Okta org?"
            )),
        ),
    }
}

/// `application/x-www-form-urlencoded` encoding of a client id or secret (RFC 6749
/// §2.3.1 asks for it before Basic authentication).
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The run's allowance of requests and of rate-limit waiting, shared by the verification
/// threads under one lock so that it holds exactly. Once either runs out it stays out and
/// no further request is made: after a 429 the budget cannot sit out, the org's other
/// pairs would only be refused too, on the org's own rate limit.
pub struct Budget {
    max_requests: u32,
    max_wait: Duration,
    used: Mutex<Used>,
}

#[derive(Default)]
struct Used {
    requests: u32,
    waited: Duration,
    out: Option<Limit>,
}

/// Which part of the budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Requests,
    Wait,
}

/// Why a pair got no answer: the budget ran out before it or during its rate limiting.
#[derive(Debug, Clone, Copy)]
pub struct OverBudget {
    limit: Limit,
    /// The wait a 429 asked of this pair, when it was rate limited.
    asked: Option<Duration>,
}

impl Budget {
    pub fn new(max_requests: u32, max_wait: Duration) -> Budget {
        Budget {
            max_requests,
            max_wait,
            used: Mutex::default(),
        }
    }

    /// Takes one request, and with `rate_limited` = (asked, slept) the wait before it: a
    /// wait is taken only if the budget covers all the org asked for, since retrying early
    /// only earns another 429.
    pub fn take(&self, rate_limited: Option<(Duration, Duration)>) -> Result<(), OverBudget> {
        let mut s = self.used.lock().unwrap_or_else(|p| p.into_inner());
        let asked = rate_limited.map(|(asked, _)| asked);
        if s.out.is_none() {
            if s.requests >= self.max_requests {
                s.out = Some(Limit::Requests);
            } else if asked.is_some_and(|a| a > self.max_wait.saturating_sub(s.waited)) {
                s.out = Some(Limit::Wait);
            }
        }
        if let Some(limit) = s.out {
            return Err(OverBudget { limit, asked });
        }
        s.requests += 1;
        if let Some((_, slept)) = rate_limited {
            s.waited += slept;
        }
        Ok(())
    }

    pub fn verdict(&self, org: &str, o: OverBudget) -> Verification {
        let why = match (o.limit, o.asked) {
            (Limit::Wait, Some(asked)) => format!(
                "rate limited (HTTP 429) for {} s, more than is left of --verify-max-wait {} s",
                asked.as_secs(),
                self.max_wait.as_secs()
            ),
            (limit, Some(_)) => format!(
                "rate limited (HTTP 429), no request left to retry: {}",
                self.exhausted(limit)
            ),
            (limit, None) => format!("not checked, {}", self.exhausted(limit)),
        };
        Verification::new(
            Status::Unknown,
            Some(org.to_string()),
            Some(format!("{BUDGET_EXHAUSTED}: {why}")),
        )
    }

    /// What ran out, naming the flag that raises it.
    fn exhausted(&self, limit: Limit) -> String {
        match limit {
            Limit::Requests => format!("--verify-max-requests {} used up", self.max_requests),
            Limit::Wait => format!(
                "a rate limit (HTTP 429) asked for more than is left of --verify-max-wait {} s",
                self.max_wait.as_secs()
            ),
        }
    }

    /// What the run tells the user when `unchecked` findings got no answer.
    pub fn warning(&self, unchecked: usize) -> Option<String> {
        let limit = self
            .used
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .out
            .filter(|_| unchecked > 0)?;
        let flag = match limit {
            Limit::Requests => "--verify-max-requests",
            Limit::Wait => "--verify-max-wait",
        };
        let (s, them) = if unchecked == 1 {
            ("", "it")
        } else {
            ("s", "them")
        };
        Some(format!(
            "{unchecked} finding{s} not verified: {BUDGET_EXHAUSTED} ({}); raise {flag} to check {them}",
            self.exhausted(limit)
        ))
    }
}

fn json_body(content_type: &str, body: &[u8]) -> Option<serde_json::Value> {
    if !content_type.contains("json") {
        return None;
    }
    serde_json::from_slice(body).ok()
}

impl Client {
    /// Revokes the API token `token` with itself (`DELETE /api/v1/api-tokens/current`,
    /// which revokes the token in the Authorization header), then checks that it no longer
    /// works: a revocation is only reported done when the org says the token is invalid.
    pub fn revoke_api_token(&self, org: &str, token: &str, sleep: &dyn Fn(Duration)) -> Revocation {
        let failed = |f: Failure| match f {
            Failure::OverBudget(_) => Revocation::Failed(BUDGET_EXHAUSTED.into()),
            Failure::Unanswered(why) => Revocation::Failed(why),
        };
        let answer = match self.delete(
            org,
            "/api/v1/api-tokens/current",
            &format!("SSWS {token}"),
            sleep,
        ) {
            Ok(a) => a,
            Err(f) => return failed(f),
        };
        match (answer.code, answer.okta_error().as_deref()) {
            (204 | 200, _) => {}
            (401, Some("E0000011")) => return Revocation::AlreadyInvalid,
            (code, error) => {
                return Revocation::Failed(format!(
                    "HTTP {code}{}",
                    error.map(|e| format!(" {e}")).unwrap_or_default()
                ));
            }
        }
        match self.api_token_status(org, token, sleep) {
            Ok(v) if v.status == Status::Invalid => Revocation::Revoked,
            Ok(v) if v.status == Status::Live => Revocation::Failed(
                "the org accepted the revocation but the token still works".into(),
            ),
            Ok(v) => Revocation::Failed(format!(
                "revoked, but the check afterwards was inconclusive ({})",
                v.reason.unwrap_or_default()
            )),
            Err(_) => Revocation::Failed(format!(
                "revoked, but the check afterwards was not made ({BUDGET_EXHAUSTED})"
            )),
        }
    }

    /// Completes what `api_token_status` learned of a live token: the owner's admin roles
    /// and the token's own metadata, at most two more requests within the run's budget.
    pub fn complete_exposure(
        &self,
        org: &str,
        token: &str,
        verification: &mut Verification,
        sleep: &dyn Fn(Duration),
    ) {
        if verification.status != Status::Live {
            return;
        }
        if let Some(e) = verification.exposure.as_mut() {
            **e = self.exposure(org, token, e.owner.take(), sleep);
        }
    }

    /// What the live token `token` can do: its owner (from the `/users/me` answer already
    /// read), the owner's admin roles and the token's own metadata. What cannot be learned
    /// is unknown with the reason, never "none".
    fn exposure(
        &self,
        org: &str,
        token: &str,
        owner: Option<Owner>,
        sleep: &dyn Fn(Duration),
    ) -> Exposure {
        let auth = format!("SSWS {token}");
        let failed = |f: Failure| match f {
            Failure::OverBudget(_) => format!("{BUDGET_EXHAUSTED} before it was asked"),
            Failure::Unanswered(why) => why,
        };
        let refused = |a: &Answer, what: &str| match (a.code, a.okta_error()) {
            (403, code) => format!(
                "HTTP 403{}: the token may not list {what}",
                code.map(|c| format!(" {c}")).unwrap_or_default()
            ),
            (code, _) => format!("HTTP {code} listing {what}"),
        };
        let (mut roles, mut roles_unknown) = (None, None);
        let (mut meta, mut token_unknown) = (None, None);
        match &owner {
            None => {
                let why = "the owner is unknown".to_string();
                roles_unknown = Some(why.clone());
                token_unknown = Some(why);
            }
            Some(owner) => {
                match self.get(
                    org,
                    &format!("/api/v1/users/{}/roles", owner.id),
                    &auth,
                    sleep,
                ) {
                    Ok(a) if a.code == 200 => match a.json().and_then(|v| roles_of(&v)) {
                        Some(list) => roles = Some(list),
                        None => roles_unknown = Some("HTTP 200 without a role list".into()),
                    },
                    Ok(a) => roles_unknown = Some(refused(&a, "its owner's roles")),
                    Err(f) => roles_unknown = Some(failed(f)),
                }
                match self.get(org, "/api/v1/api-tokens", &auth, sleep) {
                    Ok(a) if a.code == 200 => {
                        let listed = a.json().map(|v| tokens_of(&v, &owner.id));
                        match listed.as_deref() {
                            Some([one]) => meta = Some(one.clone()),
                            Some([]) => {
                                token_unknown = Some("not among the API tokens it may list".into())
                            }
                            Some(many) => {
                                token_unknown = Some(format!(
                                    "its owner has {} API tokens and the API does not say which one this is",
                                    many.len()
                                ))
                            }
                            None => token_unknown = Some("HTTP 200 without a token list".into()),
                        }
                    }
                    Ok(a) => token_unknown = Some(refused(&a, "API tokens")),
                    Err(f) => token_unknown = Some(failed(f)),
                }
            }
        }
        let impact = crate::blast::assess(roles.as_deref(), meta.as_ref());
        Exposure {
            owner,
            roles,
            roles_unknown,
            token: meta,
            token_unknown,
            impact,
        }
    }
}

/// The owner a `/users/me` answer names: id, login and status only. An id that is not an
/// Okta id (letters and digits) is not used in a request path.
fn owner_of(v: &serde_json::Value) -> Option<Owner> {
    let id = v["id"].as_str()?;
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some(Owner {
        id: id.to_string(),
        login: v["profile"]["login"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        status: v["status"].as_str().unwrap_or_default().to_string(),
    })
}

fn roles_of(v: &serde_json::Value) -> Option<Vec<Role>> {
    v.as_array()?
        .iter()
        .map(|r| {
            Some(Role {
                kind: r["type"].as_str()?.to_string(),
                label: r["label"].as_str().unwrap_or_default().to_string(),
            })
        })
        .collect()
}

/// The API tokens of `owner` in a `GET /api/v1/api-tokens` answer.
fn tokens_of(v: &serde_json::Value, owner: &str) -> Vec<TokenMeta> {
    let text = |t: &serde_json::Value, k: &str| t[k].as_str().map(str::to_string);
    let zones = |t: &serde_json::Value, k: &str| -> Vec<String> {
        t["network"][k]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|z| z.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    v.as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["userId"].as_str() == Some(owner))
        .map(|t| TokenMeta {
            id: text(t, "id").unwrap_or_default(),
            name: text(t, "name").unwrap_or_default(),
            created: text(t, "created"),
            expires_at: text(t, "expiresAt"),
            network: t["network"]["connection"]
                .as_str()
                .unwrap_or("ANYWHERE")
                .to_string(),
            zones: zones(t, "include"),
            excluded_zones: zones(t, "exclude"),
        })
        .collect()
}

/// `/users/me` answers with the user: `id`, `status` and a `profile` object.
fn is_user(v: &serde_json::Value) -> bool {
    v["id"].is_string() && v["status"].is_string() && v["profile"].is_object()
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
    fn the_budget_holds_exactly_across_threads() {
        let budget = Budget::new(250, Duration::ZERO);
        let granted = std::sync::atomic::AtomicU32::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..100 {
                        if budget.take(None).is_ok() {
                            granted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(granted.into_inner(), 250);
        assert!(
            budget
                .warning(1)
                .unwrap()
                .contains("--verify-max-requests 250")
        );
    }

    #[test]
    fn a_wait_the_budget_cannot_cover_closes_it() {
        let secs = Duration::from_secs;
        let budget = Budget::new(10, secs(60));
        assert!(budget.take(None).is_ok());
        // Okta asks for 45 s, 30 s are slept: 30 s are left.
        assert!(budget.take(Some((secs(45), secs(30)))).is_ok());
        let e = budget.take(Some((secs(31), secs(30)))).unwrap_err();
        assert_eq!((e.limit, e.asked), (Limit::Wait, Some(secs(31))));
        // Closed for everyone, even a first request.
        assert_eq!(budget.take(None).unwrap_err().limit, Limit::Wait);
        assert_eq!(budget.warning(0), None);
        let v = budget.verdict("https://acme.okta.com", e);
        assert_eq!(v.status, Status::Unknown);
        assert_eq!(
            v.reason.as_deref(),
            Some(
                "budget exhausted: rate limited (HTTP 429) for 31 s, more than is left of \
                 --verify-max-wait 60 s"
            )
        );
    }

    #[test]
    fn bodies_are_classified_strictly() {
        let json = "application/json;charset=UTF-8";
        let user = br#"{"id":"00u1","status":"ACTIVE","profile":{"login":"a@b.c"}}"#;
        let user_object = |ct: &str, body: &[u8]| json_body(ct, body).is_some_and(|v| is_user(&v));
        assert!(user_object(json, user));
        assert!(!user_object("text/html", user));
        assert!(!user_object(json, br#"{"id":"00u1"}"#));
        assert!(!user_object(json, b"{}"));
        let err = br#"{"errorCode":"E0000011","errorSummary":"Invalid token provided"}"#;
        assert_eq!(okta_error_code(json, err).as_deref(), Some("E0000011"));
        assert_eq!(okta_error_code(json, b"E0000011"), None);
    }

    #[test]
    fn token_endpoint_answers() {
        let answer = |code: u16, body: &str| Answer {
            code,
            content_type: "application/json".into(),
            body: body.as_bytes().to_vec(),
        };
        let status =
            |code, body| token_endpoint_verdict("https://a.okta.com", &answer(code, body)).status;
        assert_eq!(
            status(200, r#"{"token_type":"Bearer","access_token":"x"}"#),
            Status::Live
        );
        assert_eq!(
            status(401, r#"{"error":"invalid_client"}"#),
            Status::Invalid
        );
        assert_eq!(status(400, r#"{"error":"invalid_scope"}"#), Status::Live);
        assert_eq!(
            status(400, r#"{"error":"unauthorized_client"}"#),
            Status::Live
        );
        assert_eq!(
            status(400, r#"{"error":"invalid_request"}"#),
            Status::Unknown
        );
        assert_eq!(status(200, "<html>"), Status::Unknown);
        assert_eq!(form_encode("a b:c+d_e-f"), "a%20b%3Ac%2Bd_e-f");
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
