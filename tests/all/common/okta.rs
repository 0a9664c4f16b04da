//! A fake Okta org: a real HTTP/1.1 server on 127.0.0.1 that answers the management API
//! the way an org does (status codes, Okta's error bodies, rate-limit headers), records
//! every request, and keeps state (a revoked token stays revoked). Runs until the test
//! process exits.
//!
//! Endpoints: `GET /api/v1/users/me`, `GET /api/v1/api-tokens`,
//! `DELETE /api/v1/api-tokens/current`, `DELETE /api/v1/api-tokens/{id}`,
//! `GET /api/v1/users/{id}/roles`, `POST /oauth2/v1/token` (client credentials). Anything
//! else is Okta's 404 (`E0000007`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// How the org treats an API token.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Behavior {
    Live,
    Invalid,
    /// 403 with Okta's error body (`E0000006`).
    Forbidden,
    /// A 429 (`E0000047`, `X-Rate-Limit-*` headers) the first time, then live.
    RateLimitedOnce,
    /// Live, after 3 s.
    Slow,
    ServerError,
    /// 401 without Okta's error body (some other server).
    BareUnauthorized,
    /// 200 with a body that is not an Okta user (a login page, a catch-all proxy).
    NotAUser,
    /// 403 without Okta's error body.
    BareForbidden,
    /// 429 every time, with `Retry-After` seconds.
    RateLimited(u64),
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub authorization: String,
    pub accept: String,
    pub user_agent: String,
    pub body: String,
}

/// An API token the org knows: its secret, and the metadata `GET /api/v1/api-tokens` lists.
#[derive(Clone)]
struct ApiToken {
    id: String,
    secret: String,
    name: String,
    user_id: String,
    /// Network zones the token is limited to (`ZONE`); empty: `ANYWHERE`.
    zones: Vec<String>,
}

#[derive(Default)]
struct State {
    behaviors: HashMap<String, Behavior>,
    api_tokens: Vec<ApiToken>,
    /// User id → role types (`SUPER_ADMIN`, `ORG_ADMIN`, or a custom role's label).
    roles: HashMap<String, Vec<String>>,
    /// OAuth client id → client secret.
    clients: HashMap<String, String>,
    /// Client id → the raw P-256 public key its `private_key_jwt` assertions verify with.
    client_keys: HashMap<String, Vec<u8>>,
    revoked: Vec<String>,
    /// Users whose role list answers 403 (`E0000006`).
    roles_forbidden: Vec<String>,
    /// Tokens whose `DELETE /api/v1/api-tokens/current` answers 500.
    revoke_fails: Vec<String>,
    requests: Vec<Request>,
}

pub struct FakeOkta {
    pub url: String,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
pub struct Builder {
    state: State,
}

impl Builder {
    /// `token` answers as `behavior`; a live one is also listed as an API token of user
    /// `00u1` (id `00T` + its position, usable from any network), the user `users/me`
    /// returns; `owned_by` and `zones` change the last token added.
    pub fn token(mut self, token: &str, behavior: Behavior) -> Builder {
        self.state.behaviors.insert(token.to_string(), behavior);
        let id = format!("00T{:017}", self.state.api_tokens.len());
        self.state.api_tokens.push(ApiToken {
            id,
            secret: token.to_string(),
            name: format!("token {}", self.state.api_tokens.len() + 1),
            user_id: "00u1".into(),
            zones: Vec::new(),
        });
        self
    }

    /// The last token added belongs to user `user_id` (`users/me` answers with that user,
    /// login `<user_id>@example.com`).
    pub fn owned_by(mut self, user_id: &str) -> Builder {
        if let Some(t) = self.state.api_tokens.last_mut() {
            t.user_id = user_id.to_string();
        }
        self
    }

    /// The last token added is usable only from these network zones.
    pub fn zones(mut self, zones: &[&str]) -> Builder {
        if let Some(t) = self.state.api_tokens.last_mut() {
            t.zones = zones.iter().map(|z| z.to_string()).collect();
        }
        self
    }

    /// Listing the roles of `user_id` answers 403 (`E0000006`).
    pub fn roles_forbidden(mut self, user_id: &str) -> Builder {
        self.state.roles_forbidden.push(user_id.to_string());
        self
    }

