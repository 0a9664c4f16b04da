//! Audit walks with the scan's own source: each blob the source hands out is scanned for
//! leaks by the pipeline's scanner and read for static-token usage here, so audit skips
//! and records exactly what `scan` does.

use std::sync::Mutex;

use super::audit_blob;
use super::data::AuditData;
use super::model::Audit;
use super::sdk;
use crate::engine::Engine;
use crate::error::describe_io;
use crate::outcome::SkipReason;
use crate::pipeline::BlobScanner;
use crate::source::{Blob, Data, ScannedBlob, Scanner};

pub struct AuditScanner<'a> {
    data: &'a AuditData,
    engine: &'a Engine,
    leaks: BlobScanner<'a>,
    found: Mutex<Audit>,
}

impl<'a> AuditScanner<'a> {
    pub fn new(data: &'a AuditData, engine: &'a Engine, leaks: BlobScanner<'a>) -> Self {
        AuditScanner {
            data,
            engine,
            leaks,
            found: Mutex::default(),
        }
    }

    /// Usage sites and calls, in path and line order whatever order the walk took.
    pub fn into_audit(self) -> Audit {
        let mut audit = self.found.into_inner().unwrap_or_else(|p| p.into_inner());
        // SDK calls resolve once every file is read: a definition may come after its callers.
        let found = std::mem::take(&mut audit.sdk);
        audit.calls.extend(sdk::resolve(
            self.data,
            &found.candidates,
            &found.definitions,
        ));
        audit
            .sites
            .sort_by(|a, b| (&a.path, a.line, &a.pattern).cmp(&(&b.path, b.line, &b.pattern)));
        audit
            .calls
            .sort_by(|a, b| (&a.path, a.line, &a.endpoint).cmp(&(&b.path, b.line, &b.endpoint)));
        audit
    }
}

impl Scanner for AuditScanner<'_> {
    fn scan(&self, blob: Blob<'_>) -> Result<ScannedBlob, SkipReason> {
        // Usage patterns look at whole files; the source has already held them to
        // --max-file-size, so reading a stream whole is bounded.
        let mut owned = Vec::new();
        let bytes: &[u8] = match blob.data {
            Data::Bytes(b) => b,
            Data::Stream(input) => {
                input
                    .read_to_end(&mut owned)
                    .map_err(|e| SkipReason::Unreadable(describe_io(&e)))?;
                &owned
            }
        };
        let scanned = self.leaks.scan(Blob {
            data: Data::Bytes(bytes),
            ..blob
        })?;
        if scanned.binary {
            // Usage patterns are read from text; a binary blob only had the leak pass.
            return Ok(scanned);
        }
        let mut local = Audit::default();
        audit_blob(self.data, self.engine, blob.path, bytes, &mut local);
        let mut found = self.found.lock().unwrap_or_else(|p| p.into_inner());
        found.sites.extend(local.sites);
        found.calls.extend(local.calls);
        found.manifests.extend(local.manifests);
        found.sdk.candidates.extend(local.sdk.candidates);
        found.sdk.definitions.extend(local.sdk.definitions);
        Ok(scanned)
    }
}
