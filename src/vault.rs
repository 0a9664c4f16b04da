//! The raw secrets of a run, kept beside the findings rather than inside them: findings
//! are the report model and hold only redacted text, so nothing that prints a finding can
//! print a secret. Two things need the raw values, and take them from here: `--verify`
//! (the typed credential and the orgs written next to it) and the scrubbing of free text.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::credential::Found;

/// Where a finding's raw token sits in the vault. Carries no secret itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecretId(usize);

#[derive(Default)]
pub struct Vault {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    to_verify: Vec<Found>,
    ids: HashMap<Found, SecretId>,
    seen: HashSet<Vec<u8>>,
}

impl Vault {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a reported secret as it appeared in the text, for scrubbing.
    pub fn remember(&self, raw: &[u8]) {
        let mut inner = self.lock();
        if !inner.seen.contains(raw) {
            inner.seen.insert(raw.to_vec());
        }
    }

    /// Keeps a credential for `--verify`; the same credential with the same org hints gets
    /// the same id.
    pub fn keep_for_verify(&self, input: Found) -> SecretId {
        let mut inner = self.lock();
        if let Some(id) = inner.ids.get(&input) {
            return *id;
        }
        let id = SecretId(inner.to_verify.len());
        inner.to_verify.push(input.clone());
        inner.ids.insert(input, id);
        id
    }

    pub fn found(&self, id: SecretId) -> Option<Found> {
        self.lock().to_verify.get(id.0).cloned()
    }

    /// Every raw secret remembered so far.
    pub fn seen(&self) -> Vec<Vec<u8>> {
        self.lock().seen.iter().cloned().collect()
    }
}