    /// Revoking `token` with `DELETE /api/v1/api-tokens/current` answers 500; it stays live.
    pub fn revoke_fails(mut self, token: &str) -> Builder {
        self.state.revoke_fails.push(token.to_string());
        self
    }

    pub fn tokens<'t>(self, tokens: impl IntoIterator<Item = (&'t String, Behavior)>) -> Builder {
        tokens
            .into_iter()
            .fold(self, |b, (t, kind)| b.token(t, kind))
    }

    /// The admin roles of user `user_id`.
    pub fn roles(mut self, user_id: &str, roles: &[&str]) -> Builder {
        self.state.roles.insert(
            user_id.to_string(),
            roles.iter().map(|r| r.to_string()).collect(),
        );
        self
    }

    /// An OAuth service app that gets access tokens with `client_secret_post` or `_basic`.
    pub fn client(mut self, client_id: &str, secret: &str) -> Builder {
        self.state
            .clients
            .insert(client_id.to_string(), secret.to_string());
        self
    }

    /// A service app that authenticates with `private_key_jwt`, ES256, with this public key
    /// (an uncompressed P-256 point, as ring gives it).
    pub fn client_key(mut self, client_id: &str, public_key: &[u8]) -> Builder {
        self.state
            .client_keys
            .insert(client_id.to_string(), public_key.to_vec());
        self
    }

    pub fn start(self) -> FakeOkta {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(self.state));
        let shared = state.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                thread::spawn(move || serve(stream, &state));
            }
        });
        FakeOkta { url, state }
    }
}

