//! `private_key_jwt`: a short-lived client assertion signed with a service app's private
//! key, as Okta's token endpoint takes it (RFC 7523). Used to ask an org whether a found
//! private key still works; signing is ring's, the JWT assembly is plain base64url JSON.

use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};

/// How long the assertion is valid: Okta accepts up to an hour; a check needs a minute.
const LIFETIME_SECS: u64 = 60;

enum Key {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// A signed client assertion for `client_id` at the token endpoint `audience`, issued at
/// `now` (UNIX seconds). `key` is the PEM block as found (literal, or with `\n` escapes and
/// string-literal quoting around its lines). The error says why the key cannot sign.
pub fn client_assertion(
    key: &str,
    key_id: Option<&str>,
    client_id: &str,
    audience: &str,
    now: u64,
) -> Result<String, String> {
    let rng = SystemRandom::new();
    let key = parse(key, &rng)?;
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

/// The key of a PEM block: PKCS#8 (RSA or EC P-256), PKCS#1 RSA, or SEC1 EC P-256.
fn parse(pem: &str, rng: &SystemRandom) -> Result<Key, String> {
    let label = ["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY"]
        .into_iter()
        .find(|l| pem.contains(&format!("-----BEGIN {l}-----")))
        .ok_or("not a PEM private key")?;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let body = pem
        .split_once(&begin)
        .and_then(|(_, rest)| rest.split_once(&end))
        .map(|(body, _)| body)
        .ok_or("no END line")?;
    // Whatever quoting carried the lines: `\n` escapes, quotes, `+`, commas, white space.
    let base64: String = body
        .replace("\\n", "")
        .replace("\\r", "")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64.trim_end_matches('='))
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(base64.trim_end_matches('='))
        })
        .map_err(|_| "the PEM body is not base64".to_string())?;
    let ec = |pkcs8: &[u8]| EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, rng);
    match label {
        "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der)
            .map(Key::Rsa)
            .map_err(|e| format!("not a usable RSA key ({e})")),
        "EC PRIVATE KEY" => ec(&sec1_to_pkcs8(&der))
            .map(Key::Ec)
            .map_err(|_| "not a P-256 EC key with its public part (ES256 only)".to_string()),
        _ => RsaKeyPair::from_pkcs8(&der)
            .map(Key::Rsa)
            .or_else(|_| ec(&der).map(Key::Ec))
            .map_err(|_| "neither an RSA nor a P-256 EC key".to_string()),
    }
}

/// Wraps a SEC1 `ECPrivateKey` of curve P-256 in the PKCS#8 envelope ring reads.
fn sec1_to_pkcs8(sec1: &[u8]) -> Vec<u8> {
    // AlgorithmIdentifier { id-ecPublicKey, prime256v1 }.
    const ALGORITHM: &[u8] = &[
        0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
        0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
    ];
    let mut inner = vec![0x02, 0x01, 0x00];
    inner.extend_from_slice(ALGORITHM);
    inner.push(0x04);
    der_length(&mut inner, sec1.len());
    inner.extend_from_slice(sec1);
    let mut out = vec![0x30];
    der_length(&mut out, inner.len());
    out.extend(inner);
    out
}

fn der_length(out: &mut Vec<u8>, len: usize) {
    match len {
        0..=0x7f => out.push(len as u8),
        0x80..=0xff => out.extend([0x81, len as u8]),
        _ => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{ECDSA_P256_SHA256_FIXED, KeyPair, UnparsedPublicKey};

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
