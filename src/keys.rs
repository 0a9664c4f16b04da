//! Private keys as found in files: PEM blocks of PKCS#8 (RSA or EC P-256), PKCS#1 RSA and
//! SEC1 EC P-256 keys, whatever string-literal quoting carried their lines. What signs
//! client assertions (`okta::assertion`) and what names a key in reports without showing
//! it (its public key's fingerprint) both start here.

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RsaKeyPair};

pub enum Key {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// How a found private key is shown: its PEM header and the SHA-256 of its public key (the
/// first 16 hex digits), which names the key (the app's registered JWK has the same public
/// part) without revealing anything of it. `None` when the text is no usable key.
pub fn describe(pem: &str) -> Option<String> {
    let header = pem.split("-----").nth(1)?;
    let key = parse(pem, &SystemRandom::new()).ok()?;
    let public = match &key {
        Key::Rsa(pair) => pair.public_key().as_ref().to_vec(),
        Key::Ec(pair) => pair.public_key().as_ref().to_vec(),
    };
    let digest = ring::digest::digest(&ring::digest::SHA256, &public);
    Some(format!(
        "-----{header}----- (public key sha256:{}…)",
        &crate::finding::hex(digest.as_ref())[..16]
    ))
}

/// The key of a PEM block: PKCS#8 (RSA or EC P-256), PKCS#1 RSA, or SEC1 EC P-256.
pub fn parse(pem: &str, rng: &SystemRandom) -> Result<Key, String> {
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
