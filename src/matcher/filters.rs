//! Cheap tests that reject a regex match which is not a real secret: placeholders,
//! low-entropy or patterned values, and substrings of longer encoded strings.

use crate::rules::Filters;

/// Why a candidate was rejected; only used to make `rules check` failures explainable.
pub type Verdict = Result<(), &'static str>;

pub fn check_secret(f: &Filters, secret: &[u8]) -> Verdict {
    if secret.len() < f.min_length {
        return Err("shorter than min_length");
    }
    if let Some(n) = f.max_repeat
        && longest_repeat(secret) >= n
    {
        return Err("repeated characters");
    }
    if let Some(n) = f.max_sequence
        && longest_sequence(secret) >= n
    {
        return Err("sequential characters");
    }
    if f.min_entropy > 0.0 && shannon_entropy(secret) < f.min_entropy {
        return Err("entropy below min_entropy");
    }
    if repeats_a_block(secret) {
        return Err("a block repeated (abcd1234abcd1234…)");
    }
    if !f.placeholders.is_empty() {
        let lower = secret.to_ascii_lowercase();
        if f.placeholders
            .iter()
            .any(|p| memchr::memmem::find(&lower, p.as_bytes()).is_some())
        {
            return Err("placeholder");
        }
    }
    if f.reject.iter().any(|r| r.is_match(secret)) {
        return Err("matches a reject pattern");
    }
    if f.require.as_ref().is_some_and(|r| !r.is_match(secret)) {
        return Err("does not match filters.require");
    }
    if let Some(re) = &f.jwt_payload {
        match jwt_payload(secret) {
            None => return Err("not a JWT (three base64url parts, a JSON payload)"),
            Some(p) if !re.is_match(&p) => {
                return Err("JWT payload does not match filters.jwt_payload");
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The decoded payload of a compact JWT (`header.payload.signature`, base64url without
/// padding); `None` when `s` is not one.
pub fn jwt_payload(s: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let mut parts = s.split(|&b| b == b'.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    decoded
        .first()
        .is_some_and(|&b| b == b'{')
        .then_some(decoded)
}

/// A secret made of one block written again and again (`abcd1234abcd1234`, `xyzxyzxyz`):
/// placeholder text, never a generated secret. The block is at most half the secret.
pub fn repeats_a_block(s: &[u8]) -> bool {
    s.len() >= 8 && (1..=s.len() / 2).any(|p| (p..s.len()).all(|i| s[i] == s[i - p]))
}

/// Bits per byte.
pub fn shannon_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

fn longest_repeat(s: &[u8]) -> usize {
    longest_run(s, |a, b| a == b)
}

/// Ascending or descending by one (`abcd`, `4321`), letters and digits only.
fn longest_sequence(s: &[u8]) -> usize {
    let up = longest_run(s, |a, b| {
        a.is_ascii_alphanumeric() && b == a.wrapping_add(1)
    });
    let down = longest_run(s, |a, b| {
        a.is_ascii_alphanumeric() && b == a.wrapping_sub(1)
    });
    up.max(down)
}

fn longest_run(s: &[u8], step: impl Fn(u8, u8) -> bool) -> usize {
    let mut best = usize::from(!s.is_empty());
    let mut cur = best;
    for w in s.windows(2) {
        if step(w[0], w[1]) {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 1;
        }
    }
    best
}

fn is_base64_body(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// True when `blob[start..end]` is joined by `+` or `/` to more base64 text and the joined
/// run looks like base64 (has a `+`, or is long): a PEM body, a data URI, a serialized key.
/// A token in a short URL path (`/api/v1/x/00…`) is not rejected.
pub fn inside_base64(blob: &[u8], start: usize, end: usize) -> bool {
    let joined_left = start >= 2
        && matches!(blob[start - 1], b'+' | b'/')
        && blob[start - 2].is_ascii_alphanumeric();
    let joined_right = end + 1 < blob.len()
        && matches!(blob[end], b'+' | b'/')
        && blob[end + 1].is_ascii_alphanumeric();
    if !joined_left && !joined_right {
        return false;
    }
    const REACH: usize = 256;
    let lo = start.saturating_sub(REACH);
    let hi = (end + REACH).min(blob.len());
    let mut a = start;
    while a > lo && is_base64_body(blob[a - 1]) {
        a -= 1;
    }
    let mut b = end;
    while b < hi && is_base64_body(blob[b]) {
        b += 1;
    }
    // A short word joined by `+` is form encoding (`SSWS+00…`), not base64: the text on
    // a joined side must itself be a run of some length.
    const SIDE: usize = 8;
    let left_long = joined_left && start - 1 - a >= SIDE;
    let right_long = joined_right && b - (end + 1) >= SIDE;
    if !left_long && !right_long {
        return false;
    }
    let run = &blob[a..b];
    memchr::memchr(b'+', run).is_some() || run.len() >= 64
}

/// Whether the bytes just before `start` end a delimiter made of token characters: a
/// percent escape (`SSWS%2000…`: the `0` after `%2` is the escape's, not the token's) or
/// the shell default operator `:-` (`${OKTA_API_TOKEN:-00…}`).
pub fn delimited_left(blob: &[u8], start: usize) -> bool {
    (start >= 3
        && blob[start - 3] == b'%'
        && blob[start - 2].is_ascii_hexdigit()
        && blob[start - 1].is_ascii_hexdigit())
        || (start >= 2 && blob[start - 2] == b':' && blob[start - 1] == b'-')
}

/// Whether `start` falls on the second digit of a percent escape (`%2|0`), where the
/// regex's leftmost match begins one byte before the real secret.
pub fn inside_escape(blob: &[u8], start: usize) -> bool {
    start >= 2
        && blob[start - 2] == b'%'
        && blob[start - 1].is_ascii_hexdigit()
        && blob[start].is_ascii_hexdigit()
}

/// Standard base64, padding optional; `None` when `s` is not base64.
pub fn base64_decode(s: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let trimmed = s
        .strip_suffix(b"==")
        .or_else(|| s.strip_suffix(b"="))
        .unwrap_or(s);
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(trimmed)
        .ok()
}

/// `%XX` decoding; malformed escapes are kept as they are.
pub fn percent_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%'
            && i + 2 < s.len()
            && let (Some(h), Some(l)) = (hex_val(s[i + 1]), hex_val(s[i + 2]))
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_uniform_and_constant() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn runs() {
        assert_eq!(longest_repeat(b"abbbbc"), 4);
        assert_eq!(longest_sequence(b"x12345y"), 5);
        assert_eq!(longest_sequence(b"zyxw"), 4);
        assert_eq!(longest_sequence(b"a-.b"), 1);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode(b"a%2Fb%3d%"), b"a/b=%");
        assert_eq!(percent_decode(b"%zz%4"), b"%zz%4");
        assert_eq!(percent_decode(b"%41"), b"A");
    }

    #[test]
    fn repeated_blocks() {
        assert!(repeats_a_block(b"abcd1234abcd1234"));
        assert!(repeats_a_block(b"xyzxyzxyzx"));
        assert!(!repeats_a_block(b"abcd1234abcd1235"));
        assert!(!repeats_a_block(b"Xk9v2QmL7rTa"));
    }

    #[test]
    fn jwt_payloads() {
        // {"iss":"https://acme.okta.com"} as header and payload.
        let part = "eyJpc3MiOiJodHRwczovL2FjbWUub2t0YS5jb20ifQ";
        let jwt = format!("{part}.{part}.c2ln");
        assert_eq!(
            jwt_payload(jwt.as_bytes()).unwrap(),
            br#"{"iss":"https://acme.okta.com"}"#
        );
        assert!(jwt_payload(b"a.b").is_none());
        assert!(jwt_payload(format!("{jwt}.x").as_bytes()).is_none());
        assert!(jwt_payload(b"x.bm90IGpzb24.y").is_none());
    }

    #[test]
    fn base64_guard() {
        // Built at run time so the source itself holds no token-shaped literal.
        let tok = &format!("00{}", "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zA7b");
        let pem = format!("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA+{tok}/qwer");
        let s = pem.find(tok).unwrap();
        assert!(inside_base64(pem.as_bytes(), s, s + tok.len()));
        let url = format!("GET /api/v1/x/{tok} HTTP/1.1");
        let s = url.find(tok).unwrap();
        assert!(!inside_base64(url.as_bytes(), s, s + tok.len()));
    }
}
