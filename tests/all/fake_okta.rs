//! The fake Okta org of `common::okta` answers as an org does: these pin its behaviour, so
//! that tests built on it (verification, revocation, blast radius) test tokenwarden and
//! not the fake.

use serde_json::Value;

use crate::common::okta::{Behavior, FakeOkta, http};
use crate::common::okta_token;

fn ssws(token: &str) -> String {
    format!("SSWS {token}")
}

fn get(okta: &FakeOkta, path: &str, token: &str) -> (u16, Value) {
    let (status, body) = http(
        "GET",
        &format!("{}{path}", okta.url),
        &[
            ("Authorization", &ssws(token)),
            ("Accept", "application/json"),
        ],
        "",
    );
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn delete(okta: &FakeOkta, path: &str, token: &str) -> u16 {
    http(
        "DELETE",
        &format!("{}{path}", okta.url),
        &[("Authorization", &ssws(token))],
        "",
    )
    .0
}

#[test]
fn users_me_answers_by_token() {
    let (live, dead) = (okta_token(1), okta_token(2));
    let okta = FakeOkta::builder()
        .token(&live, Behavior::Live)
        .token(&dead, Behavior::Invalid)
        .start();
    let (status, user) = get(&okta, "/api/v1/users/me", &live);
    assert_eq!((status, user["id"].as_str()), (200, Some("00u1")));
    let (status, error) = get(&okta, "/api/v1/users/me", &dead);
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (401, Some("E0000011"))
    );
    let (status, error) = get(&okta, "/api/v1/users/me", &okta_token(3));
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (401, Some("E0000011"))
    );
    assert_eq!(okta.count(&live), 1);
    assert_eq!(okta.requests().len(), 3);
    assert_eq!(okta.requests()[0].method, "GET");
}

#[test]
fn unknown_paths_are_okta_404s() {
    let token = okta_token(4);
    let okta = FakeOkta::builder().token(&token, Behavior::Live).start();
    let (status, error) = get(&okta, "/api/v1/nothing-here", &token);
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (404, Some("E0000007"))
    );
}

#[test]
fn rate_limits_carry_okta_headers_and_error_code() {
    let token = okta_token(5);
    let okta = FakeOkta::builder()
        .token(&token, Behavior::RateLimitedOnce)
        .start();
    let (status, error) = get(&okta, "/api/v1/users/me", &token);
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (429, Some("E0000047"))
    );
    assert_eq!(get(&okta, "/api/v1/users/me", &token).0, 200, "then live");
}

#[test]
fn revoking_the_current_token_makes_it_invalid() {
    let (token, other) = (okta_token(6), okta_token(7));
    let okta = FakeOkta::builder()
        .token(&token, Behavior::Live)
        .token(&other, Behavior::Live)
        .start();
    assert_eq!(delete(&okta, "/api/v1/api-tokens/current", &token), 204);
    assert_eq!(get(&okta, "/api/v1/users/me", &token).0, 401);
    assert_eq!(delete(&okta, "/api/v1/api-tokens/current", &token), 401);
    assert_eq!(get(&okta, "/api/v1/users/me", &other).0, 200, "others stay");
}

#[test]
fn tokens_are_listed_and_revoked_by_id() {
    let (admin, leaked) = (okta_token(8), okta_token(9));
    let okta = FakeOkta::builder()
        .token(&admin, Behavior::Live)
        .token(&leaked, Behavior::Live)
        .start();
    let (status, list) = get(&okta, "/api/v1/api-tokens", &admin);
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    for field in ["id", "name", "userId", "clientName", "created", "expiresAt"] {
        assert!(list[1][field].is_string(), "{field}: {}", list[1]);
    }
    let id = list[1]["id"].as_str().unwrap();
    assert_eq!(
        delete(&okta, &format!("/api/v1/api-tokens/{id}"), &admin),
        204
    );
    assert_eq!(get(&okta, "/api/v1/users/me", &leaked).0, 401);
    assert_eq!(
        get(&okta, "/api/v1/api-tokens", &admin)
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let again = delete(&okta, &format!("/api/v1/api-tokens/{id}"), &admin);
    assert_eq!(again, 404, "already revoked");
}

#[test]
fn roles_of_a_user() {
    let token = okta_token(10);
    let okta = FakeOkta::builder()
        .token(&token, Behavior::Live)
        .roles("00u1", &["SUPER_ADMIN", "Help desk (custom)"])
        .start();
    let (status, roles) = get(&okta, "/api/v1/users/00u1/roles", &token);
    assert_eq!(status, 200);
    let types: Vec<&str> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["SUPER_ADMIN", "CUSTOM"]);
    assert_eq!(get(&okta, "/api/v1/users/00u9/roles", &token).0, 404);
}

#[test]
fn client_credentials_grant_tokens_to_known_clients_only() {
    let okta = FakeOkta::builder()
        .client("0oa1abcdefghijklmnop", "right")
        .start();
    let url = format!("{}/oauth2/v1/token", okta.url);
    let form = |secret: &str| {
        format!(
            "grant_type=client_credentials&scope=okta.users.read&client_id=0oa1abcdefghijklmnop&client_secret={secret}"
        )
    };
    let (status, body) = http("POST", &url, &[], &form("right"));
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "okta.users.read");
    let (status, body) = http("POST", &url, &[], &form("wrong"));
    assert_eq!(status, 401);
    assert!(body.contains("invalid_client"), "{body}");
    // client_secret_basic: base64("0oa1abcdefghijklmnop:right").
    let (status, _) = http(
        "POST",
        &url,
        &[(
            "Authorization",
            "Basic MG9hMWFiY2RlZmdoaWprbG1ub3A6cmlnaHQ=",
        )],
        "grant_type=client_credentials",
    );
    assert_eq!(status, 200);
}
