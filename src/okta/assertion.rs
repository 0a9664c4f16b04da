//! `private_key_jwt`: a short-lived client assertion signed with a service app's private
//! key, as Okta's token endpoint takes it (RFC 7523). Used to ask an org whether a found
//! private key still works; signing is ring's, the JWT assembly is plain base64url JSON.

use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::RSA_PKCS1_SHA256;

use crate::keys::{self, Key};

/// How long the assertion is valid: Okta accepts up to an hour; a check needs a minute.
const LIFETIME_SECS: u64 = 60;

/// A signed client assertion for `client_id` at the token endpoint `audience`, issued at
/// `now` (UNIX seconds). `key` is the PEM block as found (literal, or with `\n` escapes and
/// string-literal quoting around its lines) or the JWK object with its private members.
/// The error says why the key cannot sign.
pub fn client_assertion(
    key: &str,
    key_id: Option<&str>,
    client_id: &str,
    audience: &str,
    now: u64,
) -> Result<String, String> {
    let rng = SystemRandom::new();
    let key = keys::parse(key, &rng)?;
    let alg = match key {
        Key::Rsa(_) => "RS256",
        Key::Ec(_) => "ES256",
    };
    let mut header = serde_json::json!({"alg": alg, "typ": "JWT"});
    if let Some(kid) = key_id {
        header["kid"] = kid.into();
    }
    let mut jti = [0u8; 16];
    rng.fill(&mut jti)
        .map_err(|_| "no randomness for the jti".to_string())?;
    let claims = serde_json::json!({
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "exp": now + LIFETIME_SECS,
        "jti": b64(&jti),
    });
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = match &key {
        Key::Rsa(pair) => {
            let mut sig = vec![0; pair.public().modulus_len()];
            pair.sign(&RSA_PKCS1_SHA256, &rng, signing_input.as_bytes(), &mut sig)
                .map_err(|_| "RSA signing failed".to_string())?;
            sig
        }
        Key::Ec(pair) => pair
            .sign(&rng, signing_input.as_bytes())
            .map_err(|_| "ECDSA signing failed".to_string())?
            .as_ref()
            .to_vec(),
    };
    Ok(format!("{signing_input}.{}", b64(&signature)))
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{
        ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
        UnparsedPublicKey,
    };

    fn pem(der: &[u8], escaped: bool) -> String {
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let nl = if escaped { "\\n" } else { "\n" };
        format!(
            "-----BEGIN PRIVATE KEY-----{nl}{}{nl}-----END PRIVATE KEY-----",
            lines.join(nl)
        )
    }

    #[test]
    fn assertions_verify_with_the_public_key_and_carry_the_claims() {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        for escaped in [false, true] {
            let jwt = client_assertion(
                &pem(pkcs8.as_ref(), escaped),
                Some("k1"),
                "0oa1abcdefghijklmnop",
                "https://acme.okta.com/oauth2/v1/token",
                1_700_000_000,
            )
            .unwrap();
            let (input, sig) = jwt.rsplit_once('.').unwrap();
            let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(sig)
                .unwrap();
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, pair.public_key().as_ref())
                .verify(input.as_bytes(), &sig)
                .unwrap();
            let claims = input.split('.').nth(1).unwrap();
            let claims: serde_json::Value = serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(claims)
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(claims["iss"], "0oa1abcdefghijklmnop");
            assert_eq!(claims["sub"], "0oa1abcdefghijklmnop");
            assert_eq!(claims["exp"], 1_700_000_060);
        }
        assert!(
            client_assertion(
                "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
                None,
                "x",
                "y",
                0
            )
            .is_err()
        );
        assert!(client_assertion("nothing", None, "x", "y", 0).is_err());
    }
}
