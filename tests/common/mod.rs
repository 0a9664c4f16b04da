//! Shared by the integration tests. Secrets are generated at run time, never written in
//! the source, so that `tokenwarden scan .` on this repository stays clean.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs the real binary in `dir`.
pub fn tokenwarden(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tokenwarden"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run tokenwarden")
}

/// xorshift64*: deterministic per seed, good enough for synthetic secrets.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn string(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }
}

const TOKEN_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A synthetic Okta API token (`00` + 40 token characters) that passes the rule's
/// filters: mixed case and digits, no long runs, high entropy.
pub fn okta_token(seed: u64) -> String {
    let mut rng = Rng::new(seed);
    loop {
        let body = rng.string(TOKEN_CHARS, 40);
        if plausible(&body) {
            return format!("00{body}");
        }
    }
}

/// A synthetic 32-character URL secret (alphanumeric).
pub fn url_secret(seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0xA5A5);
    loop {
        let s = rng.string(ALNUM, 32);
        if plausible(&s) {
            return s;
        }
    }
}

fn plausible(s: &str) -> bool {
    let b = s.as_bytes();
    let has = |f: fn(&u8) -> bool| b.iter().any(f);
    let runs = b.windows(3).any(|w| {
        (w[0] == w[1] && w[1] == w[2])
            || (w[1] == w[0].wrapping_add(1) && w[2] == w[1].wrapping_add(1))
    });
    let lower = s.to_ascii_lowercase();
    let words = [
        "xxxx", "example", "sample", "dummy", "your", "fake", "test", "token", "redact",
    ];
    has(u8::is_ascii_uppercase)
        && has(u8::is_ascii_lowercase)
        && has(u8::is_ascii_digit)
        && !runs
        && !words.iter().any(|w| lower.contains(w))
}
