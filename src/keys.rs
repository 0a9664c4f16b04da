//! Private keys as found in files: PEM blocks of PKCS#8 (RSA or EC P-256), PKCS#1 RSA and
//! SEC1 EC P-256 keys, whatever string-literal quoting carried their lines, and JWKs with
//! their private members (RSA, EC P-256). What signs client assertions (`okta::assertion`)
//! and what names a key in reports without showing it (its public key's fingerprint) both
//! start here.

use std::ops::Range;

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RsaKeyPair};

pub enum Key {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// How a found private key is shown: its PEM header (or a JWK's `kty` and `kid`) and the
/// SHA-256 of its public key (the first 16 hex digits), which names the key without
/// revealing anything of it: the app's registered JWK has the same public part, and the
/// PEM and JWK forms of one key are named alike. `None` when the text is no usable key.
pub fn describe(text: &str) -> Option<String> {
    let key = parse(text, &SystemRandom::new()).ok()?;
    let public = match &key {
        Key::Rsa(pair) => pair.public_key().as_ref().to_vec(),
        Key::Ec(pair) => pair.public_key().as_ref().to_vec(),
    };
    let digest = ring::digest::digest(&ring::digest::SHA256, &public);
    let fingerprint = &crate::finding::hex(digest.as_ref())[..16];
    if is_jwk(text) {
        let jwk: serde_json::Value = serde_json::from_str(text).ok()?;
        let member = |name: &str| jwk.get(name).and_then(|v| v.as_str()).map(str::to_string);
        let kid = member("kid")
            .map(|k| format!(" kid={}", crate::escape::sanitize(&k)))
            .unwrap_or_default();
        return Some(format!(
            "JWK kty={}{kid} (public key sha256:{fingerprint}…)",
            member("kty").unwrap_or_default()
        ));
    }
    let header = text.split("-----").nth(1)?;
    Some(format!(
        "-----{header}----- (public key sha256:{fingerprint}…)"
    ))
}

fn is_jwk(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// The key of a PEM block (PKCS#8 RSA or EC P-256, PKCS#1 RSA, SEC1 EC P-256) or of a JWK
/// object with its private members.
pub fn parse(text: &str, rng: &SystemRandom) -> Result<Key, String> {
    if is_jwk(text) {
        return parse_jwk(text, rng);
    }
    parse_pem(text, rng)
}

fn parse_pem(pem: &str, rng: &SystemRandom) -> Result<Key, String> {
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

/// The private members of a JWK (RFC 7518 §6): each alone gives the key away.
const JWK_PRIVATE: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];

fn parse_jwk(text: &str, rng: &SystemRandom) -> Result<Key, String> {
    let jwk: serde_json::Value =
        serde_json::from_str(text).map_err(|_| "the JWK is not valid JSON".to_string())?;
    let member = |name: &str| -> Result<Vec<u8>, String> {
        let value = jwk
            .get(name)
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("the JWK has no `{name}`"))?;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(value.trim_end_matches('='))
            .map_err(|_| format!("the JWK's `{name}` is not base64url"))
    };
    match jwk.get("kty").and_then(|v| v.as_str()) {
        Some("RSA") => {
            let components = ring::rsa::KeyPairComponents {
                public_key: ring::rsa::PublicKeyComponents {
                    n: member("n")?,
                    e: member("e")?,
                },
                d: member("d")?,
                p: member("p")?,
                q: member("q")?,
                dP: member("dp")?,
                dQ: member("dq")?,
                qInv: member("qi")?,
            };
            RsaKeyPair::from_components(&components)
                .map(Key::Rsa)
                .map_err(|e| format!("not a usable RSA key ({e})"))
        }
        Some("EC") if jwk.get("crv").and_then(|v| v.as_str()) == Some("P-256") => {
            let mut point = vec![0x04];
            point.extend(member("x")?);
            point.extend(member("y")?);
            EcdsaKeyPair::from_private_key_and_public_key(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                &member("d")?,
                &point,
                rng,
            )
            .map(Key::Ec)
            .map_err(|_| "not a usable P-256 key".to_string())
        }
        Some(kty) => Err(format!(
            "a JWK of kty {} cannot sign here (RSA and EC P-256 only)",
            crate::escape::sanitize(kty)
        )),
        None => Err("the JWK has no `kty`".into()),
    }
}

/// The JWK object a private-key match at `start` belongs to: `None` for a PEM block (the
/// match is the whole key) or a `d` outside any JWK.
pub fn jwk_of_match(blob: &[u8], start: usize) -> Option<Range<usize>> {
    if blob[start..].starts_with(b"-----") {
        return None;
    }
    jwk_around(blob, start)
}

/// The JWK object around offset `at` of `blob`: the innermost JSON object that holds `at`
/// and has `kty` and `d` (a JWK found by its private member). Looks back at most 64 KiB
/// and 32 objects.
pub fn jwk_around(blob: &[u8], at: usize) -> Option<Range<usize>> {
    let floor = at.saturating_sub(64 << 10);
    let mut end = at;
    // A bounded number of tries: each parses a whole object, and a JWK's own `{` is
    // within a few of its `d`.
    for _ in 0..32 {
        let Some(open) = memchr::memrchr(b'{', &blob[floor..end]).map(|i| floor + i) else {
            break;
        };
        end = open;
        let mut objects =
            serde_json::Deserializer::from_slice(&blob[open..]).into_iter::<serde_json::Value>();
        let Some(Ok(serde_json::Value::Object(o))) = objects.next() else {
            continue;
        };
        let close = open + objects.byte_offset();
        if close > at && o.contains_key("kty") && o.contains_key("d") {
            return Some(open..close);
        }
    }
    None
}

/// Where the values of the private members of the JWK at `object` are, in `blob`: each is
/// as secret as the member that was found, so all of them are redacted.
pub fn jwk_private_spans(blob: &[u8], object: Range<usize>) -> Vec<Range<usize>> {
    let Ok(serde_json::Value::Object(jwk)) =
        serde_json::from_slice::<serde_json::Value>(&blob[object.clone()])
    else {
        return Vec::new();
    };
    let text = &blob[object.clone()];
    JWK_PRIVATE
        .iter()
        .filter_map(|name| jwk.get(*name)?.as_str())
        .filter(|value| !value.is_empty())
        .flat_map(|value| {
            memchr::memmem::find_iter(text, value.as_bytes())
                .map(|i| object.start + i..object.start + i + value.len())
                .collect::<Vec<_>>()
        })
        .collect()
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

    /// A P-256 key as ring generates it, and its JWK (`d`, `x`, `y` read out of ring's
    /// fixed PKCS#8 layout: the 32-byte private key after `04 20`, the public point last).
    fn ec_key_and_jwk() -> (Vec<u8>, String) {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let der = pkcs8.as_ref().to_vec();
        assert_eq!(der[34..36], [0x04, 0x20], "ring's PKCS#8 layout");
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let point = &der[der.len() - 64..];
        let jwk = serde_json::json!({
            "kty": "EC", "crv": "P-256", "kid": "k1",
            "x": b64(&point[..32]), "y": b64(&point[32..]), "d": b64(&der[36..68]),
        });
        (der, jwk.to_string())
    }

    #[test]
    fn a_jwk_signs_and_is_named_like_its_pem() {
        let (der, jwk) = ec_key_and_jwk();
        let body = base64::engine::general_purpose::STANDARD.encode(&der);
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----");
        let (named_jwk, named_pem) = (describe(&jwk).unwrap(), describe(&pem).unwrap());
        assert!(
            named_jwk.starts_with("JWK kty=EC kid=k1 (public key sha256:"),
            "{named_jwk}"
        );
        assert_eq!(
            named_jwk.rsplit_once(":").unwrap().1,
            named_pem.rsplit_once(":").unwrap().1
        );
        let rng = SystemRandom::new();
        let public = |k: Key| match k {
            Key::Ec(pair) => pair.public_key().as_ref().to_vec(),
            Key::Rsa(_) => unreachable!(),
        };
        assert_eq!(
            public(parse(&jwk, &rng).unwrap()),
            public(parse(&pem, &rng).unwrap())
        );
        // What cannot sign says why.
        let why = |text: &str| parse(text, &rng).err().unwrap();
        assert_eq!(
            why(r#"{"kty":"OKP","crv":"Ed25519","d":"AA"}"#),
            "a JWK of kty OKP cannot sign here (RSA and EC P-256 only)"
        );
        assert_eq!(
            why(r#"{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AA"}"#),
            "the JWK has no `p`"
        );
        assert_eq!(
            why(r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AA"}"#),
            "not a usable P-256 key"
        );
    }

    #[test]
    fn a_jwk_is_found_around_its_d_with_all_its_private_members() {
        let text = br#"{"client_id":"0oa1","jwks":{"keys":[{"kty":"RSA","n":"bm4","e":"AQAB","d":"ZGQ","p":"cHA","q":"cXE","dp":"ZHA","dq":"ZHE","qi":"cWk","kid":"{x}"}]}}"#;
        let at = memchr::memmem::find(text, b"ZGQ").unwrap();
        let object = jwk_around(text, at).unwrap();
        assert!(text[object.clone()].starts_with(br#"{"kty":"RSA""#));
        assert!(text[object.clone()].ends_with(br#""kid":"{x}"}"#));
        let shown: Vec<&[u8]> = jwk_private_spans(text, object)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(shown, [&b"ZGQ"[..], b"cHA", b"cXE", b"ZHA", b"ZHE", b"cWk"]);
        // A `d` outside any JWK object.
        assert!(jwk_around(br#"{"a":1} "d": "ZGQ""#, 12).is_none());
    }

    #[test]
    fn a_key_is_described_by_its_header_and_public_fingerprint() {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let body = base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref());
        let pem = format!("-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----");
        let shown = describe(&pem).unwrap();
        assert!(
            shown.starts_with("-----BEGIN PRIVATE KEY----- (public key sha256:"),
            "{shown}"
        );
        assert!(!shown.contains(&body[..20]));
        assert_eq!(
            describe(&pem),
            describe(&pem.replace("\\n", "\n")),
            "quoting does not change it"
        );
        assert!(describe("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----").is_none());
    }
}