impl FakeOkta {
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// An org that knows these tokens (none: every token is invalid).
    pub fn start(behaviors: HashMap<String, Behavior>) -> FakeOkta {
        FakeOkta::builder()
            .tokens(behaviors.iter().map(|(t, b)| (t, *b)))
            .start()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Status checks (`GET /api/v1/users/me`) made with `token`; a live token's exposure
    /// (roles, token metadata) adds up to two more requests to `count`.
    pub fn checks(&self, token: &str) -> usize {
        let auth = format!("SSWS {token}");
        self.requests()
            .iter()
            .filter(|r| r.authorization == auth && r.path == "/api/v1/users/me")
            .count()
    }

    /// Requests made with `token` in the SSWS header.
    pub fn count(&self, token: &str) -> usize {
        let auth = format!("SSWS {token}");
        self.requests()
            .iter()
            .filter(|r| r.authorization == auth)
            .count()
    }
}

struct Response {
    status: &'static str,
    headers: String,
    body: String,
}

fn respond(status: &'static str, body: Value) -> Response {
    Response {
        status,
        headers: String::new(),
        body: body.to_string(),
    }
}

fn okta_error(status: &'static str, code: &str, summary: &str) -> Response {
    respond(
        status,
        json!({"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oae1", "errorCauses": []}),
    )
}

fn invalid_token() -> Response {
    okta_error("401 Unauthorized", "E0000011", "Invalid token provided")
}

fn not_found() -> Response {
    okta_error(
        "404 Not Found",
        "E0000007",
        "Not found: Resource not found: (Request)",
    )
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let Some(req) = read_request(&stream) else {
        return;
    };
    let response = answer(&req, state);
    let mut stream = stream;
    let _ = stream.write_all(
        format!(
            "HTTP/1.1 {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n{}",
            response.status,
            response.body.len(),
            response.headers,
            response.body
        )
        .as_bytes(),
    );
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.trim_end().split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let header = |k: &str| headers.get(k).cloned().unwrap_or_default();
    let length: usize = header("content-length").parse().unwrap_or(0);
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    let mut words = request_line.split_whitespace();
    Some(Request {
        method: words.next().unwrap_or_default().to_string(),
        path: words.next().unwrap_or_default().to_string(),
        authorization: header("authorization"),
        accept: header("accept"),
        user_agent: header("user-agent"),
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn answer(req: &Request, state: &Mutex<State>) -> Response {
    let token = req
        .authorization
        .strip_prefix("SSWS ")
        .unwrap_or_default()
        .to_string();
    let (behavior, seen_before) = {
        let mut s = state.lock().unwrap();
        let seen = s
            .requests
            .iter()
            .filter(|r| r.authorization == req.authorization)
            .count();
        s.requests.push(req.clone());
        let revoked = s.revoked.contains(&token);
        let behavior = s.behaviors.get(&token).copied().filter(|_| !revoked);
        (behavior, seen)
    };
    let path = req.path.split('?').next().unwrap_or_default();
    if (req.method.as_str(), path) == ("POST", "/oauth2/v1/token") {
        return client_credentials(req, state);
    }
    // How the token itself fares, whatever it asks for.
    match behavior {
        Some(Behavior::Live) => {}
        Some(Behavior::BareUnauthorized) => return bare("401 Unauthorized", ""),
        Some(Behavior::NotAUser) => return bare("200 OK", r#"{"ok":true}"#),
        Some(Behavior::BareForbidden) => return bare("403 Forbidden", "{}"),
        Some(Behavior::Forbidden) => {
            return okta_error(
                "403 Forbidden",
                "E0000006",
                "You do not have permission to perform the requested action",
            );
        }
        Some(Behavior::RateLimitedOnce) if seen_before == 0 => {
            let reset = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs()
                + 1;
            let mut r = okta_error(
                "429 Too Many Requests",
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
            );
            r.headers = format!(
                "X-Rate-Limit-Limit: 600\r\nX-Rate-Limit-Remaining: 0\r\nX-Rate-Limit-Reset: {reset}\r\n"
            );
            return r;
        }
        Some(Behavior::RateLimitedOnce) => {}
        Some(Behavior::RateLimited(secs)) => {
            let mut r = okta_error(
                "429 Too Many Requests",
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
            );
            r.headers = format!("Retry-After: {secs}\r\n");
            return r;
        }
        Some(Behavior::Slow) => thread::sleep(Duration::from_secs(3)),
        Some(Behavior::ServerError) => return bare("500 Internal Server Error", "oops"),
        Some(Behavior::Invalid) | None => return invalid_token(),
    }
    let mut s = state.lock().unwrap();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["api", "v1", "users", "me"]) => {
            let user = s
                .api_tokens
                .iter()
                .find(|t| t.secret == token)
                .map_or("00u1".to_string(), |t| t.user_id.clone());
            let login = if user == "00u1" {
                "a@example.com".to_string()
            } else {
                format!("{user}@example.com")
            };
            respond(
                "200 OK",
                json!({"id": user, "status": "ACTIVE", "profile": {"login": login, "firstName": "Ada", "mobilePhone": "+1 555 0100"}}),
            )
        }
        ("GET", ["api", "v1", "api-tokens"]) => {
            let live: Vec<Value> = s
                .api_tokens
                .iter()
                .filter(|t| !s.revoked.contains(&t.secret))
                .map(|t| {
                    json!({
                        "id": t.id, "name": t.name, "userId": t.user_id,
                        "clientName": "Okta API", "tokenWindow": "P30D",
                        "created": "2026-01-05T10:00:00.000Z",
                        "lastUpdated": "2026-11-30T08:00:00.000Z",
                        "expiresAt": "2026-12-30T08:00:00.000Z",
                        "network": if t.zones.is_empty() {
                            json!({"connection": "ANYWHERE"})
                        } else {
                            json!({"connection": "ZONE", "include": t.zones})
                        },
                    })
                })
                .collect();
            respond("200 OK", Value::Array(live))
        }
        ("DELETE", ["api", "v1", "api-tokens", "current"]) => {
            if s.revoke_fails.contains(&token) {
                return bare("500 Internal Server Error", "oops");
            }
            s.revoked.push(token);
            bare("204 No Content", "")
        }
        ("DELETE", ["api", "v1", "api-tokens", id]) => {
            match s.api_tokens.iter().find(|t| t.id == *id).cloned() {
                Some(t) if !s.revoked.contains(&t.secret) => {
                    s.revoked.push(t.secret);
                    bare("204 No Content", "")
                }
                _ => not_found(),
            }
        }
        ("GET", ["api", "v1", "users", user, "roles"])
            if s.roles_forbidden.iter().any(|u| u == user) =>
        {
            okta_error(
                "403 Forbidden",
                "E0000006",
                "You do not have permission to perform the requested action",
            )
        }
        ("GET", ["api", "v1", "users", user, "roles"]) => match s.roles.get(*user) {
            Some(roles) => {
                let list: Vec<Value> = roles
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let custom = !r.chars().all(|c| c.is_ascii_uppercase() || c == '_');
                        // Okta's labels for its standard roles (its API's examples).
                        let label = match r.as_str() {
                            "SUPER_ADMIN" => "Super Organization administrator",
                            "ORG_ADMIN" => "Organization Administrator",
                            "READ_ONLY_ADMIN" => "Read Only Administrator",
                            "APP_ADMIN" => "Application Administrator",
                            "HELP_DESK_ADMIN" => "Help Desk Administrator",
                            other => other,
                        };
                        json!({
                            "id": format!("ra1{i:017}"),
                            "label": label,
                            "type": if custom { "CUSTOM" } else { r.as_str() },
                            "status": "ACTIVE",
                            "assignmentType": "USER",
                        })
                    })
                    .collect();
                respond("200 OK", Value::Array(list))
            }
            None => not_found(),
        },
        _ => not_found(),
    }
}

fn bare(status: &'static str, body: &str) -> Response {
    Response {
        status,
        headers: String::new(),
        body: body.to_string(),
    }
}

/// `POST /oauth2/v1/token` with `grant_type=client_credentials`, the client authenticated
/// by `client_secret_post` (form fields) or `client_secret_basic` (an Authorization header).
fn client_credentials(req: &Request, state: &Mutex<State>) -> Response {
    let form: HashMap<&str, &str> = req
        .body
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let basic = req
        .authorization
        .strip_prefix("Basic ")
        .and_then(decode_base64)
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            Some((id.to_string(), secret.to_string()))
        });
    let (id, secret) = match basic {
        Some(pair) => pair,
        None => (
            form.get("client_id").unwrap_or(&"").to_string(),
            form.get("client_secret").unwrap_or(&"").to_string(),
        ),
    };
    let known = match form.get("client_assertion") {
        Some(jwt) => assertion_client(jwt, &state.lock().unwrap().client_keys).is_some(),
        None => state.lock().unwrap().clients.get(&id) == Some(&secret),
    };
    if form.get("grant_type") != Some(&"client_credentials") {
        return respond(
            "400 Bad Request",
            json!({"error": "unsupported_grant_type", "error_description": "The authorization grant type is not supported by the authorization server."}),
        );
    }
    if !known {
        return respond(
            "401 Unauthorized",
            json!({"error": "invalid_client", "error_description": "The client secret supplied for a confidential client is invalid."}),
        );
    }
    let scope = form
        .get("scope")
        .map(|s| s.replace('+', " ").replace("%20", " "))
        .unwrap_or_default();
    respond(
        "200 OK",
        json!({"token_type": "Bearer", "expires_in": 3600, "access_token": "eyJraWQiOiJmYWtlIn0.e30.c2ln", "scope": scope}),
    )
}

/// The client a `private_key_jwt` assertion authenticates: its signature verifies with the
/// key registered for its `iss`, which is also its `sub`, and it has not expired.
fn assertion_client(jwt: &str, keys: &HashMap<String, Vec<u8>>) -> Option<String> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (input, signature) = jwt.rsplit_once('.')?;
    let claims: Value = serde_json::from_slice(&b64.decode(input.split('.').nth(1)?).ok()?).ok()?;
    let iss = claims["iss"].as_str()?;
    if claims["sub"].as_str() != Some(iss) || !claims["aud"].as_str()?.ends_with("/oauth2/v1/token")
    {
        return None;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    if claims["exp"].as_u64()? < now {
        return None;
    }
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::ECDSA_P256_SHA256_FIXED,
        keys.get(iss)?,
    )
    .verify(input.as_bytes(), &b64.decode(signature).ok()?)
    .ok()?;
    Some(iss.to_string())
}

fn decode_base64(text: &str) -> Option<String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// A minimal HTTP/1.1 client for tests that talk to the fake org directly: (status, body).
pub fn http(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("a loopback http URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(host).unwrap();
    let mut request = format!(
        "{method} {} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n",
        if path.is_empty() { "/" } else { path },
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}
